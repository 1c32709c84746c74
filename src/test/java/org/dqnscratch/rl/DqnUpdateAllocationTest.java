package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Support;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Noise;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.dqnscratch.tensor.WorkerPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A steady-state DQN update allocates nothing on the Java heap (the JMH GC profiler shows the
 * same for the benchmarks; this test keeps it from regressing). Counted after warm-up, over windows of
 * 100 updates until one is clean (see {@link #bytesPerUpdate}), with the allocated-bytes counters of the calling thread and of the worker threads, which run parts of
 * the GEMMs and convolutions (3 threads, so that there are workers on any machine).
 */
class DqnUpdateAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static int threadsBefore;

    @BeforeAll
    static void threeThreads() {
        threadsBefore = WorkerPool.shared().threads();
        WorkerPool.configure(3);
    }

    @AfterAll
    static void threadsAsBefore() { WorkerPool.configure(threadsBefore); }

    /** The pool's worker threads (found once: listing threads allocates). */
    static long[] workerIds() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("dqn-worker-")).mapToLong(Thread::getId).toArray();
    }

    /** Bytes allocated so far by this thread and by {@code workers}. */
    static long allocatedBytes(long[] workers) {
        long sum = THREADS.getCurrentThreadAllocatedBytes();
        for (long id : workers) sum += Math.max(0, THREADS.getThreadAllocatedBytes(id)); // -1 once a thread has ended
        return sum;
    }

    static double bytesPerUpdate(Module online, Module target, int batch, int[] obsShape, int actions, boolean dueling,
                                 java.util.function.Function<Parameters, Optimizer> opt, Loss loss, boolean doubleDqn) {
        return bytesPerUpdate(online, target, batch, obsShape, actions, dueling, opt, loss, doubleDqn, null);
    }

    /** As above; {@code noise}: a noisy pair's noises, redrawn before every step as a --noisy run does (null: none). */
    static double bytesPerUpdate(Module online, Module target, int batch, int[] obsShape, int actions, boolean dueling,
                                 java.util.function.Function<Parameters, Optimizer> opt, Loss loss, boolean doubleDqn, Noise[] noise) {
        Backend b = new CpuBackend();
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 1);
        pt.updateFrom(po, 1f);
        DqnUpdate u = online instanceof Distributional d
                ? DqnUpdate.categorical(d, po, (Distributional) target, pt, opt.apply(po), null, 0.99f, doubleDqn)
                : new DqnUpdate(online, po, target, pt, opt.apply(po), loss, 0.99f, doubleDqn);
        if (noise != null) {
            org.dqnscratch.env.Rng rng = new org.dqnscratch.env.Rng(5);
            u.beforeEachStep(() -> {
                noise[0].resample(b, rng);
                noise[1].resample(b, rng);
            });
        }
        Random r = new Random(1);
        int[] batchShape = new int[obsShape.length + 1];
        batchShape[0] = batch;
        System.arraycopy(obsShape, 0, batchShape, 1, obsShape.length);
        Tensor s = b.zeros(batchShape), sn = b.zeros(batchShape);
        float[] obs = new float[s.size];
        for (int i = 0; i < obs.length; i++) obs[i] = r.nextFloat();
        b.upload(s, obs, 0);
        b.upload(sn, obs, 0);
        float[] acts = new float[batch], rew = new float[batch], terminated = new float[batch];
        for (int i = 0; i < batch; i++) { acts[i] = r.nextInt(actions); rew[i] = 1; terminated[i] = i % 7 == 0 ? 1 : 0; }
        Tensor a = b.fromArray(acts, batch), rw = b.fromArray(rew, batch), d = b.fromArray(terminated, batch);
        float[] errors = new float[batch]; // as prioritized replay reads them
        for (int i = 0; i < 300; i++) u.step(s, a, rw, d, sn, i % 10 == 0, errors);
        long[] workers = workerIds();
        assertTrue(workers.length >= 2, "worker threads: " + workers.length);
        // The fewest bytes of the windows measured in up to SECONDS: a method deoptimized by what earlier tests in this JVM ran (a branch
        // they never took) runs in the interpreter until it is compiled again, and there the Vector API allocates every
        // vector (seen here: 760 KB per MLP update for ~10 s after VectorElementwise.adam was made not entrant). That is
        // not the steady state; an allocation in the code itself shows in every window.
        int n = 100;
        double fewest = Double.POSITIVE_INFINITY;
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        int w = 0;
        for (; fewest >= 64 && (w == 0 || System.nanoTime() < end); w++) {
            long before = allocatedBytes(workers);
            for (int i = 0; i < n; i++) u.step(s, a, rw, d, sn, i % 10 == 0, errors);
            fewest = Math.min(fewest, (allocatedBytes(workers) - before) / (double) n);
        }
        if (w > 1) System.out.println("allocation-free after " + w + " windows of " + n + " updates (" + fewest + " bytes per update)");
        return fewest;
    }

    /** How long windows of 100 updates are measured at most (the first clean one ends the measuring). */
    static final int SECONDS = 30;

    @Test
    void mlpUpdateAllocatesNothing() {
        double perStep = bytesPerUpdate(Networks.mlp(4, new int[] {64, 64}, 2, false), Networks.mlp(4, new int[] {64, 64}, 2, false),
                32, new int[] {4}, 2, false, p -> new Adam(p, 1e-3f).withClip(GradClip.byNorm(10f)), Loss.smoothL1(1f), true);
        assertTrue(perStep < 64, perStep + " bytes allocated per update");
    }

    @Test
    void c51UpdateAllocatesNothing() {
        Support support = new Support(51, -10f, 10f);
        double perStep = bytesPerUpdate(Networks.mlp(4, new int[] {64, 64}, 2, true, support), Networks.mlp(4, new int[] {64, 64}, 2, true, support),
                32, new int[] {4}, 2, false, p -> new Adam(p, 1e-3f).withClip(GradClip.byNorm(10f)), null, true);
        assertTrue(perStep < 64, perStep + " bytes allocated per update");
    }

    @Test
    void duelingCnnUpdateAllocatesNothing() {
        double perStep = bytesPerUpdate(Networks.natureCnn(2, 3, true), Networks.natureCnn(2, 3, true),
                2, new int[] {2, 84, 84}, 3, true, p -> RmsProp.nature(p, 2.5e-4f), Loss.mse(), false);
        assertTrue(perStep < 64, perStep + " bytes allocated per update");
    }

    /** Rainbow's network and update: noisy, dueling streams per atom, C51, per-sample losses read back. */
    @Test
    void rainbowUpdateAllocatesNothing() {
        Noise[] noise = {new Noise(), new Noise()};
        Networks.Head head = new Networks.Head(true, true, new Support(51, -10f, 10f));
        double perStep = bytesPerUpdate(Networks.mlp(4, new int[] {64, 64}, 2, head, noise[0]), Networks.mlp(4, new int[] {64, 64}, 2, head, noise[1]),
                32, new int[] {4}, 2, true, p -> new Adam(p, 1e-3f).withClip(GradClip.byNorm(10f)), null, true, noise);
        assertTrue(perStep < 64, perStep + " bytes allocated per update");
    }

    /** Issue 21: a noisy dueling MLP whose noise is redrawn before every step: the effective weights live in the graphs' arenas. */
    @Test
    void noisyUpdateAllocatesNothing() {
        Noise[] noise = {new Noise(), new Noise()};
        double perStep = bytesPerUpdate(Networks.mlp(4, new int[] {64, 64}, 2, true, noise[0]), Networks.mlp(4, new int[] {64, 64}, 2, true, noise[1]),
                32, new int[] {4}, 2, true, p -> new Adam(p, 1e-3f).withClip(GradClip.byNorm(10f)), Loss.smoothL1(1f), true, noise);
        assertTrue(perStep < 64, perStep + " bytes allocated per update");
    }
}
