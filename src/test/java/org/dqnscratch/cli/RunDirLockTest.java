package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.cli.CliTest.Run;
import org.dqnscratch.io.RunDirLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24, item 3: one process per run directory, and a new directory per new run. */
class RunDirLockTest {
    /**
     * Another process in the run directory: it holds {@code .lock} as a training run does (an OS
     * lock, the file naming its PID and host) until its stdin closes or it is killed.
     */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0], ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.lock();
                ch.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + " holder-host\n"));
                System.out.println("locked");
                System.in.read();
            }
        }
    }

    /** A finished CartPole run of a few hundred steps, to resume. */
    private static Path tinyRun(Path parent) throws Exception {
        Run r = CliTest.run("cartpole", "--total-steps", "300", "--progress=false", "--gif=false", "--run-dir", parent.toString());
        assertEquals(0, r.code(), r.toString());
        try (var s = Files.list(parent)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** Every file of {@code dir}: name to contents and modification time. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                // Not the lock file's contents: opening it in the process that holds the lock would release it (POSIX locks).
                Object contents = f.endsWith(RunDirLock.FILE) ? Files.size(f) : java.util.Arrays.hashCode(Files.readAllBytes(f));
                files.put(dir.relativize(f).toString(), contents + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return files;
    }

    @Test
    void resumeOfARunDirectoryInUseIsRefusedAndTouchesNothing(@TempDir Path parent) throws Exception {
        Path dir = tinyRun(parent);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            Map<String, String> before = snapshot(dir);
            Thread.sleep(20); // a file written now would get a later modification time

            Run r = CliTest.run("cartpole", "--resume", dir.toString(), "--total-steps", "600", "--progress=false", "--gif=false");
            CliTest.assertOneLineError(r, dir + " is in use by process " + holder.pid() + " (on holder-host; ");
            assertEquals("", r.out(), "no output before the error");
            assertEquals(before, snapshot(dir), "nothing written into the directory");

            // eval only reads checkpoints: no lock needed
            Run eval = CliTest.run("eval", dir.resolve("best.safetensors").toString(), "--episodes", "1");
            assertEquals(0, eval.code(), eval.toString());
        } finally {
            holder.destroyForcibly(); // kill -9: the OS drops its lock, its .lock file stays behind
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }

        // A lock file whose process is gone never blocks; the run removes it when it ends.
        assertTrue(Files.exists(dir.resolve(".lock")));
        Run again = CliTest.run("cartpole", "--resume", dir.toString(), "--total-steps", "600", "--progress=false", "--gif=false");
        assertEquals(0, again.code(), again.toString());
        assertFalse(Files.exists(dir.resolve(".lock")), "lock file removed at the end of the run");
    }

    /** A lock held in this JVM (a run on another thread) refuses too, and outlives the refusal. */
    @Test
    void aRunDirectoryLockedInThisJvmIsRefused(@TempDir Path parent) throws Exception {
        Path dir = tinyRun(parent);
        try (RunDirLock held = RunDirLock.acquire(dir)) {
            Map<String, String> before = snapshot(dir);
            Run r = CliTest.run("cartpole", "--resume", dir.toString(), "--total-steps", "600", "--progress=false", "--gif=false");
            CliTest.assertOneLineError(r, dir + " is in use by process " + ProcessHandle.current().pid() + " (");
            assertEquals(before, snapshot(dir));
            // Still held at the OS level: closing a second descriptor of the file would have dropped it.
            String java = ProcessHandle.current().info().command().orElse("java");
            Process probe = new ProcessBuilder(java, "-Ddqn.relaunch=false", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "cartpole", "--resume", dir.toString(), "--total-steps", "600", "--progress=false", "--gif=false")
                    .redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, probe.waitFor(), out);
            assertTrue(out.contains("is in use by process " + ProcessHandle.current().pid()), out);
        }
        assertFalse(Files.exists(dir.resolve(".lock")));
    }

    /** The directory is made before training starts: a run refused before writing anything takes it away again. */
    @Test
    void aRunThatFailsBeforeWritingLeavesNoDirectory(@TempDir Path parent) throws Exception {
        CliTest.assertOneLineError(CliTest.run("cartpole", "--buffer-size", "2000000000", "--progress=false", "--run-dir", parent.toString()),
                "too large");
        try (var s = Files.list(parent)) {
            assertEquals(List.of(), s.toList());
        }
    }

    /** Two runs with the same seed started in the same second: each gets its own directory. */
    @Test
    void concurrentNewRunsGetDifferentDirectories(@TempDir Path parent) throws Exception {
        int threads = 2, each = 200;
        String base = "CartPole-v1__default__s1__20240101-120000";
        CyclicBarrier together = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Path> made = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        together.await();
                        made.add(RunDirLock.newRunDir(parent, base));
                    }
                } catch (Throwable e) {
                    failed.add(e);
                    together.reset();
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) th.join();
        assertTrue(failed.isEmpty(), failed.toString());
        Set<Path> distinct = new HashSet<>(made);
        assertEquals(threads * each, distinct.size(), "every call got a directory of its own");
        for (Path p : distinct) assertTrue(Files.isDirectory(p), p.toString());
    }
}
