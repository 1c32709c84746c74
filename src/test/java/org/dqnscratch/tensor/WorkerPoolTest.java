package org.dqnscratch.tensor;

import static org.dqnscratch.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The pool's contract: every part of a job runs exactly once, and {@code run} returns only after
 * all of them. Stressed with more threads than the machine has cores and with part counts that
 * alternate between jobs, so that a worker left out of one job is part of the next.
 */
class WorkerPoolTest {
    /** More threads than cores on any machine, so that workers get preempted anywhere. */
    private static final int THREADS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

    /** Counts its runs per part in a slice of a shared array; spins a little to widen races. */
    private record Counting(AtomicIntegerArray runs, int base, int spin) implements WorkerPool.Job {
        @Override public void run(int part) {
            runs.incrementAndGet(base + part);
            for (int i = 0; i < spin; i++) Thread.onSpinWait();
        }
    }

    @Test
    void everyPartRunsExactlyOncePerJob() throws Exception {
        stress(10_000);
    }

    /**
     * The failure this pool once had needs a worker to be preempted right after it reads which job
     * is on: too rare to meet by chance within a test's time, so the pause is put there on purpose.
     */
    @Test
    void everyPartRunsExactlyOnceWhenWorkersPauseAfterReadingTheJob() throws Exception {
        WorkerPool.afterTicketRead = () -> {
            if (ThreadLocalRandom.current().nextInt(4) == 0) LockSupport.parkNanos(100_000);
        };
        try {
            stress(3_000);
        } finally {
            WorkerPool.afterTicketRead = null;
        }
    }

    /** {@code jobs} jobs on a pool of {@link #THREADS}, parts alternating between few and many. */
    private static void stress(int jobs) throws InterruptedException {
        WorkerPool pool = new WorkerPool(THREADS);
        try {
            AtomicIntegerArray runs = new AtomicIntegerArray(jobs * THREADS);
            int[] parts = new int[jobs];
            Random r = new Random(1);
            for (int k = 0; k < jobs; k++) {
                // few parts, then many: the workers idle in job k must join job k+1 cleanly
                parts[k] = k % 2 == 0 ? 1 + r.nextInt(3) : THREADS - r.nextInt(3);
                pool.run(new Counting(runs, k * THREADS, r.nextInt(50)), parts[k]);
                // run returned: every part has finished (a part still running would show up below)
                for (int p = 0; p < parts[k]; p++) {
                    if (runs.get(k * THREADS + p) != 1) throw new AssertionError("job " + k + " part " + p + " ran " + runs.get(k * THREADS + p) + " times by return");
                }
            }
            Thread.sleep(50); // a late duplicate run would land now
            for (int k = 0; k < jobs; k++) {
                for (int p = 0; p < THREADS; p++) {
                    assertEquals(p < parts[k] ? 1 : 0, runs.get(k * THREADS + p), "job " + k + " (" + parts[k] + " parts) part " + p);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFailingPartIsRethrownByTheCaller() {
        WorkerPool pool = new WorkerPool(4);
        try {
            var e = assertThrows(IllegalStateException.class, () -> pool.run(part -> {
                if (part == 2) throw new IllegalStateException("part 2");
            }, 4));
            assertEquals("part 2", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            pool.run(new Counting(runs, 0, 0), 4); // the pool still works afterwards
            for (int p = 0; p < 4; p++) assertEquals(1, runs.get(p));
        } finally {
            pool.shutdown();
        }
    }

    /** The parallel GEMM and convolution give the serial results at thread counts above this machine's cores. */
    @Test
    void gemmAndConvMatchTheReferenceAt3And4And8Threads() {
        try {
            for (int threads : new int[] {3, 4, 8}) {
                WorkerPool.configure(threads);
                gemmMatchesNaive(threads);
                // batch 8 at 3 threads: parts of 3, 3 and 2 samples; at 8, one each
                ConvProperties.check(new ConvGeometry(8, 4, 84, 84, 32, 8, 8, 4, 0), threads);
                ConvProperties.check(new ConvGeometry(5, 32, 20, 20, 64, 4, 4, 2, 0), threads);
            }
        } finally {
            WorkerPool.configure(WorkerPool.defaultThreads());
        }
    }

    private static void gemmMatchesNaive(int threads) {
        Random r = new Random(threads);
        // shapes split by columns (N large) and by rows (N small), accumulating (as dW) and not
        int[][] shapes = {{256, 256, 256}, {300, 40, 200}, {32, 3136, 512}, {517, 19, 333}};
        for (int[] s : shapes) {
            int M = s[0], N = s[1], K = s[2];
            for (boolean acc : new boolean[] {false, true}) {
                boolean ta = r.nextBoolean(), tb = r.nextBoolean();
                float[] A = GemmProperties.random(r, M * K), B = GemmProperties.random(r, K * N), C = GemmProperties.random(r, M * N);
                float[] expected = C.clone();
                Gemm.naive(ta, tb, M, N, K, A, 0, ta ? M : K, B, 0, tb ? K : N, expected, 0, N, acc);
                Gemm.gemm(ta, tb, M, N, K, A, 0, ta ? M : K, B, 0, tb ? K : N, C, 0, N, acc);
                assertClose(threads + " threads " + M + "x" + N + "x" + K + " acc=" + acc, expected, C, 1e-4 * Math.sqrt(K), 1e-4);
            }
        }
    }
}
