package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** A run killed at any moment can be resumed (issue 24, items 1 and 2): short CartPole runs, crashes simulated. */
class ResumeRecoveryTest {
    /** CartPole's default recipe, a checkpoint every 1000 steps, a short evaluation. */
    static DqnConfig cfg(long totalSteps) {
        DqnConfig c = Presets.get("cartpole", "default").config();
        c.totalSteps = totalSteps;
        c.checkpointEvery = 1000;
        c.gif = false;
        c.evalEpisodes = 2;
        return c;
    }

    static DqnTraining.Result resume(Path dir, long totalSteps, DqnTrainingTest.Log log) throws Exception {
        return DqnTraining.run(cfg(totalSteps), "default", dir, log, () -> false, new CpuBackend(), true);
    }

    /** A crash (or a full disk) while a row was appended cut metrics.csv's last row short: the resume drops it with a warning. */
    @Test
    void aHalfRowAtTheEndOfMetricsIsDroppedAtResume(@TempDir Path dir) throws Exception {
        DqnTraining.run(cfg(1000), "default", dir, new DqnTrainingTest.Log(), () -> false);
        Files.writeString(dir.resolve("metrics.csv"), "990,40,1", StandardOpenOption.APPEND);
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(2000, resume(dir, 2000, log).steps());
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("dropped an incomplete last row") && l.contains("990,40,1")), log.lines.toString());
        List<String> warnings = new ArrayList<>();
        List<double[]> rows = MetricsCsv.read(dir.resolve("metrics.csv"), Double.MAX_VALUE, warnings::add, DqnTraining.COLUMNS);
        assertEquals(List.of(), warnings);
        for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i)[0] > rows.get(i - 1)[0], "steps increase");
        assertTrue(rows.get(rows.size() - 1)[0] > 1000, "the resumed run logged on");
    }

    @AfterEach
    void noHook() { TrainingCheckpoint.crashHook = stage -> {}; }

    /**
     * A kill at each step of the checkpoint protocol (the hook throws there, at the {@code nth}
     * checkpoint of a 3000-step run saving every 1000): the resume loads the newest complete
     * checkpoint (the new one once the pointer switched, else the previous one), never fails, and
     * leaves no temp file or folder. Temp files a kill inside a write would leave are added too.
     * (Under the older two-rename layout, a kill between the renames made the resume refuse:
     * "last.safetensors (step 1000) and state.safetensors (step 2000) are from different checkpoints".)
     */
    @ParameterizedTest
    @CsvSource({"files written,2,1000", "directory renamed,2,1000", "pointer switched,2,2000", "last copied,2,2000",
        "old deleted,2,2000", "directory renamed,1,1000"})
    void killedAtAnyStepOfACheckpointTheRunResumesFromTheNewestCompleteOne(String stage, int nth, long expected, @TempDir Path dir) throws Exception {
        AtomicInteger seen = new AtomicInteger();
        TrainingCheckpoint.crashHook = s -> {
            if (s.equals(stage) && seen.incrementAndGet() == nth) throw new IllegalStateException("killed after " + s);
        };
        try {
            DqnTraining.run(cfg(3000), "default", dir, new DqnTrainingTest.Log(), () -> false);
            throw new AssertionError("the hook did not fire");
        } catch (IllegalStateException killed) {
            assertEquals("killed after " + stage, killed.getMessage());
        }
        TrainingCheckpoint.crashHook = s -> {};
        Files.write(dir.resolve(".state.safetensors123.tmp"), new byte[0]); // a kill inside AtomicFiles.write
        Files.writeString(dir.resolve(".checkpoint456.tmp"), "step-");
        Files.createDirectories(dir.resolve("checkpoints/step-2000.tmp"));
        Files.write(dir.resolve("checkpoints/step-2000.tmp/.network.safetensors789.tmp"), new byte[10]);

        assertEquals("step-" + expected, TrainingCheckpoint.current(dir, w -> {}).getFileName().toString());
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(3000, resume(dir, 3000, log).steps());
        assertTrue(log.lines.contains("resuming from the checkpoint of step " + expected), log.lines.toString());
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "no temp file or folder survives");
        }
        try (Stream<Path> folders = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(1, folders.count(), "one checkpoint left");
        }
        Path current = TrainingCheckpoint.current(dir, w -> { throw new AssertionError(w); });
        assertEquals("3000", SafeTensors.read(current.resolve(TrainingCheckpoint.STATE)).metadata().get("step"));
        assertArrayEquals(Files.readAllBytes(current.resolve(TrainingCheckpoint.NETWORK)), Files.readAllBytes(dir.resolve("last.safetensors")),
                "last.safetensors is the current network");
    }

    /** A write that fails (a full disk) while a checkpoint is written: the run stops with the error, its space is given back, the previous checkpoint stays current. */
    @Test
    void aFailedWriteKeepsThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        TrainingCheckpoint.crashHook = s -> {
            if (s.equals("files written") && Files.exists(dir.resolve("checkpoint"))) throw new IOException("No space left on device");
        };
        IOException e = assertThrows(IOException.class,
                () -> DqnTraining.run(cfg(3000), "default", dir, new DqnTrainingTest.Log(), () -> false));
        assertEquals("No space left on device", e.getMessage());
        TrainingCheckpoint.crashHook = s -> {};
        assertFalse(Files.exists(dir.resolve("checkpoints/step-2000.tmp")), "the half-written checkpoint is removed");
        assertEquals("step-1000", Files.readString(dir.resolve("checkpoint")).strip());
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(3000, resume(dir, 3000, log).steps());
        assertTrue(log.lines.contains("resuming from the checkpoint of step 1000"), log.lines.toString());
    }

    /** A pointer naming no complete folder (damaged by hand, say): the newest complete checkpoint, with a warning. */
    @Test
    void aBadPointerFallsBackToTheNewestCompleteCheckpoint(@TempDir Path dir) throws Exception {
        DqnTraining.run(cfg(1000), "default", dir, new DqnTrainingTest.Log(), () -> false);
        Files.writeString(dir.resolve("checkpoint"), "step-9999\n");
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(2000, resume(dir, 2000, log).steps());
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("warning: ") && l.contains("step-9999") && l.contains("step-1000")), log.lines.toString());
        assertTrue(log.lines.contains("resuming from the checkpoint of step 1000"), log.lines.toString());
    }

    /** A run directory of the older layout (state.safetensors and last.safetensors at the top) still resumes, and moves to the new one. */
    @Test
    void aRunOfTheOlderLayoutResumes(@TempDir Path dir) throws Exception {
        DqnTraining.run(cfg(1000), "default", dir, new DqnTrainingTest.Log(), () -> false);
        Path current = TrainingCheckpoint.current(dir, w -> {});
        Files.move(current.resolve(TrainingCheckpoint.STATE), dir.resolve("state.safetensors"));
        Files.move(current.resolve(TrainingCheckpoint.REPLAY), dir.resolve("replay.bin")); // --save-replay's place then
        try (Stream<Path> s = Files.walk(dir.resolve("checkpoints"))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Files.delete(dir.resolve("checkpoint"));
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(2000, resume(dir, 2000, log).steps());
        assertTrue(log.lines.contains("resuming from the checkpoint of step 1000"), log.lines.toString());
        assertFalse(Files.exists(dir.resolve("state.safetensors")), "the old layout's state is replaced by checkpoints/");
        assertEquals("step-2000", TrainingCheckpoint.current(dir, w -> {}).getFileName().toString());
    }
}
