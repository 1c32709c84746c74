package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Once C2 has compiled them, the vector micro-kernels allocate nothing: every vector stays a register
 * value. When C2 runs out of its inlining budget inside a kernel (NodeCountInliningCutoff), the vectors
 * that cross the call it did not inline are boxed, and the kernel allocates megabytes per product and
 * runs hundreds of times slower with the same results (the 6 x 4 kernel did, through a store helper,
 * until session 17), which no test of the floats can see.
 */
class MicroKernelAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void sixByTwoVectors() {
        assumeVector();
        assertAllocatesNothing(new VectorMicroKernel());
    }

    @Test
    void sixByFourVectors() {
        assumeVector();
        assertAllocatesNothing(new VectorWideMicroKernel());
    }

    /**
     * The acting batches' dot products (VectorDots, through GemmDots) too: a 128-bit version of them, beside the
     * micro-kernel's wider vectors, had every multiply-add's result boxed (two vector classes behind one call site).
     */
    @Test
    void actingBatchDots() {
        assumeVector();
        java.util.Random r = new java.util.Random(3);
        int M = 4, N = 20, K = 300;
        float[] x = GemmProperties.random(r, M * K), w = GemmProperties.random(r, N * K), c = new float[M * N];
        assertAllocatesNothing("dots", () -> GemmDots.serial(M, N, K, x, 0, K, w, 0, K, c, 0, N, false, false));
    }

    /**
     * A network's convolutions through both tiles in one JVM (on AVX-512 a 32-channel layer takes the 6 x 2 tile and a
     * 64-channel one the 6 x 4: two kernels behind DirectConv's call sites), forward and backward.
     */
    @Test
    void convolutionsOnBothTiles() {
        assumeVector();
        CpuBackend be = new CpuBackend();
        CpuConv conv = new CpuConv();
        java.util.Random r = new java.util.Random(4);
        ConvGeometry narrow = new ConvGeometry(1, 2, 8, 8, 32, 3, 3, 1, 0), wide = new ConvGeometry(1, 32, 6, 6, 64, 3, 3, 1, 0);
        Tensor[][] t = new Tensor[2][];
        ConvGeometry[] gs = {narrow, wide};
        for (int i = 0; i < 2; i++) {
            ConvGeometry g = gs[i];
            t[i] = new Tensor[] {
                be.fromArray(GemmProperties.random(r, g.C() * g.H() * g.W()), 1, g.C(), g.H(), g.W()),
                be.fromArray(GemmProperties.random(r, g.OC() * g.patch()), g.OC(), g.C(), g.KH(), g.KW()),
                be.fromArray(GemmProperties.random(r, g.OC()), g.OC()),
                be.zeros(1, g.OC(), g.OH(), g.OW()),
                be.fromArray(GemmProperties.random(r, g.OC() * g.OH() * g.OW()), 1, g.OC(), g.OH(), g.OW()),
                be.zeros(1, g.C(), g.H(), g.W()), be.zeros(g.OC(), g.C(), g.KH(), g.KW()), be.zeros(g.OC())};
        }
        assertAllocatesNothing("convolutions", () -> {
            for (int i = 0; i < 2; i++) {
                Tensor[] u = t[i];
                conv.forward(u[3], u[0], u[1], u[2], gs[i], true);
                conv.backward(u[5], u[6], u[7], u[4], u[0], u[1], gs[i]);
            }
        });
    }

    private static void assumeVector() {
        assumeTrue(VectorSupport.available(), "no Vector API in this JVM");
    }

    /** Bytes per call of tile (packed A, and a row-major A read where it lies) and imageTile, in the cleanest of several windows after warm-up. */
    private static void assertAllocatesNothing(MicroKernel k) {
        int kc = 64, MR = k.mr(), NR = k.nr();
        float[] a = GemmProperties.random(new java.util.Random(1), kc * MR * 4), b = GemmProperties.random(new java.util.Random(2), kc * NR * 2);
        float[] out = new float[MicroKernel.MAX_TILE];
        int[] base = new int[MR], koff = new int[kc];
        for (int r = 0; r < MR; r++) base[r] = r;
        for (int q = 0; q < kc; q++) koff[q] = q * MR;
        assertAllocatesNothing(k.name(), () -> {
            k.tile(kc, a, 0, b, 0, out);
            k.tile(kc, a, 0, kc, b, 0, NR, out);
            k.imageTile(kc, a, base, koff, 0, b, 0, out);
        });
    }

    /** Bytes per call of round, in the cleanest of several windows after warm-up: under 64. */
    private static void assertAllocatesNothing(String name, Runnable round) {
        double fewest = Double.MAX_VALUE;
        for (int window = 0; window < 40 && fewest >= 64; window++) {
            int calls = window < 10 ? 5_000 : 500; // the first windows are the warm-up
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) round.run();
            fewest = Math.min(fewest, (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) calls);
        }
        assertTrue(fewest < 64, name + ": " + fewest + " bytes allocated per round of calls");
    }
}
