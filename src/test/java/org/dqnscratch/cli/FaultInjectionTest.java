package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqnscratch.io.Tmpfs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Runs that survive anything": real training processes (the launcher JVM and the trainer JVM
 * it starts, as {@code java -jar} runs them) killed with SIGKILL at each step of the checkpoint
 * protocol and of the metrics rewrite (paused there by {@code DQN_FAULT_PAUSE}, see
 * {@link org.dqnscratch.io.FaultPause}) and at random moments, then resumed: the resume starts from
 * the newest complete checkpoint, metrics.csv never loses, repeats or keeps half a row, and no temp
 * file survives. A full disk (a 3 MB tmpfs) fails a run with one line naming the file, and a stop
 * request (SIGINT) during an evaluation ends it, saves and exits 130 within seconds.
 */
@EnabledOnOs(OS.LINUX)
class FaultInjectionTest {
    static final String[] HEADER = {"global_step", "episode", "charts/episodic_return", "charts/episodic_length", "charts/epsilon",
        "losses/td_loss", "charts/SPS", "losses/q_values"};
    static final Pattern RESUMED = Pattern.compile("resuming from the checkpoint of step (\\d+)");
    static final Pattern SAVED = Pattern.compile("step (\\d+): checkpoint saved");

    @BeforeAll
    static void realProcessTrees() {
        // The pom's second surefire execution re-runs a named test without the Vector API: these processes
        // do not depend on the kernels, and once is enough.
        assumeFalse(Boolean.getBoolean("dqn.noVector"), "process tests run once, in the main execution");
        assumeTrue(ProcessHandle.current().info().command().isPresent(), "no path to this java");
    }

    /** A launcher JVM (and the trainer it starts when the JDK has the Vector API), its output in {@code log}. */
    record Run(Process launcher, Path log) {
        String output() throws IOException { return Files.readString(log, StandardCharsets.UTF_8); }

        /** SIGKILL to the whole tree: the trainer first (the launcher's death would let it save), then the launcher. */
        void kill() throws Exception {
            for (ProcessHandle p : launcher.descendants().toList()) p.destroyForcibly();
            launcher.destroyForcibly();
            assertTrue(launcher.waitFor(20, TimeUnit.SECONDS), "the launcher outlived SIGKILL");
            for (ProcessHandle p : launcher.descendants().toList()) p.destroyForcibly();
        }

        int exit(long seconds) throws Exception {
            if (!launcher.waitFor(seconds, TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError("still running after " + seconds + " s: " + output());
            }
            return launcher.exitValue();
        }

        /** Waits for {@code text} in the output; false if the process ended first. */
        boolean await(String text, long seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!output().contains(text)) {
                if (!launcher.isAlive()) return output().contains(text);
                if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' after " + seconds + " s: " + output());
                Thread.sleep(20);
            }
            return true;
        }
    }

    private static int runs;

    /** {@code Main cartpole args} as a process tree; {@code pause}: DQN_FAULT_PAUSE, or null. */
    static Run start(Path dir, String pause, String... args) throws IOException {
        Path log = dir.resolve("log-" + ++runs + ".txt");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().get(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "cartpole", "--progress=false", "--gif=false", "--stop-when-solved=false"));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = b.environment();
        env.remove("DQN_FAULT_PAUSE");
        if (pause != null) env.put("DQN_FAULT_PAUSE", pause);
        return new Run(b.start(), log);
    }

    static Path runDir(Path runs) throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    static long resumedFrom(Run r) throws IOException {
        Matcher m = RESUMED.matcher(r.output());
        assertTrue(m.find(), "no resume line: " + r.output());
        return Long.parseLong(m.group(1));
    }

    /** Every temp file or folder under {@code dir}: {@code *.tmp}, which includes AtomicFiles' {@code .NAME*.tmp}. */
    static List<Path> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /** metrics.csv's whole rows (a last row cut by a kill is left out, and said so in {@code cut}). */
    record Metrics(List<String> rows, boolean cut) {
        static Metrics of(Path run) throws IOException {
            String text = Files.readString(run.resolve("metrics.csv"), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(text.lines().toList());
            assertTrue(!lines.isEmpty() && lines.get(0).equals(String.join(",", HEADER)), "metrics.csv has no header: " + text);
            boolean cut = !text.endsWith("\n");
            if (cut) lines.remove(lines.size() - 1);
            return new Metrics(lines.subList(1, lines.size()), cut);
        }

        static long step(String row) { return Long.parseLong(row.substring(0, row.indexOf(','))); }

        /** Whole rows, steps strictly increasing, episodes 1, 2, 3...: nothing lost, repeated or half. */
        void check(String when) {
            long last = -1;
            for (int i = 0; i < rows.size(); i++) {
                String[] cells = rows.get(i).split(",", -1);
                assertEquals(HEADER.length, cells.length, when + ": a half row " + rows.get(i));
                long s = Long.parseLong(cells[0]);
                assertTrue(s > last, when + ": step " + s + " after " + last + " (a repeated row?)");
                assertEquals(i + 1, Long.parseLong(cells[1]), when + ": row " + (i + 1) + " is episode " + cells[1] + " (a lost or repeated row?)");
                last = s;
            }
        }

        /** The rows up to {@code step}, as numbers (the rewrite may write 7720.00 as 7720). */
        List<String> upTo(long step) {
            return rows.stream().filter(r -> step(r) <= step)
                    .map(r -> Arrays.toString(Arrays.stream(r.split(",", -1)).mapToDouble(c -> c.isEmpty() ? Double.NaN : Double.parseDouble(c)).toArray()))
                    .toList();
        }
    }

    /**
     * Kills at each stage in turn, each resume paused at the next one; {@code expected}: the step the
     * next resume must start from (the previous checkpoint before the pointer switch, the new one from it on).
     */
    @Test
    void killedAtEachStageOfTheProtocolTheResumeContinuesFromTheNewestCompleteCheckpoint(@TempDir Path dir) throws Exception {
        record Kill(String stage, long expected, String leftover) {}
        // Checkpoints every 500 steps; the first run is killed in its 2nd save (step 1000), each resume in its first.
        List<Kill> kills = List.of(
                new Kill("files written:2", 500, "checkpoints/step-1000.tmp"),
                new Kill("directory renamed", 500, null),              // step-1000 complete, the pointer still on step-500
                new Kill("pointer switched", 1000, null),              // saved as step-1000-2: step-1000 exists
                new Kill("last copied", 1500, null),
                new Kill("old deleted", 2000, null),
                new Kill("temp opened metrics.csv", 2000, ".metrics.csv"), // the rewrite at the resume, nothing written yet
                new Kill("rows written", 2000, ".metrics.csv"),       // all written, not renamed
                new Kill("temp written metrics.csv", 2000, ".metrics.csv"),
                new Kill("temp written config.json", 2000, ".config.json"),
                new Kill("temp written state.safetensors", 2000, "checkpoints/step-2500.tmp"),
                new Kill("temp written checkpoint", 2000, ".checkpoint")); // step-2500 complete, the pointer's temp not renamed
        Path runs = dir.resolve("runs");
        String[] flags = {"--total-steps", "3000", "--checkpoint-every", "500", "--eval-episodes", "2"};
        Path run = null;
        Metrics before = null;
        long from = 0;
        for (Kill k : kills) {
            Run r = run == null ? start(dir, k.stage(), concat(flags, "--run-dir", runs.toString()))
                    : start(dir, k.stage(), concat(flags, "--resume", run.toString()));
            try {
                assertTrue(r.await("fault pause: " + k.stage().split(":")[0], 60), "the run ended before " + k.stage() + ": " + r.output());
            } finally {
                r.kill();
            }
            if (run == null) run = runDir(runs);
            else assertEquals(from, resumedFrom(r), k.stage() + ": " + r.output());
            String state = k.stage() + " (a resume from " + from + ")";
            Metrics now = Metrics.of(run);
            now.check("killed at " + state);
            if (before != null) assertEquals(before.upTo(from), now.upTo(from), "killed at " + state + ": rows up to the checkpoint changed");
            if (k.leftover() != null) {
                Path top = run;
                assertTrue(temps(run).stream().anyMatch(p -> top.relativize(p).toString().startsWith(k.leftover())),
                        "killed at " + state + ": no " + k.leftover() + "* temp (the pause is not where the test thinks) " + temps(run));
            }
            before = now;
            from = k.expected();
        }
        // The last resume, unhindered, to the end.
        Metrics end = resumesCleanly(start(dir, null, concat(flags, "--resume", run.toString())), run, from, before);
        assertTrue(Metrics.step(end.rows().get(end.rows().size() - 1)) > 2500, "the resumed run logged on");
        assertEquals("step-3000", Files.readString(run.resolve("checkpoint")).strip());
    }

    /**
     * SIGKILL at seeded random moments of a run and its resumes (the launch, the checkpoint load, the
     * metrics rewrite, training, the saves every 200 steps): each resume starts from the checkpoint the
     * pointer names (the newest complete one), never before the last one the run announced.
     */
    @Test
    void killedAtRandomMomentsTheResumeContinuesFromTheNewestCompleteCheckpoint(@TempDir Path dir) throws Exception {
        Random random = new Random(20261203);
        Path runs = dir.resolve("runs");
        String[] flags = {"--checkpoint-every", "200", "--eval-episodes", "2", "--eval-every", "1000"};
        Path run = null;
        Metrics before = null;
        long from = 0;
        int kills = 0;
        for (int i = 0; i < 8; i++) {
            String[] more = run == null ? new String[] {"--run-dir", runs.toString()} : new String[] {"--resume", run.toString()};
            Run r = start(dir, null, concat(concat(flags, "--total-steps", "100000"), more));
            // A resume: from the trainer's first line (the lock taken; the load, the metrics rewrite and ~0.8 s
            // of warm-up to the first save are next), then a save every ~50 ms. The first run: from its first save.
            long delay = random.nextInt(run == null ? 600 : 1600);
            try {
                assertTrue(r.await(run == null ? "step 200: checkpoint saved" : "run directory:", 60), r.output());
                Thread.sleep(delay);
            } finally {
                r.kill();
            }
            kills++;
            if (run == null) run = runDir(runs);
            else if (RESUMED.matcher(r.output()).find()) {
                assertEquals(from, resumedFrom(r), "kill " + kills + ": " + r.output());
            }
            String when = "kill " + kills + " (" + delay + " ms after " + (kills == 1 ? "the first save)" : "the start of a resume from " + from + ")");
            Metrics now = Metrics.of(run);
            now.check(when);
            if (before != null) assertEquals(before.upTo(from), now.upTo(from), when + ": rows up to the checkpoint changed");
            before = now;
            long pointed = pointed(run);
            Matcher m = SAVED.matcher(r.output());
            long announced = from;
            while (m.find()) announced = Long.parseLong(m.group(1));
            System.out.println(when + ": the pointer names step " + pointed + "; temp files " + temps(run));
            assertTrue(pointed >= announced && pointed <= announced + 200,
                    when + ": the pointer names step " + pointed + ", the run announced " + announced);
            from = pointed;
        }
        resumesCleanly(start(dir, null, concat(flags, "--resume", run.toString(), "--total-steps", Long.toString(from + 500))), run, from, before);
    }

    /**
     * A last, unhindered resume: it ends with exit 0, started from checkpoint {@code from}, left the
     * rows up to it as they were, no half row, and no temp file. Returns the final log.
     */
    private static Metrics resumesCleanly(Run r, Path run, long from, Metrics before) throws Exception {
        assertEquals(0, r.exit(120), r.output());
        assertEquals(from, resumedFrom(r), r.output());
        Metrics end = Metrics.of(run);
        assertTrue(!end.cut(), "a half last row");
        end.check("the end");
        assertEquals(before.upTo(from), end.upTo(from), "rows up to the checkpoint changed");
        assertEquals(List.of(), temps(run), "temp files left");
        return end;
    }

    /** The step of the checkpoint the pointer names, checked complete (as the resume would find it). */
    static long pointed(Path run) throws IOException {
        String name = Files.readString(run.resolve("checkpoint")).strip();
        Path folder = run.resolve("checkpoints").resolve(name);
        assertTrue(Files.isRegularFile(folder.resolve("state.safetensors")) && Files.isRegularFile(folder.resolve("network.safetensors")),
                "the pointer names " + name + ", not a complete checkpoint");
        Matcher m = Pattern.compile("step-(\\d+)(-\\d+)?").matcher(name);
        assertTrue(m.matches(), name);
        return Long.parseLong(m.group(1));
    }

    /**
     * A full disk (a 3 MB tmpfs, filled but for 32 KB): a resumed run fails at its next checkpoint with
     * one line naming the file and "No space left on device", exit code 2, the previous checkpoint still
     * current and no temp file. Filled but for 8 KB, the log's appends fill it: the same one line naming
     * metrics.csv, the rows whole but maybe the last. With the space back, --resume continues from that
     * checkpoint (dropping a half last row).
     */
    @Test
    void aFullDiskFailsTheCheckpointWithOneLineAndKeepsThePreviousOne(@TempDir Path dir) throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount(dir.resolve("tmpfs"), "3m")) {
            Path mnt = tmpfs.dir;
            Path runs = mnt.resolve("runs");
            String[] flags = {"--checkpoint-every", "500", "--eval-episodes", "2"};
            Run first = start(dir, null, concat(flags, "--total-steps", "1000", "--run-dir", runs.toString()));
            assertEquals(0, first.exit(120), first.output());
            Path run = runDir(runs);
            long stateBytes = Files.size(run.resolve("checkpoints/step-1000/state.safetensors"));
            assertTrue(stateBytes > 40 << 10, "the state file must not fit in the space left: " + stateBytes);

            Path filler = mnt.resolve("filler");
            fill(filler);
            try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                f.setLength(f.length() - (32 << 10)); // room for config.json and the metrics rewrite, not for a checkpoint
            }
            Run full = start(dir, null, concat(flags, "--total-steps", "2000", "--resume", run.toString()));
            int code = full.exit(120);
            String out = full.output();
            assertNotEquals(0, code, out);
            List<String> errors = out.lines().filter(l -> l.startsWith("error:")).toList();
            assertEquals(1, errors.size(), out);
            assertTrue(errors.get(0).matches("error: cannot write " + Pattern.quote(run.toString()) + "/\\S+: No space left on device"), out);
            assertTrue(!out.contains("\tat "), "a stack trace: " + out);
            assertEquals(List.of(), temps(run), "temp files left on the full disk");
            assertEquals(1000, pointed(run));
            Metrics before = Metrics.of(run);

            // Now 8 KB left and no checkpoint or evaluation to come: the log's appends fill the disk (the log's
            // alone: the event file's appends would race them, and its full disk has its own case in TensorBoardWriterTest).
            fill(filler);
            try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                f.setLength(f.length() - (8 << 10));
            }
            Run appends = start(dir, null, "--checkpoint-every", "0", "--eval-every", "0", "--solve-at", "1000000", "--total-steps", "100000",
                    "--tensorboard", "false", "--resume", run.toString());
            code = appends.exit(120);
            out = appends.output();
            assertNotEquals(0, code, out);
            errors = out.lines().filter(l -> l.startsWith("error:")).toList();
            assertEquals(List.of("error: cannot write " + run.resolve("metrics.csv") + ": No space left on device"), errors, out);
            assertEquals(List.of(), temps(run), "temp files left on the full disk");
            assertEquals(1000, pointed(run));
            Metrics cut = Metrics.of(run);
            System.out.println("the full disk cut the log's last row: " + cut.cut());
            cut.check("the log filled the disk");
            assertEquals(before.upTo(1000), cut.upTo(1000));

            Files.delete(filler);
            Run again = start(dir, null, concat(flags, "--total-steps", "2000", "--resume", run.toString()));
            assertEquals(0, again.exit(120), again.output());
            assertEquals(1000, resumedFrom(again));
            if (cut.cut()) assertTrue(again.output().contains("dropped an incomplete last row"), again.output());
            assertEquals(2000, pointed(run));
            Metrics end = Metrics.of(run);
            assertTrue(!end.cut(), "a half last row");
            end.check("after the full disk");
            assertEquals(List.of(), temps(run), "temp files left");
        }
    }

    /** Writes {@code file} (on at its end) until the disk is full. */
    static void fill(Path file) throws IOException {
        byte[] block = new byte[1 << 12];
        try (var out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) out.write(block);
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left on device"), full.toString());
        }
    }

    /**
     * Ctrl-C (SIGINT to the launcher, which passes it on) during a long periodic evaluation (paused a
     * second at its 5th episode so that the signal lands in it): the evaluation is given up, the run
     * saves its checkpoint, prints its closing lines whole and exits 130 within seconds; it resumes
     * from that checkpoint. (Before, the evaluation ran on to its end, past the 60 s the shutdown hook
     * waited, and the JVM halted with nothing saved.)
     */
    @Test
    void aStopRequestDuringAnEvaluationSavesAndExits130(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Run r = start(dir, "evaluation episode:5:1", "--total-steps", "100000", "--checkpoint-every", "500", "--eval-every", "1000",
                "--eval-episodes", "1000000", "--run-dir", runs.toString());
        long signalled;
        try {
            assertTrue(r.await("fault pause: evaluation episode", 60), r.output());
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -INT " + r.launcher().pid()).inheritIO().start();
            assertEquals(0, kill.waitFor());
            signalled = System.nanoTime();
            assertTrue(r.launcher().waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGINT: " + r.output());
        } finally {
            r.kill();
        }
        double seconds = (System.nanoTime() - signalled) / 1e9;
        String out = r.output();
        System.out.printf("SIGINT during an evaluation: exited %.1f s after the signal%n", seconds);
        assertEquals(130, r.launcher().exitValue(), out);
        assertTrue(seconds < 10, "exited " + seconds + " s after SIGINT: " + out);
        assertTrue(out.endsWith("\n"), "the output ends mid-line: " + out);
        assertTrue(out.contains("step 1000: evaluation stopped (stop requested)\n"), out);
        assertTrue(out.contains("interrupted at step 1000: checkpoint saved in "), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(lines.size() - 3).startsWith("trained 1000 steps, "), out);
        assertTrue(lines.get(lines.size() - 2).startsWith("saved: ") && lines.get(lines.size() - 2).endsWith("learning_curve.png"), out);
        assertEquals("interrupted: no final evaluation", lines.get(lines.size() - 1), out);
        Path run = runDir(runs);
        assertEquals(1000, pointed(run));
        assertEquals(List.of(), temps(run), "temp files left");

        Run again = start(dir, null, "--resume", run.toString(), "--total-steps", "1500", "--eval-episodes", "2");
        assertEquals(0, again.exit(120), again.output());
        assertEquals(1000, resumedFrom(again));
    }

    static String[] concat(String[] a, String... b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
