package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorMicroKernel}'s 6 rows with 4 vectors per row instead of 2: 24 accumulators, four B
 * vectors and one broadcast A value, 29 of 32 vector registers (AVX-512's, also at 128 bits, and
 * NEON's). Each broadcast A value feeds 4 multiply-adds instead of 2, and 24 independent chains hide
 * the multiply-add's latency where 12 cannot keep four 128-bit pipes busy. On 16 registers (AVX2) some
 * accumulators spill: 1.2-1.4x slower than 6 x 2 on Zen 1 at 256 bits, no faster at 128
 * (docs/performance.md), so {@link VectorKernels} picks it only for 32 registers. Every element's chain is
 * the one the 6 x 2 kernel computes (the same multiply-adds in k order from zero), so the two shapes give
 * the same bits.
 *
 * <p>The 24 stores are written out, not put in a helper as {@link VectorMicroKernel} does: this method is
 * big enough that C2 reached its node budget (NodeCountInliningCutoff) before inlining the last helper
 * calls, and boxed every vector that crossed them (68-96 MB allocated per 256^3 product, 400x slower);
 * {@code intoArray} itself is always inlined. MicroKernelAllocationTest guards it.
 */
final class VectorWideMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MR = 6, NR = 4 * VL;

    @Override public String name() { return "vector-" + S.vectorBitSize() + "-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }
    @Override public boolean readsUnpacked() { return true; }

    @Override public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) { tile(kc, a, aIdx, kc, b, bIdx, NR, out); }

    @Override
    public void tile(int kc, float[] a, int aIdx, int lda, float[] b, int bIdx, int bRow, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int r0 = aIdx, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        for (int k = 0, bk = bIdx; k < kc; k++, bk += bRow) {
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * VL);
            FloatVector av = FloatVector.broadcast(S, a[r0 + k]);
            c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(S, a[r1 + k]);
            c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(S, a[r2 + k]);
            c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(S, a[r3 + k]);
            c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(S, a[r4 + k]);
            c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(S, a[r5 + k]);
            c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52); c53 = av.fma(b3, c53);
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, VL);
        c02.intoArray(out, 2 * VL);
        c03.intoArray(out, 3 * VL);
        c10.intoArray(out, NR);
        c11.intoArray(out, NR + VL);
        c12.intoArray(out, NR + 2 * VL);
        c13.intoArray(out, NR + 3 * VL);
        c20.intoArray(out, 2 * NR);
        c21.intoArray(out, 2 * NR + VL);
        c22.intoArray(out, 2 * NR + 2 * VL);
        c23.intoArray(out, 2 * NR + 3 * VL);
        c30.intoArray(out, 3 * NR);
        c31.intoArray(out, 3 * NR + VL);
        c32.intoArray(out, 3 * NR + 2 * VL);
        c33.intoArray(out, 3 * NR + 3 * VL);
        c40.intoArray(out, 4 * NR);
        c41.intoArray(out, 4 * NR + VL);
        c42.intoArray(out, 4 * NR + 2 * VL);
        c43.intoArray(out, 4 * NR + 3 * VL);
        c50.intoArray(out, 5 * NR);
        c51.intoArray(out, 5 * NR + VL);
        c52.intoArray(out, 5 * NR + 2 * VL);
        c53.intoArray(out, 5 * NR + 3 * VL);
    }

    /** {@link #tile(int, float[], int, int, float[], int, int, float[])}'s body with A's addresses from two tables (see {@link VectorMicroKernel#imageTile}: a copy on purpose). */
    @Override
    public void imageTile(int kc, float[] x, int[] base, int[] koff, int k0, float[] b, int bIdx, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int x0 = base[0], x1 = base[1], x2 = base[2], x3 = base[3], x4 = base[4], x5 = base[5];
        for (int k = 0; k < kc; k++) {
            int o = koff[k0 + k], bk = bIdx + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * VL);
            FloatVector av = FloatVector.broadcast(S, x[x0 + o]);
            c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(S, x[x1 + o]);
            c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(S, x[x2 + o]);
            c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(S, x[x3 + o]);
            c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(S, x[x4 + o]);
            c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(S, x[x5 + o]);
            c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52); c53 = av.fma(b3, c53);
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, VL);
        c02.intoArray(out, 2 * VL);
        c03.intoArray(out, 3 * VL);
        c10.intoArray(out, NR);
        c11.intoArray(out, NR + VL);
        c12.intoArray(out, NR + 2 * VL);
        c13.intoArray(out, NR + 3 * VL);
        c20.intoArray(out, 2 * NR);
        c21.intoArray(out, 2 * NR + VL);
        c22.intoArray(out, 2 * NR + 2 * VL);
        c23.intoArray(out, 2 * NR + 3 * VL);
        c30.intoArray(out, 3 * NR);
        c31.intoArray(out, 3 * NR + VL);
        c32.intoArray(out, 3 * NR + 2 * VL);
        c33.intoArray(out, 3 * NR + 3 * VL);
        c40.intoArray(out, 4 * NR);
        c41.intoArray(out, 4 * NR + VL);
        c42.intoArray(out, 4 * NR + 2 * VL);
        c43.intoArray(out, 4 * NR + 3 * VL);
        c50.intoArray(out, 5 * NR);
        c51.intoArray(out, 5 * NR + VL);
        c52.intoArray(out, 5 * NR + 2 * VL);
        c53.intoArray(out, 5 * NR + 3 * VL);
    }

    /** Rows with vector load-add-store; an edge tile (fewer than NR columns) element by element. */
    @Override
    public void addTile(float[] tile, float[] C, int cIdx, int ldc, int mr, int nr) {
        if (nr < NR) {
            MicroKernel.super.addTile(tile, C, cIdx, ldc, mr, nr);
            return;
        }
        for (int r = 0; r < mr; r++) {
            int cr = cIdx + r * ldc, tr = r * NR;
            for (int v = 0; v < NR; v += VL)
                FloatVector.fromArray(S, C, cr + v).add(FloatVector.fromArray(S, tile, tr + v)).intoArray(C, cr + v);
        }
    }
}
