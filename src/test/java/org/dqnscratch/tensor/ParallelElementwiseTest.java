package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The element-wise loops over Nature-CNN-sized buffers run on all workers; every element is
 * independent (and sum_squares adds fixed blocks in order), so one thread and three give the
 * same bits. A plain sequential loop is the reference for the sum of squares.
 */
class ParallelElementwiseTest {
    static final int N = 1_687_206;

    @Test
    void sameBitsOnOneThreadAndOnThree() {
        int before = WorkerPool.shared().threads();
        float[][] one = run(1), three = run(3);
        WorkerPool.configure(before);
        assertEquals(one.length, three.length);
        for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], three[k], "buffer " + k);
    }

    @Test
    void sumOfSquaresMatchesASequentialDoubleSum() {
        CpuBackend b = new CpuBackend();
        float[] x = random(new SplittableRandom(3), N);
        double ref = 0;
        for (float v : x) ref += (double) v * v;
        Tensor out = b.zeros(1);
        b.sum_squares(out, b.fromArray(x, N), N);
        assertEquals((float) ref, b.toArray(out)[0], Math.ulp((float) ref) * 2);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    /** Three Adam and three RMSprop steps, ReLU forward and backward, a scale and a sum of squares. */
    private static float[][] run(int threads) {
        WorkerPool.configure(threads);
        CpuBackend b = new CpuBackend();
        SplittableRandom r = new SplittableRandom(5);
        Tensor p = b.fromArray(random(r, N), N), g = b.zeros(N), m = b.zeros(N), v = b.zeros(N);
        Tensor q = b.fromArray(random(r, N), N), sq = b.zeros(N), gavg = b.zeros(N), mom = b.zeros(N);
        float[] gv = CpuBackend.data(g);
        for (int t = 1; t <= 3; t++) {
            System.arraycopy(random(r, N), 0, gv, 0, N);
            double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.999, t);
            b.adam_step(p, g, m, v, (float) (1e-3 / bc1), (float) Math.sqrt(bc2), 0.9f, 0.999f, 1e-8f, N);
            b.rmsprop_step(q, g, sq, gavg, mom, 1e-3f, 0.95f, 0.01f, 0.9f, true, false, N);
        }
        Tensor y = b.zeros(N), dx = b.fromArray(random(r, N), N), s = b.zeros(N), ss = b.zeros(1);
        b.relu_forward(y, g, N);
        b.relu_backward(dx, p, y, N);
        b.scale_forward(s, q, 1f / 255, N);
        b.sum_squares(ss, p, N);
        return new float[][] {b.toArray(p), b.toArray(m), b.toArray(v), b.toArray(q), b.toArray(sq), b.toArray(gavg),
                b.toArray(mom), b.toArray(y), b.toArray(dx), b.toArray(s), b.toArray(ss)};
    }
}
