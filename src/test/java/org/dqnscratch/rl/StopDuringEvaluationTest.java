package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.dqnscratch.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop request (Ctrl-C) inside an evaluation of a million episodes, periodic or final, ends it
 * at once: the run saves its checkpoint and reports itself interrupted. (The process-level case,
 * SIGINT and exit code 130, is FaultInjectionTest's.)
 */
class StopDuringEvaluationTest {
    static DqnConfig cfg() {
        DqnConfig c = Presets.get("cartpole", "default").config();
        c.totalSteps = 1000;
        c.checkpointEvery = 0;
        c.gif = false;
        c.stopWhenSolved = false;
        c.evalEpisodes = 1_000_000;
        return c;
    }

    /** True from the {@code n}-th question on: the loop asks once a step, an evaluation before each episode and at each step. */
    static BooleanSupplier after(int n) {
        AtomicInteger calls = new AtomicInteger();
        return () -> calls.incrementAndGet() >= n;
    }

    @Test
    void aStopDuringAPeriodicEvaluationEndsItAndSaves(@TempDir Path dir) throws Exception {
        DqnConfig c = cfg();
        c.evalEvery = 500;
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        long t0 = System.nanoTime();
        DqnTraining.Result r = DqnTraining.run(c, "default", dir, log, after(500 + 200), new org.dqnscratch.tensor.CpuBackend());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the evaluation ran on");
        assertTrue(r.interrupted(), log.lines.toString());
        assertEquals(500, r.steps());
        assertTrue(log.lines.contains("step 500: evaluation stopped (stop requested)"), log.lines.toString());
        assertEquals("500", SafeTensors.read(dir.resolve("last.safetensors")).metadata().get("step"));
        assertTrue(TrainingCheckpoint.current(dir, log::message).getFileName().toString().matches("step-500(-\\d+)?"));
    }

    @Test
    void aStopDuringTheFinalEvaluationEndsItAsInterrupted(@TempDir Path dir) throws Exception {
        DqnConfig c = cfg();
        c.evalEvery = 0;
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        long t0 = System.nanoTime();
        DqnTraining.Result r = DqnTraining.run(c, "default", dir, log, after(1000 + 200), new org.dqnscratch.tensor.CpuBackend());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the evaluation ran on");
        assertTrue(r.interrupted(), log.lines.toString());
        assertEquals(1000, r.steps());
        assertEquals("1000", SafeTensors.read(dir.resolve("last.safetensors")).metadata().get("step"));
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("interrupted at step 1000: checkpoint saved")), log.lines.toString());
    }
}
