package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked 6 x (2 vectors) micro-kernel on the Java Vector API: 12 accumulators,
 * two B vectors and one broadcast A value fit in 16 vector registers (AVX2) and leave room
 * on AVX-512. Loaded only when the module is present (see {@link MicroKernel#vectorOrNull}).
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MR = 6, NR = 2 * VL;

    @Override public String name() { return "vector-" + S.vectorBitSize() + "-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }
    @Override public boolean readsUnpacked() { return true; }

    @Override
    public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) {
        tile(kc, a, aIdx, kc, b, bIdx, NR, out);
    }

    /**
     * A's elements of a k step lie at row r's start + k, a constant stride, so C2 checks A's bounds before the
     * loop instead of six times per k step (an add, a compare and a branch each): 45 instructions per k step
     * instead of the 58 of the general-stride loop this replaced on JDK 17, 40 instead of 54 on JDK 25, for
     * the same 12 multiply-adds; on Zen 1 1.01-1.14x faster (medians of pairs; docs/performance.md, "Bounds
     * checks in the micro-kernel"). B's stride stays a variable on purpose: with B's checks gone too (bRow
     * fixed at NR), JDK 17's C2 moved all six broadcasts of a k step ahead of its multiply-adds, 20 live
     * vectors in 16 registers, and spilled four accumulators: 1.2x slower.
     */
    @Override
    public void tile(int kc, float[] a, int aIdx, int lda, float[] b, int bIdx, int bRow, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int r0 = aIdx, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        for (int k = 0, bk = bIdx; k < kc; k++, bk += bRow) {
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + VL);
            FloatVector av = FloatVector.broadcast(S, a[r0 + k]);
            c00 = av.fma(b0, c00); c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[r1 + k]);
            c10 = av.fma(b0, c10); c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[r2 + k]);
            c20 = av.fma(b0, c20); c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[r3 + k]);
            c30 = av.fma(b0, c30); c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[r4 + k]);
            c40 = av.fma(b0, c40); c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[r5 + k]);
            c50 = av.fma(b0, c50); c51 = av.fma(b1, c51);
        }
        store(c00, c01, out, 0);
        store(c10, c11, out, 2 * VL);
        store(c20, c21, out, 4 * VL);
        store(c30, c31, out, 6 * VL);
        store(c40, c41, out, 8 * VL);
        store(c50, c51, out, 10 * VL);
    }

    /**
     * {@link #tile(int, float[], int, int, float[], int, int, float[])}'s body with A's addresses taken from two tables. Kept a copy on
     * purpose: one body behind an addressing callback would not be inlined into one loop by C2, and a
     * boxed vector here costs 20x (see {@link #store}).
     */
    @Override
    public void imageTile(int kc, float[] x, int[] base, int[] koff, int k0, float[] b, int bIdx, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int x0 = base[0], x1 = base[1], x2 = base[2], x3 = base[3], x4 = base[4], x5 = base[5];
        for (int k = 0; k < kc; k++) {
            int o = koff[k0 + k], bk = bIdx + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + VL);
            FloatVector av = FloatVector.broadcast(S, x[x0 + o]);
            c00 = av.fma(b0, c00); c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, x[x1 + o]);
            c10 = av.fma(b0, c10); c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, x[x2 + o]);
            c20 = av.fma(b0, c20); c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, x[x3 + o]);
            c30 = av.fma(b0, c30); c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, x[x4 + o]);
            c40 = av.fma(b0, c40); c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, x[x5 + o]);
            c50 = av.fma(b0, c50); c51 = av.fma(b1, c51);
        }
        store(c00, c01, out, 0);
        store(c10, c11, out, 2 * VL);
        store(c20, c21, out, 4 * VL);
        store(c30, c31, out, 6 * VL);
        store(c40, c41, out, 8 * VL);
        store(c50, c51, out, 10 * VL);
    }

    /**
     * Rows with vector load-add-store (a method of its own: see {@link #store}); an edge tile of
     * VL to NR - 1 columns adds its first vector as one and the rest one at a time.
     */
    @Override
    public void addTile(float[] tile, float[] C, int cIdx, int ldc, int mr, int nr) {
        if (nr < VL) {
            MicroKernel.super.addTile(tile, C, cIdx, ldc, mr, nr);
            return;
        }
        for (int r = 0; r < mr; r++) {
            int cr = cIdx + r * ldc, tr = r * NR;
            FloatVector.fromArray(S, C, cr).add(FloatVector.fromArray(S, tile, tr)).intoArray(C, cr);
            if (nr == NR) FloatVector.fromArray(S, C, cr + VL).add(FloatVector.fromArray(S, tile, tr + VL)).intoArray(C, cr + VL);
            else for (int c = VL; c < nr; c++) C[cr + c] += tile[tr + c];
        }
    }

    /**
     * Stores only, no load-add: with the loads of C added, C2 stops inlining the vector calls
     * of this method (its inlining budget) and boxes every vector, 20x slower.
     */
    private static void store(FloatVector v0, FloatVector v1, float[] out, int at) {
        v0.intoArray(out, at);
        v1.intoArray(out, at + VL);
    }
}
