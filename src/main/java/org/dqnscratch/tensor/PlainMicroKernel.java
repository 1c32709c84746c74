package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The micro-kernel for JVMs without the Vector API (used where operands come as panels, e.g.
 * the implicit-GEMM convolution): a 4 x 128 tile as four accumulator rows. Each k's 128 B values
 * are first copied into a row of their own, so the inner loop reads and writes arrays indexed
 * from 0, the only shape Java 17's C2 vectorises (see {@link PlainGemm}). 128 columns, not 64: C2
 * unrolls a loop of a known trip count only so far, and the vectors it makes are as wide as the unrolling;
 * on an AVX-512 machine the 64-column loop came out as 4-float vectors and the 128-column one as 8-float
 * ones: convolutions 1.2-1.35x faster, but for conv3's backward, whose 49-pixel rows leave most of a 128-column
 * panel empty (docs/performance.md, "The plain-Java fallback, the update at 256 bits per layer...", session 24).
 */
final class PlainMicroKernel implements MicroKernel {
    static final PlainMicroKernel INSTANCE = new PlainMicroKernel();
    static final int MR = 4, NR = 128;

    /** Per-thread accumulator rows and two B rows. */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[MR + 2][NR]);

    @Override public String name() { return "plain-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }

    @Override
    public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) {
        float[][] r = ROWS.get();
        float[] t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], b0 = r[4], b1 = r[5];
        Arrays.fill(t0, 0f); Arrays.fill(t1, 0f); Arrays.fill(t2, 0f); Arrays.fill(t3, 0f);
        int k = 0, p0 = aIdx, p1 = p0 + kc, p2 = p1 + kc, p3 = p2 + kc; // the panel's rows
        // Two k per pass: each accumulator is loaded and stored once for two products, added
        // in k order as one at a time would.
        for (; k + 2 <= kc; k += 2) {
            float a00 = a[p0 + k], a01 = a[p1 + k], a02 = a[p2 + k], a03 = a[p3 + k];
            float a10 = a[p0 + k + 1], a11 = a[p1 + k + 1], a12 = a[p2 + k + 1], a13 = a[p3 + k + 1];
            System.arraycopy(b, bIdx + k * NR, b0, 0, NR);
            System.arraycopy(b, bIdx + (k + 1) * NR, b1, 0, NR);
            for (int c = 0; c < NR; c++) {
                float v0 = b0[c], v1 = b1[c];
                t0[c] = t0[c] + a00 * v0 + a10 * v1;
                t1[c] = t1[c] + a01 * v0 + a11 * v1;
                t2[c] = t2[c] + a02 * v0 + a12 * v1;
                t3[c] = t3[c] + a03 * v0 + a13 * v1;
            }
        }
        for (; k < kc; k++) {
            float a0 = a[p0 + k], a1 = a[p1 + k], a2 = a[p2 + k], a3 = a[p3 + k];
            System.arraycopy(b, bIdx + k * NR, b0, 0, NR);
            for (int c = 0; c < NR; c++) {
                float v = b0[c];
                t0[c] += a0 * v;
                t1[c] += a1 * v;
                t2[c] += a2 * v;
                t3[c] += a3 * v;
            }
        }
        System.arraycopy(t0, 0, out, 0, NR);
        System.arraycopy(t1, 0, out, NR, NR);
        System.arraycopy(t2, 0, out, 2 * NR, NR);
        System.arraycopy(t3, 0, out, 3 * NR, NR);
    }
}
