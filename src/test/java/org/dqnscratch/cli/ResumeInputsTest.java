package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dqnscratch.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nonsense a hostile user hands to {@code --resume} (issue "Runs that survive anything"): each is a
 * one-line error that names the file and what is wrong, and leaves the run directory as it was.
 * Every case here was accepted silently, or reported as a bare path, before.
 */
class ResumeInputsTest {
    @TempDir static Path shared;
    /** A finished 600-step CartPole run, seed 5 (not the default 1), evaluated at 300 (its checkpoint has a best network): copied by each test that changes it. */
    static Path original;

    @BeforeAll
    static void train() throws Exception {
        CliTest.Run r = run("cartpole", "--seed", "5", "--total-steps", "600", "--learning-starts", "200", "--stop-when-solved=false",
                "--eval-episodes", "1", "--eval-every", "300", "--gif=false", "--progress=false", "--run-dir", shared.resolve("runs").toString());
        assertEquals(0, r.code(), r.toString());
        try (Stream<Path> s = Files.list(shared.resolve("runs"))) {
            original = s.findFirst().orElseThrow();
        }
    }

    /** A copy of the finished run to damage. */
    static Path copy(Path dir) throws Exception { return copyOf(original, dir); }

    /** A copy of run directory {@code from} in {@code dir}. */
    static Path copyOf(Path from, Path dir) throws Exception {
        Path to = dir.resolve("run");
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }

    /** Every file of a run directory with its bytes, to see that a refused resume changed nothing. */
    static Map<String, String> snapshot(Path run) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(run.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) + " " + Files.getLastModifiedTime(p));
            }
        }
        return m;
    }

    static CliTest.Run resume(Path run, String... more) {
        String[] args = Stream.concat(Stream.of("cartpole", "--resume", run.toString(), "--total-steps", "800", "--progress=false"),
                Stream.of(more)).toArray(String[]::new);
        return run(args);
    }

    /** An empty, {@code {}} or key-less config.json became the defaults: seed 5 resumed as seed 1. */
    @Test
    void aConfigWithoutItsKeysIsRefused(@TempDir Path dir) throws Exception {
        Path run = copy(dir);
        Path config = run.resolve("config.json");
        String json = Files.readString(config);
        for (String bad : new String[] {"", "{}", "[]", "{\"preset\": \"default\"}", "{\"args\": 3}"}) {
            Files.writeString(config, bad);
            assertOneLineError(resume(run), config + " has no \"args\" object");
        }
        Files.writeString(config, "{\"args\": {");
        assertOneLineError(resume(run), "unreadable config.json");
        Files.writeString(config, "{\"args\": {}}");
        CliTest.Run r = resume(run);
        assertOneLineError(r, config + " lacks env, slippery, game");
        assertTrue(r.err().contains("seed, totalSteps"), r.err());

        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json);
        ((ObjectNode) root.get("args")).remove("seed");
        Files.writeString(config, m.writeValueAsString(root));
        assertEquals("error: --resume " + run + ": " + config + " lacks seed (a damaged config.json?)", resume(run).err().strip());
    }

    /** A run written before lrEnd, diagnoseEvery, replayOnDevice and solveCheckEvery existed still resumes. */
    @Test
    void fieldsNewerThanResumeMayBeMissing(@TempDir Path dir) throws Exception {
        Path run = copy(dir);
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(run.resolve("config.json").toFile());
        ((ObjectNode) root.get("args")).remove(java.util.List.of("lrEnd", "diagnoseEvery", "replayOnDevice", "solveCheckEvery"));
        Files.writeString(run.resolve("config.json"), m.writeValueAsString(root));
        CliTest.Run r = resume(run);
        assertEquals(0, r.code(), r.toString());
        assertTrue(m.readTree(run.resolve("config.json").toFile()).get("args").get("seed").asLong() == 5);
    }

    /** The frozen list of required keys names fields that still exist (a rename would make every run unresumable). */
    @Test
    void everyRequiredKeyIsAConfigField() {
        java.util.Set<String> fields = new java.util.HashSet<>();
        for (var f : org.dqnscratch.rl.DqnConfig.fields()) fields.add(f.getName());
        assertEquals(java.util.Set.of(), new java.util.TreeSet<>(TrainCommand.REQUIRED_IN_CONFIG).stream().filter(n -> !fields.contains(n))
                .collect(java.util.stream.Collectors.toSet()));
        fields.removeAll(TrainCommand.REQUIRED_IN_CONFIG);
        assertTrue(fields.containsAll(java.util.Set.of("lrEnd", "diagnoseEvery", "replayOnDevice", "solveCheckEvery")), "older runs lack these: " + fields);
    }

    /** {@code frozenlake --resume <a CartPole run>} went on training CartPole. */
    @Test
    void anotherCommandsRunIsRefused() throws Exception {
        Map<String, String> before = snapshot(original);
        assertOneLineError(run("frozenlake", "--resume", original.toString(), "--total-steps", "800", "--progress=false"),
                "that run trained CartPole-v1, not a frozenlake environment");
        assertOneLineError(run("pong", "--resume", original.toString(), "--total-steps", "800", "--progress=false"),
                "that run trained CartPole-v1, not a pong environment");
        assertEquals(before, snapshot(original));
    }

    /** A file or a folder where the other is expected says so (it said "no run there (no config.json)"). */
    @Test
    void aFileForTheRunDirectoryOrAFolderForConfigJson(@TempDir Path dir) throws Exception {
        assertOneLineError(resume(original.resolve("config.json")), "config.json: not a directory (give the run directory, not a file in it)");
        assertOneLineError(resume(dir.resolve("nothing")), "nothing: no run there (no such directory)");
        Path run = copy(dir);
        Files.delete(run.resolve("config.json"));
        Files.createDirectory(run.resolve("config.json"));
        assertOneLineError(resume(run), "config.json is a directory, not a file");
    }

    /** A checkpoint whose state says step -5000 (or a negative episode or optimizer step count) was resumed from. */
    @ParameterizedTest
    @ValueSource(strings = {"step", "episode", "optimizer_steps", "updates"})
    void negativeCountersInTheCheckpointAreRefused(String counter, @TempDir Path dir) throws Exception {
        Path run = copy(dir);
        Path state = run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoint")).strip()).resolve("state.safetensors");
        SafeTensors.Contents c = SafeTensors.read(state);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put(counter, "-5000");
        SafeTensors.save(state, c.tensors(), meta);
        Map<String, String> before = snapshot(run);
        CliTest.Run r = resume(run);
        assertOneLineError(r, state + ": bad counters (");
        assertTrue(r.err().contains(counter + " -5000") && r.err().contains("none may be negative"), r.err());
        assertEquals(before, snapshot(run));
    }

    /** --total-steps at or below the checkpoint's step was a silent no-op with exit code 0 (that rewrote the run's files). */
    @Test
    void totalStepsNotBeyondTheCheckpointIsRefused() throws Exception {
        Map<String, String> before = snapshot(original);
        for (String total : new String[] {"600", "300"}) {
            CliTest.Run r = run("cartpole", "--resume", original.toString(), "--total-steps", total, "--progress=false");
            assertOneLineError(r, "the run in " + original + " is already at step 600: --total-steps must be larger than 600");
        }
        assertEquals(before, snapshot(original));
    }

    /**
     * A resume that fails on what it reads leaves the run directory as it was: config.json was
     * rewritten (with the new --total-steps) before metrics.csv was read.
     */
    @Test
    void aFailedResumeChangesNothing(@TempDir Path dir) throws Exception {
        Path run = copy(dir);
        Path csv = run.resolve("metrics.csv");
        java.util.List<String> lines = Files.readAllLines(csv);
        Files.writeString(csv, String.join("\n", lines) + "\n" + lines.get(lines.size() - 1) + "\n"); // the last row twice
        Map<String, String> before = snapshot(run);
        Thread.sleep(20); // a file rewritten now would get a later modification time
        assertOneLineError(resume(run), csv + ": line " + (lines.size() + 1) + ": episode ");
        assertEquals(before, snapshot(run));

        // The checkpoint's copy of the best network damaged (replaced, not written through: it is a hard link to the run's).
        Files.writeString(csv, String.join("\n", lines) + "\n");
        Path copyOfBest = run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoint")).strip()).resolve("best.safetensors");
        Files.delete(copyOfBest);
        Files.write(copyOfBest, new byte[] {1, 2, 3});
        before = snapshot(run);
        Thread.sleep(20);
        assertOneLineError(resume(run), copyOfBest.toString());
        assertEquals(before, snapshot(run));
    }

    /**
     * After a resume, "trained N steps ... (X steps/s)" divided all N steps by the resumed process's
     * time: the rate must be the steps taken now over the time taken now. Here 600 steps on top of
     * 2400: the old rate claimed five times the steps.
     */
    @Test
    void theRateAfterAResumeCountsThisProcesssSteps(@TempDir Path dir) throws Exception {
        CliTest.Run first = run("cartpole", "--total-steps", "2400", "--stop-when-solved=false", "--eval-every", "0", "--eval-episodes", "1",
                "--gif=false", "--progress=false", "--run-dir", dir.toString());
        assertEquals(0, first.code(), first.toString());
        Path run;
        try (Stream<Path> s = Files.list(dir)) {
            run = s.findFirst().orElseThrow();
        }
        CliTest.Run r = run("cartpole", "--resume", run.toString(), "--total-steps", "3000", "--progress=false");
        assertEquals(0, r.code(), r.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("trained 3000 steps, \\d+ episodes in ([0-9.]+) s \\((\\d+) steps/s\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double seconds = Double.parseDouble(m.group(1)), rate = Double.parseDouble(m.group(2));
        // The seconds are printed to 0.1: the steps the line implies are exact to within rate * 0.05.
        assertEquals(600, rate * seconds, rate * 0.05 + seconds * 0.5 + 1, r.out());
    }
}
