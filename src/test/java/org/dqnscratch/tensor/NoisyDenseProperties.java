package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The CPU's noisy_matmul_forward for a few rows (acting: NoisyDense, the weights made a tile at a time
 * and never stored) gives the bits of what it replaces, noisy_weights_forward of the weights and the bias
 * then matmul_forward (matmul_relu_forward), for any shape and offsets, on one thread or split across the pool.
 */
class NoisyDenseProperties {
    @Property(tries = 200)
    void fewRowsGiveTheBitsOfStoredWeights(@ForAll @IntRange(min = 1, max = 8) int N, @ForAll @IntRange(min = 1, max = 600) int C,
                                           @ForAll @IntRange(min = 1, max = 40) int OC, @ForAll boolean relu,
                                           @ForAll @IntRange(min = 0, max = 5) int pad, @ForAll long seed) {
        check(N, C, OC, relu, pad, seed);
    }

    /** The Nature CNN's noisy fc1 stream acting on 1 and 4 observations: big enough to split across the pool. */
    @Test
    void natureStreamsSplitAcrossThePoolGiveTheSameBits() {
        int before = WorkerPool.shared().threads();
        WorkerPool.configure(3);
        try {
            for (int N : new int[] {1, 4}) {
                assertTrue((long) N * 512 * 3136 >= Gemm.PARALLEL_MIN_WORK);
                check(N, 3136, 512, true, 1, 7 + N);
                check(N, 512, 306, false, 0, 11 + N);
            }
        } finally {
            WorkerPool.configure(before);
        }
    }

    private static void check(int N, int C, int OC, boolean relu, int pad, long seed) {
        CpuBackend b = new CpuBackend();
        Random r = new Random(seed);
        Tensor x = at(b, r, pad, N, C), mu = at(b, r, pad, OC, C), sigma = at(b, r, pad, OC, C), bMu = at(b, r, pad, OC),
                bSigma = at(b, r, pad, OC), epsIn = at(b, r, pad, C), epsOut = at(b, r, pad, OC);
        Tensor w = at(b, r, pad, OC, C), bias = at(b, r, pad, OC), y = at(b, r, pad, N, OC);
        Tensor wWant = at(b, r, pad, OC, C), biasWant = at(b, r, pad, OC), yWant = at(b, r, pad, N, OC);
        b.noisy_weights_forward(wWant, mu, sigma, epsIn, epsOut, OC, C);
        b.noisy_weights_forward(biasWant, bMu, bSigma, null, epsOut, OC, 1);
        if (relu) b.matmul_relu_forward(yWant, x, wWant, biasWant, N, C, OC);
        else b.matmul_forward(yWant, x, wWant, biasWant, N, C, OC);
        b.noisy_matmul_forward(y, x, w, bias, mu, sigma, bMu, bSigma, epsIn, epsOut, N, C, OC, relu);
        String what = N + "x" + C + " -> " + OC + (relu ? " relu" : "");
        assertArrayEquals(b.toArray(yWant), b.toArray(y), what);
        assertArrayEquals(b.toArray(biasWant), b.toArray(bias), what + ": the bias");
    }

    /** A random tensor of this shape at offset {@code pad} of its storage. */
    private static Tensor at(CpuBackend b, Random r, int pad, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] a = new float[pad + n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        Tensor all = b.fromArray(a, pad + n);
        return new Tensor(all.storage, pad, shape);
    }
}
