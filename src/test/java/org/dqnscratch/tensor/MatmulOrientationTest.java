package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A layer's forward pass gives the same floats whichever way round the backend multiplies
 * (inp . W^T, or W . inp^T transposed back for a batch smaller than the layer): the choice is
 * speed only, never a different trajectory.
 */
class MatmulOrientationTest {
    @Property(tries = 60)
    void bothOrientationsGiveTheSameBits(@ForAll @IntRange(min = 1, max = 40) int N, @ForAll @IntRange(min = 1, max = 700) int C,
                                         @ForAll @IntRange(min = 1, max = 130) int OC, @ForAll boolean withBias, @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = GemmProperties.random(r, N * C), w = GemmProperties.random(r, OC * C), b = GemmProperties.random(r, OC);
        CpuBackend backend = new CpuBackend();
        Tensor out = backend.zeros(N, OC);
        backend.matmul_forward(out, backend.fromArray(x, N, C), backend.fromArray(w, OC, C), withBias ? backend.fromArray(b, OC) : null, N, C, OC);
        float[] expected = new float[N * OC];
        if (withBias) for (int n = 0; n < N; n++) System.arraycopy(b, 0, expected, n * OC, OC);
        Gemm.gemm(false, true, N, OC, C, x, 0, C, w, 0, C, expected, 0, OC, withBias);
        assertArrayEquals(expected, backend.toArray(out), N + "x" + C + " -> " + OC);
    }
}
