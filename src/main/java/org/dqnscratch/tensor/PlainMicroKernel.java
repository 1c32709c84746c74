package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The micro-kernel for JVMs without the Vector API: a 4 x 16 tile kept in the output array,
 * one k at a time. The inner loop over 16 contiguous columns with four independent rows is
 * the shape C2's auto-vectoriser turns into SIMD loads, multiplies and adds.
 */
final class PlainMicroKernel implements MicroKernel {
    static final PlainMicroKernel INSTANCE = new PlainMicroKernel();
    static final int MR = 4, NR = 16;

    @Override public String name() { return "plain-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }

    @Override
    public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) {
        Arrays.fill(out, 0, MR * NR, 0f);
        for (int k = 0; k < kc; k++) {
            int ak = aIdx + k * MR, bk = bIdx + k * NR;
            float a0 = a[ak], a1 = a[ak + 1], a2 = a[ak + 2], a3 = a[ak + 3];
            for (int c = 0; c < NR; c++) {
                float bv = b[bk + c];
                out[c] += a0 * bv;
                out[NR + c] += a1 * bv;
                out[2 * NR + c] += a2 * bv;
                out[3 * NR + c] += a3 * bv;
            }
        }
    }
}
