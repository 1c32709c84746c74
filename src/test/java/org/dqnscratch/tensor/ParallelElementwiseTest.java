package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adam over a Nature-CNN-sized buffer runs on all workers; every element is independent, so any split gives the same bits. */
class ParallelAdamTest {
    @Test
    void sameBitsOnOneThreadAndOnThree() {
        int n = 1_687_206, before = WorkerPool.shared().threads();
        float[][] one = steps(n, 1), three = steps(n, 3);
        WorkerPool.configure(before);
        for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], three[k], "buffer " + k);
    }

    /** Three Adam steps from the same start; returns parameters and both moments. */
    private static float[][] steps(int n, int threads) {
        WorkerPool.configure(threads);
        CpuBackend b = new CpuBackend();
        SplittableRandom r = new SplittableRandom(5);
        Tensor p = b.zeros(n), g = b.zeros(n), m = b.zeros(n), v = b.zeros(n);
        float[] pv = CpuBackend.data(p), gv = CpuBackend.data(g);
        for (int i = 0; i < n; i++) pv[i] = (float) r.nextDouble(-1, 1);
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < n; i++) gv[i] = (float) r.nextDouble(-1, 1);
            double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.999, t);
            b.adam_step(p, g, m, v, (float) (1e-3 / bc1), (float) Math.sqrt(bc2), 0.9f, 0.999f, 1e-8f, n);
        }
        return new float[][] {b.toArray(p), b.toArray(m), b.toArray(v)};
    }
}
