package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.opencl.OpenClSupport;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed run is the run that was interrupted, bit for bit (issue 24, "Resume, how exact"): a run
 * stopped (Ctrl-C) or crashed (no final save: it resumes from its last periodic checkpoint) and
 * resumed ends with the same networks, optimizer state, counters, metrics rows (all but the
 * wall-clock steps/s), best network and evaluation as the same run never interrupted.
 */
class ExactResumeTest {
    /** Thrown by a watched environment: the process dies there, nothing more is saved. */
    static final class Crash extends RuntimeException {
        Crash() { super("crash"); }
    }

    /** CartPole's default recipe, short; periodic evaluations (so best.safetensors changes after checkpoints) and checkpoints. */
    static DqnConfig cartpole(long totalSteps) {
        DqnConfig c = Presets.get("cartpole", "default").config();
        c.totalSteps = totalSteps;
        c.learningStarts = 500;
        c.checkpointEvery = 1000;
        c.evalEvery = 700;
        c.evalEpisodes = 2;
        c.stopWhenSolved = false;
        c.gif = false;
        return c;
    }

    static DqnConfig frozenlake(long totalSteps) {
        DqnConfig c = Presets.get("frozenlake", "default").config();
        c.slippery = true;
        c.totalSteps = totalSteps;
        c.learningStarts = Math.min(c.learningStarts, 300);
        c.checkpointEvery = 1000;
        c.evalEvery = 900;
        c.evalEpisodes = 5;
        c.stopWhenSolved = false;
        c.gif = false;
        return c;
    }

    /** Environments that call {@code before} with the count of steps (all of them together) before each step they take. */
    static UnaryOperator<Env> onStep(java.util.function.LongConsumer before) {
        AtomicLong steps = new AtomicLong();
        return env -> (Env) Proxy.newProxyInstance(Env.class.getClassLoader(), new Class<?>[] {Env.class}, (proxy, m, args) -> {
            if (m.getName().equals("step")) before.accept(steps.incrementAndGet());
            try {
                return m.invoke(env, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** Environments that crash the run once {@code after} steps (all of them together) have been taken. */
    static UnaryOperator<Env> crashAfter(long after) {
        return onStep(n -> {
            if (n > after) throw new Crash();
        });
    }

    static DqnTraining.Result run(DqnConfig cfg, Path dir, Backend b, boolean resume, java.util.function.BooleanSupplier stop,
                                  UnaryOperator<Env> watch) throws IOException {
        return DqnTraining.run(cfg, "default", dir, new DqnTrainingTest.Log(), stop, b, resume, watch);
    }

    /**
     * A stop request (as Ctrl-C makes) once the training environments have taken {@code at} steps: the
     * loop sees it at the start of the next round (and an evaluation would, at its next step; none falls there).
     */
    static final class StopAt implements java.util.function.BooleanSupplier {
        final AtomicLong steps = new AtomicLong();
        final long at;

        StopAt(long at) { this.at = at; }

        @Override public boolean getAsBoolean() { return steps.get() >= at; }

        UnaryOperator<Env> counting() { return onStep(steps::set); }
    }

    static DqnTraining.Result runStopped(DqnConfig cfg, Path dir, Backend b, long at) throws IOException {
        StopAt stop = new StopAt(at);
        return run(cfg, dir, b, false, stop, stop.counting());
    }

    @Test
    void cartPoleStoppedAndResumed(@TempDir Path whole, @TempDir Path parts) throws Exception {
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cartpole(3000), whole, cpu, false, () -> false, UnaryOperator.identity());
        DqnTraining.Result stopped = runStopped(cartpole(3000), parts, cpu, 1700);
        assertTrue(stopped.interrupted());
        assertEquals(1700, stopped.steps());
        DqnTraining.Result b = run(cartpole(3000), parts, cpu, true, () -> false, UnaryOperator.identity());
        sameRun(whole, parts, a, b);
    }

    /** Ctrl-C during the periodic evaluation of step 1400: the run saves at 1400 and gives the evaluation up; the resume runs it first. */
    @Test
    void cartPoleStoppedInsideAnEvaluation(@TempDir Path whole, @TempDir Path parts) throws Exception {
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cartpole(3000), whole, cpu, false, () -> false, UnaryOperator.identity());
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        StopAt stop = new StopAt(1400);
        DqnTraining.Result stopped = DqnTraining.run(cartpole(3000), "default", parts, log, stop, cpu, false, stop.counting());
        assertTrue(stopped.interrupted());
        assertEquals(1400, stopped.steps());
        assertTrue(log.lines.contains("step 1400: evaluation stopped (stop requested)"), log.lines.toString());
        log = new DqnTrainingTest.Log();
        DqnTraining.Result b = DqnTraining.run(cartpole(3000), "default", parts, log, () -> false, cpu, true, UnaryOperator.identity());
        assertTrue(log.lines.get(1).startsWith("step 1400: greedy evaluation"), "the given-up evaluation runs first: " + log.lines);
        sameRun(whole, parts, a, b);
    }

    @Test
    void cartPoleCrashedAndResumedFromItsPeriodicCheckpoint(@TempDir Path whole, @TempDir Path parts) throws Exception {
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cartpole(3000), whole, cpu, false, () -> false, UnaryOperator.identity());
        assertThrows(Crash.class, () -> run(cartpole(3000), parts, cpu, false, () -> false, crashAfter(2400)));
        assertEquals("step-2000", Files.readString(parts.resolve("checkpoint")).strip());
        // The crashed run logged and evaluated past its checkpoint (best.safetensors of step 2100): all of it is redone.
        assertEquals("2100", SafeTensors.read(parts.resolve("best.safetensors")).metadata().get("step"));
        DqnTraining.Result b = run(cartpole(3000), parts, cpu, true, () -> false, UnaryOperator.identity());
        sameRun(whole, parts, a, b);
    }

    /** Prioritized replay: the priorities, the largest seen and beta's schedule continue too; on the CPU and in OpenCL (TD errors read back). */
    @Test
    void prioritizedReplayCrashedAndResumed(@TempDir Path whole, @TempDir Path parts, @TempDir Path wholeCl, @TempDir Path partsCl) throws Exception {
        DqnConfig cfg = cartpole(2500);
        cfg.per = true;
        crashedOnTheCpuStoppedInOpenCl(cfg, whole, parts, wholeCl, partsCl);
    }

    /** {@code cfg} crashed at step 1800 on the CPU and stopped at 1300 in OpenCL, each resumed and compared with its whole run. */
    static void crashedOnTheCpuStoppedInOpenCl(DqnConfig cfg, Path whole, Path parts, Path wholeCl, Path partsCl) throws Exception {
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cfg, whole, cpu, false, () -> false, UnaryOperator.identity());
        assertThrows(Crash.class, () -> run(cfg, parts, cpu, false, () -> false, crashAfter(1800)));
        sameRun(whole, parts, a, run(cfg, parts, cpu, true, () -> false, UnaryOperator.identity()));
        Backend cl = OpenClSupport.backend();
        DqnTraining.Result c = run(cfg, wholeCl, cl, false, () -> false, UnaryOperator.identity());
        runStopped(cfg, partsCl, cl, 1300);
        sameRun(wholeCl, partsCl, c, run(cfg, partsCl, cl, true, () -> false, UnaryOperator.identity()));
    }

    /**
     * Rainbow: C51 with prioritized replay (the per-sample cross-entropies as priorities), 3-step returns
     * (the open n-step window in the checkpoint), dueling streams and noisy layers: crashed on the CPU,
     * stopped in OpenCL.
     */
    @Test
    void rainbowCrashedAndResumed(@TempDir Path whole, @TempDir Path parts, @TempDir Path wholeCl, @TempDir Path partsCl)
            throws Exception {
        DqnConfig cfg = cartpole(2500);
        cfg.per = true;
        cfg.distributional = true;
        cfg.atoms = 21;
        cfg.vMin = 0;
        cfg.vMax = 100;
        cfg.nStep = 3;
        cfg.dueling = true;
        cfg.duelingStreams = true;
        cfg.noisy = true;
        crashedOnTheCpuStoppedInOpenCl(cfg, whole, parts, wholeCl, partsCl);
    }

    /**
     * Issue 21, --noisy: the noise generator's state is in the counters; stopped (Ctrl-C) and crashed
     * (from the periodic checkpoint), on the CPU; on OpenCL stopped, with two environments and a dueling head.
     */
    @Test
    void noisyStoppedAndCrashed(@TempDir Path whole, @TempDir Path stopped, @TempDir Path crashed, @TempDir Path wholeCl, @TempDir Path partsCl)
            throws Exception {
        DqnConfig cfg = cartpole(2500);
        cfg.noisy = true;
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cfg, whole, cpu, false, () -> false, UnaryOperator.identity());
        runStopped(cfg, stopped, cpu, 1700);
        sameRun(whole, stopped, a, run(cfg, stopped, cpu, true, () -> false, UnaryOperator.identity()));
        assertThrows(Crash.class, () -> run(cfg, crashed, cpu, false, () -> false, crashAfter(2200)));
        assertEquals("step-2000", Files.readString(crashed.resolve("checkpoint")).strip());
        sameRun(whole, crashed, a, run(cfg, crashed, cpu, true, () -> false, UnaryOperator.identity()));

        DqnConfig two = cartpole(2400);
        two.noisy = true;
        two.dueling = true;
        two.envs = 2;
        Backend cl = OpenClSupport.backend();
        DqnTraining.Result c = run(two, wholeCl, cl, false, () -> false, UnaryOperator.identity());
        runStopped(two, partsCl, cl, 1300);
        sameRun(wholeCl, partsCl, c, run(two, partsCl, cl, true, () -> false, UnaryOperator.identity()));
    }

    @Test
    void frozenLakeCrashedAndResumed(@TempDir Path whole, @TempDir Path parts) throws Exception {
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(frozenlake(2500), whole, cpu, false, () -> false, UnaryOperator.identity());
        assertThrows(Crash.class, () -> run(frozenlake(2500), parts, cpu, false, () -> false, crashAfter(1500)));
        DqnTraining.Result b = run(frozenlake(2500), parts, cpu, true, () -> false, UnaryOperator.identity());
        sameRun(whole, parts, a, b);
    }

    /**
     * OpenCL, two environments: the loop's reordered rounds (updates queued ahead of the environment
     * steps) and a checkpoint every 999 steps: step 999 falls inside a round (saved at its end, 1000).
     */
    @Test
    void openClTwoEnvironmentsStoppedAndCrashed(@TempDir Path whole, @TempDir Path stoppedDir, @TempDir Path crashedDir) throws Exception {
        Backend cl = OpenClSupport.backend();
        DqnConfig cfg = cartpole(2400);
        cfg.envs = 2;
        cfg.checkpointEvery = 999;
        DqnTraining.Result a = run(cfg, whole, cl, false, () -> false, UnaryOperator.identity());
        runStopped(cfg, stoppedDir, cl, 1300);
        sameRun(whole, stoppedDir, a, run(cfg, stoppedDir, cl, true, () -> false, UnaryOperator.identity()));
        assertThrows(Crash.class, () -> run(cfg, crashedDir, cl, false, () -> false, crashAfter(2100)));
        assertEquals("step-1998", Files.readString(crashedDir.resolve("checkpoint")).strip(), "999 fell inside the round ending at 1000; 1998 ends one");
        assertTrue(Files.isDirectory(crashedDir.resolve("checkpoints/step-1998")));
        sameRun(whole, crashedDir, a, run(cfg, crashedDir, cl, true, () -> false, UnaryOperator.identity()));
    }

    /** Pong with --save-replay and prioritized replay (the pixel replay's priorities, with 3-step windows): crashed and resumed. */
    @Test
    void pongPrioritizedCrashed(@TempDir Path whole, @TempDir Path crashedDir) throws Exception {
        DqnConfig cfg = pong();
        cfg.per = true;
        crashedAt330AndResumed(cfg, whole, crashedDir);
    }

    /** A 400-step Pong run of {@code cfg} crashed at step 330 (after its step-200 checkpoint) and resumed, on the CPU. */
    static void crashedAt330AndResumed(DqnConfig cfg, Path whole, Path crashedDir) throws Exception {
        cfg.totalSteps = 400;
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cfg, whole, cpu, false, () -> false, UnaryOperator.identity());
        assertThrows(Crash.class, () -> run(cfg, crashedDir, cpu, false, () -> false, crashAfter(330)));
        assertEquals("step-200", Files.readString(crashedDir.resolve("checkpoint")).strip());
        sameRun(whole, crashedDir, a, run(cfg, crashedDir, cpu, true, () -> false, UnaryOperator.identity()));
    }

    /** Pong with --save-replay and --noisy (the Nature CNN's noisy fc.0 and fc.2, two environments, 3-step windows): crashed and resumed. */
    @Test
    void pongNoisyCrashed(@TempDir Path whole, @TempDir Path crashedDir) throws Exception {
        DqnConfig cfg = pong();
        cfg.noisy = true;
        crashedAt330AndResumed(cfg, whole, crashedDir);
    }

    static DqnConfig pong() {
        DqnConfig cfg = Presets.get("pong", "default").config();
        cfg.rom = org.dqnscratch.env.atari.AtariSupport.pongRom().toString();
        cfg.envs = 2;
        cfg.nStep = 3;
        cfg.bufferSize = 600;
        cfg.batchSize = 8;
        cfg.learningStarts = 100;
        cfg.trainFreq = 4;
        cfg.maxEpisodeFrames = 1200;
        cfg.totalSteps = 500;
        cfg.checkpointEvery = 200;
        cfg.saveReplay = true;
        cfg.evalEvery = 0;
        cfg.evalEpisodes = 1;
        cfg.stopWhenSolved = false;
        cfg.gif = false;
        return cfg;
    }

    /**
     * Pong with --save-replay: two environments, 3-step returns, short episodes (a time limit of
     * 1200 emulator frames puts episode ends and their no-op starts on both sides of the checkpoints).
     */
    @Test
    void pongWithItsReplayStoppedAndCrashed(@TempDir Path whole, @TempDir Path stoppedDir, @TempDir Path crashedDir) throws Exception {
        DqnConfig cfg = pong();
        Backend cpu = new CpuBackend();
        DqnTraining.Result a = run(cfg, whole, cpu, false, () -> false, UnaryOperator.identity());
        runStopped(cfg, stoppedDir, cpu, 300);
        sameRun(whole, stoppedDir, a, run(cfg, stoppedDir, cpu, true, () -> false, UnaryOperator.identity()));
        assertThrows(Crash.class, () -> run(cfg, crashedDir, cpu, false, () -> false, crashAfter(450)));
        assertEquals("step-400", Files.readString(crashedDir.resolve("checkpoint")).strip());
        sameRun(whole, crashedDir, a, run(cfg, crashedDir, cpu, true, () -> false, UnaryOperator.identity()));
    }

    /** The two run directories hold the same run: networks, optimizer, counters, metrics, best network; and the same results. */
    static void sameRun(Path whole, Path parts, DqnTraining.Result a, DqnTraining.Result b) throws IOException {
        assertEquals(a.steps(), b.steps());
        assertEquals(a.episodes(), b.episodes());
        sameTensors(whole.resolve("last.safetensors"), parts.resolve("last.safetensors"));
        sameTensors(whole.resolve("best.safetensors"), parts.resolve("best.safetensors"));
        assertEquals(SafeTensors.read(whole.resolve("best.safetensors")).metadata(), SafeTensors.read(parts.resolve("best.safetensors")).metadata());
        Path sa = current(whole).resolve("state.safetensors"), sb = current(parts).resolve("state.safetensors");
        sameTensors(sa, sb); // target network, optimizer moments
        assertEquals(SafeTensors.read(sa).metadata(), SafeTensors.read(sb).metadata(), "counters, generator states, loss");
        List<double[]> ra = MetricsCsv.read(whole.resolve("metrics.csv"), Double.MAX_VALUE, w -> {}, DqnTraining.COLUMNS);
        List<double[]> rb = MetricsCsv.read(parts.resolve("metrics.csv"), Double.MAX_VALUE, w -> {}, DqnTraining.COLUMNS);
        assertEquals(ra.size(), rb.size(), "metrics rows");
        int sps = java.util.Arrays.asList(DqnTraining.COLUMNS).indexOf("charts/SPS"); // wall-clock steps/s: the one column that may differ
        for (int i = 0; i < ra.size(); i++) {
            double[] x = ra.get(i).clone(), y = rb.get(i).clone();
            x[sps] = y[sps] = 0;
            assertArrayEquals(x, y, "metrics row " + i);
        }
        assertEquals(a.bestStep(), b.bestStep());
        assertArrayEquals(a.lastEvaluation().returns(), b.lastEvaluation().returns());
        assertArrayEquals(a.evaluation().returns(), b.evaluation().returns());
    }

    static Path current(Path run) throws IOException {
        return run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoint")).strip());
    }

    static void sameTensors(Path x, Path y) throws IOException {
        Map<String, SafeTensors.Entry> a = SafeTensors.read(x).tensors(), b = SafeTensors.read(y).tensors();
        assertEquals(a.keySet(), b.keySet(), x.getFileName().toString());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), x.getFileName() + ": " + k);
    }
}
