package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The micro-kernel for JVMs without the Vector API (used where operands come as panels, e.g.
 * the implicit-GEMM convolution): a 4 x 64 tile as four accumulator rows. Each k's 64 B values
 * are first copied into a row of their own, so the inner loop reads and writes arrays indexed
 * from 0, the only shape Java 17's C2 vectorises (see {@link PlainGemm}).
 */
final class PlainMicroKernel implements MicroKernel {
    static final PlainMicroKernel INSTANCE = new PlainMicroKernel();
    static final int MR = 4, NR = 64;

    /** Per-thread accumulator rows and B row. */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[MR + 1][NR]);

    @Override public String name() { return "plain-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }

    @Override
    public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) {
        float[][] r = ROWS.get();
        float[] t0 = r[0], t1 = r[1], t2 = r[2], t3 = r[3], bk = r[4];
        Arrays.fill(t0, 0f); Arrays.fill(t1, 0f); Arrays.fill(t2, 0f); Arrays.fill(t3, 0f);
        for (int k = 0; k < kc; k++) {
            int ak = aIdx + k * MR;
            float a0 = a[ak], a1 = a[ak + 1], a2 = a[ak + 2], a3 = a[ak + 3];
            System.arraycopy(b, bIdx + k * NR, bk, 0, NR);
            for (int c = 0; c < NR; c++) {
                float bv = bk[c];
                t0[c] += a0 * bv;
                t1[c] += a1 * bv;
                t2[c] += a2 * bv;
                t3[c] += a3 * bv;
            }
        }
        System.arraycopy(t0, 0, out, 0, NR);
        System.arraycopy(t1, 0, out, NR, NR);
        System.arraycopy(t2, 0, out, 2 * NR, NR);
        System.arraycopy(t3, 0, out, 3 * NR, NR);
    }
}
