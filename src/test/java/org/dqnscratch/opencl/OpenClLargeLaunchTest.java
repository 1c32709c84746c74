package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Launches at real sizes: 1D kernels over the Nature CNN's 1,687,206 parameters and over a prime
 * count run in whole work-groups past n (each kernel checks its index), and the gradient-norm
 * reduction over 1.7M values, against the CPU.
 */
class OpenClLargeLaunchTest {
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    @Test
    void polyakAndSumOfSquaresAtNatureCnnSize() {
        OpenClBackend gpu = OpenClSupport.backend();
        Backend cpu = new CpuBackend();
        for (int n : new int[] {1_687_206, 1_000_003}) {
            float[] a = random(n, 1), b = random(n, 2);
            float[] onCpu = run(cpu, a, b, n), onDevice = run(gpu, a, b, n);
            for (int i = 0; i < n; i++) assertEquals(onCpu[i], onDevice[i], 1e-6f, "n " + n + " element " + i);
            assertEquals(onCpu[n], onDevice[n], 1e-4 * onCpu[n], "sum of squares over " + n);
        }
    }

    /** polyak(a, b, 0.3) then the sum of squares of the result; returns [result..., sum]. */
    private static float[] run(Backend be, float[] a, float[] b, int n) {
        Tensor ta = be.zeros(n), tb = be.zeros(n), s = be.zeros(1);
        be.upload(ta, a, 0);
        be.upload(tb, b, 0);
        be.polyak(ta, tb, 0.3f, n);
        be.sum_squares(s, ta, n);
        float[] out = java.util.Arrays.copyOf(be.toArray(ta), n + 1);
        out[n] = be.toArray(s)[0];
        return out;
    }
}
