package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.tensor.VectorSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24, item 4: the launcher JVM and the trainer it relaunches stop together. Real process
 * trees: {@code java -cp ... Main cartpole} without {@code --add-modules}, so the launcher starts
 * the trainer as a child JVM, as {@code java -jar} does.
 */
@EnabledOnOs(OS.LINUX)
class LauncherSignalTest {
    static final Map<String, Integer> NUMBER = Map.of("HUP", 1, "INT", 2, "TERM", 15);

    @BeforeAll
    static void theLauncherRelaunches() {
        // The launcher relaunches only when the JDK has the Vector API module to add (a jlink'd
        // runtime without it runs the plain kernels in one JVM: no child to stop).
        assumeTrue(ModuleFinder.ofSystem().find(VectorSupport.MODULE).isPresent(), "no jdk.incubator.vector: the launcher does not relaunch");
        assumeTrue(ProcessHandle.current().info().command().isPresent(), "no path to this java");
    }

    /** The launcher, and the trainer JVM it started, once training is under way. */
    record Tree(Process launcher, ProcessHandle trainer, Path runs, Path log) {}

    private static Tree start(Path dir) throws Exception {
        Path runs = dir.resolve("runs"), log = dir.resolve("log.txt");
        // --stop-when-solved=false: CartPole is solved within seconds, and a solved run would end by itself.
        Process launcher = new ProcessBuilder(List.of(ProcessHandle.current().info().command().get(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "cartpole", "--total-steps", "10000000", "--stop-when-solved=false", "--progress=false", "--run-dir", runs.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<ProcessHandle> children = launcher.children().toList();
            if (children.size() == 1 && Files.readString(log).contains("run directory") && rows(runs) >= 20) {
                return new Tree(launcher, children.get(0), runs, log);
            }
            if (System.nanoTime() > deadline || !launcher.isAlive()) {
                stop(launcher, children);
                throw new AssertionError("training did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    private static void stop(Process launcher, List<ProcessHandle> trainers) {
        trainers.forEach(ProcessHandle::destroyForcibly); // never leave a trainer running on the machine
        launcher.destroyForcibly();
    }

    private static long rows(Path runs) throws Exception {
        if (!Files.isDirectory(runs)) return 0;
        try (var s = Files.walk(runs)) {
            Path csv = s.filter(f -> f.getFileName().toString().equals("metrics.csv")).findFirst().orElse(null);
            return csv == null ? 0 : Files.readAllLines(csv).size();
        }
    }

    /** Waits up to 10 s (two JVMs on a busy machine) for {@code p} to exit. */
    private static boolean exits(ProcessHandle p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.isAlive()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(50);
        }
        return true;
    }

    /** The trainer stopped as on Ctrl-C: it said so, saved its last checkpoint and released the run directory. */
    private static void assertSaved(Tree t) throws Exception {
        String log = Files.readString(t.log());
        assertTrue(log.contains("interrupted at step"), log);
        Path run;
        try (var s = Files.list(t.runs())) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(Files.size(run.resolve("last.safetensors")) > 0, log);
        assertFalse(Files.exists(run.resolve(".lock")), "lock file left behind");
    }

    /** Whether this JVM inherited {@code signal} as ignored (nohup, a background job): its children would ignore it too. */
    private static boolean ignored(String signal) throws Exception {
        String mask = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
                .findFirst().orElse("SigIgn: 0").substring(7).trim();
        return (Long.parseUnsignedLong(mask, 16) >> (NUMBER.get(signal) - 1) & 1) != 0;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void aSignalToTheLauncherStopsAndSavesTheTrainer(String signal, @TempDir Path dir) throws Exception {
        assumeFalse(ignored(signal), "SIG" + signal + " is ignored in this process tree");
        Tree t = start(dir);
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + t.launcher().pid()).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(exits(t.trainer()), "the trainer is still running");
            assertTrue(exits(t.launcher().toHandle()), "the launcher is still running");
            // The launcher passes on the trainer's exit code: a JVM stopped by signal N exits with 128 + N.
            assertEquals(128 + NUMBER.get(signal), t.launcher().exitValue());
        } finally {
            stop(t.launcher(), List.of(t.trainer()));
        }
        assertSaved(t);
    }

    @Test
    void killingTheLauncherStopsAndSavesTheTrainer(@TempDir Path dir) throws Exception {
        Tree t = start(dir);
        try {
            t.launcher().destroyForcibly(); // kill -9: no handler runs in the launcher
            assertTrue(t.launcher().waitFor(10, TimeUnit.SECONDS));
            assertTrue(exits(t.trainer()), "the trainer outlived its launcher");
        } finally {
            stop(t.launcher(), List.of(t.trainer()));
        }
        assertSaved(t);
    }
}
