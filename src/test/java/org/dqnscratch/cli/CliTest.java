package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.opencl.OpenClDevice;
import org.dqnscratch.opencl.OpenClException;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, outputs. */
class CliTest {
    record Run(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void assertOneLineError(Run r, String contains) {
        assertEquals(2, r.code(), r.toString());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        assertTrue(err.startsWith("error: ") && err.contains(contains), err);
    }

    @Test
    void badFlagsAreOneLineErrors(@TempDir Path dir) {
        assertOneLineError(run("cartpole", "--no-such-flag"), "no-such-flag");
        assertOneLineError(run("cartpole", "--lr", "fast"), "fast");
        assertOneLineError(run("cartpole", "--preset", "nope"), "unknown preset 'nope'");
        assertOneLineError(run("cartpole", "--env", "FrozenLake-v1", "--run-dir", dir.toString()), "not a cartpole environment");
        assertOneLineError(run("cartpole", "--env", "Pong-v9", "--run-dir", dir.toString()), "unknown environment");
        assertOneLineError(run("cartpole", "--gamma", "1.5", "--run-dir", dir.toString()), "--gamma");
        assertOneLineError(run("cartpole", "--max-minutes", "-1", "--run-dir", dir.toString()), "--max-minutes must be >= 0");
        assertOneLineError(run("cartpole", "--loss", "l3", "--run-dir", dir.toString()), "--loss");
        assertOneLineError(run("cartpole", "--device", "tpu", "--run-dir", dir.toString()), "--device");
        // with or without OpenCL here: a one-line error that says what exists
        assertOneLineError(run("cartpole", "--device", "opencl:9:9", "--run-dir", dir.toString()), "OpenCL");
        assertOneLineError(run("frozenlake", "--hidden", "64,x"), "x");
        assertOneLineError(run("eval", dir.resolve("missing.safetensors").toString()), "not found");
        assertOneLineError(run("eval"), "CHECKPOINT");
    }

    @Test
    void corruptCheckpointIsAOneLineError(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertOneLineError(run("eval", bad.toString()), "bad.safetensors");
        Path text = dir.resolve("text.safetensors");
        Files.writeString(text, "this is not a checkpoint at all, just some text");
        assertOneLineError(run("eval", text.toString()), "text.safetensors");
    }

    /**
     * {@code devices} prints the CPU backend, then every OpenCL device under its platform, exactly
     * as the OpenCL library reports them (or the one line saying there is none: exit code 0 still).
     * With {@code DQN_REQUIRE_OPENCL=1} (CI, with PoCL) there must be a device to list.
     */
    @Test
    void devicesListsTheCpuAndEveryOpenClDevice() {
        Run r = run("devices");
        assertEquals(0, r.code(), r.toString());
        List<String> expected = new ArrayList<>(List.of("cpu  " + new CpuBackend().name()));
        List<OpenClDevice> all;
        try {
            all = OpenClDevice.all();
        } catch (OpenClException e) { // no OpenCL library at all
            all = List.of();
            expected.add(e.getMessage());
        }
        if ("1".equals(System.getenv("DQN_REQUIRE_OPENCL"))) assertFalse(all.isEmpty(), "DQN_REQUIRE_OPENCL=1 but no OpenCL device: " + r.out());
        if (all.isEmpty() && expected.size() == 1) expected.add("no OpenCL platform found (install a driver: NVIDIA's, or PoCL for the CPU: "
                + "apt-get install pocl-opencl-icd ocl-icd-libopencl1)");
        String platform = null;
        for (OpenClDevice d : all) {
            if (!d.platformName().equals(platform)) expected.add("platform " + d.platform() + ": " + (platform = d.platformName()));
            expected.add("  " + d.describe());
        }
        assertEquals(expected, r.out().lines().toList());
    }

    @Test
    void helpListsPresetsAndFlags() {
        Run r = run("cartpole", "--help");
        assertEquals(0, r.code());
        for (String s : new String[] {"keras-cartpole-no-replay", "pytorch-cartpole", "keras-cartpole-v1", "cleanrl", "rl-zoo",
            "--total-steps", "--double-dqn", "--target-update", "--eps-schedule", "--reward-scale", "--eval-every", "--solve-check-every",
            "--diagnose-every", "--lr-end"}) {
            assertTrue(r.out().contains(s), s);
        }
        assertTrue(run("frozenlake", "--help").out().contains("minimalrl-frozenlake"));
    }

    @Test
    void trainThenEvaluateTheCheckpoint(@TempDir Path dir) throws Exception {
        Run train = run("frozenlake", "--seed", "3", "--run-dir", dir.toString(), "--progress=false");
        assertEquals(0, train.code(), train.toString());
        assertTrue(train.lastLine().matches("evaluation: 1\\.00 ± 0\\.00 over 20 episodes"), train.lastLine());
        // Before it: the last network's evaluation (here the solving one's), and which network is handed over.
        List<String> lines = train.out().lines().toList();
        assertTrue(lines.get(lines.size() - 3).matches("last network \\(step \\d+\\): 1\\.00 ± 0\\.00 over 20 episodes"), train.out());
        assertTrue(lines.get(lines.size() - 2).matches("handed over: best\\.safetensors, the best evaluated network \\(step \\d+\\)"), train.out());
        Path run;
        try (var s = Files.list(dir)) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : new String[] {"config.json", "metrics.csv", "learning_curve.png", "best.safetensors", "last.safetensors", "episode.gif"}) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        Path gif = dir.resolve("again.gif");
        Run eval = run("eval", run.resolve("best.safetensors").toString(), "--episodes", "5", "--gif", gif.toString());
        assertEquals(0, eval.code(), eval.toString());
        assertEquals("FrozenLake-v1: 1.00 ± 0.00 over 5 episodes", eval.lastLine());
        assertTrue(Files.size(gif) > 0);
    }

    /** Ctrl-C (here SIGTERM, which runs the same shutdown hook) saves a last checkpoint before the JVM goes. */
    @Test
    void interruptSavesTheLastCheckpoint(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "cartpole", "--total-steps", "10000000", "--progress=false", "--run-dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("log.txt")).contains("run directory") || countRows(dir) < 50) {
                assertTrue(System.nanoTime() < deadline, "training did not start");
                Thread.sleep(100);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(dir.resolve("log.txt"));
        assertTrue(log.contains("interrupted at step"), log);
        // the closing lines come before the JVM goes (scripts read "trained ... steps/s")
        assertTrue(log.matches("(?s).*\ntrained \\d+ steps, \\d+ episodes in [0-9.]+ s \\(\\d+ steps/s\\).*"), log);
        assertTrue(log.contains("interrupted: no final evaluation"), log);
        Path run;
        try (var s = Files.list(dir)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(Files.size(run.resolve("last.safetensors")) > 0);
    }

    private static long countRows(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            Path csv = s.filter(f -> f.getFileName().toString().equals("metrics.csv")).findFirst().orElse(null);
            return csv == null ? 0 : Files.readAllLines(csv).size();
        }
    }
}
