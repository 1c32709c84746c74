package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * An experiment for issue 20 (benchmarks only): VectorMicroKernel's tile with 8 rows instead of 6
 * (16 accumulators, for AVX-512's 32 registers), to measure whether a taller tile pays on this CPU.
 */
final class Vector8RowKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MR = 8, NR = 2 * VL;
    private final VectorMicroKernel six = new VectorMicroKernel();

    @Override public String name() { return "vector-" + S.vectorBitSize() + "-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }
    @Override public boolean readsUnpacked() { return true; }

    @Override public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) { tile(kc, a, aIdx, kc, b, bIdx, NR, out); }

    @Override
    public void tile(int kc, float[] a, int aIdx, int lda, float[] b, int bIdx, int bRow, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int r0 = aIdx, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda, r6 = r5 + lda, r7 = r6 + lda;
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
            av = FloatVector.broadcast(S, a[r6 + k]);
            c60 = av.fma(b0, c60); c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[r7 + k]);
            c70 = av.fma(b0, c70); c71 = av.fma(b1, c71);
        }
        store(c00, c01, out, 0 * VL);
        store(c10, c11, out, 2 * VL);
        store(c20, c21, out, 4 * VL);
        store(c30, c31, out, 6 * VL);
        store(c40, c41, out, 8 * VL);
        store(c50, c51, out, 10 * VL);
        store(c60, c61, out, 12 * VL);
        store(c70, c71, out, 14 * VL);
    }

    /** The same tile layout (rows of NR = 2 vectors) as the production kernel: its vector add. */
    @Override public void addTile(float[] tile, float[] C, int cIdx, int ldc, int mr, int nr) { six.addTile(tile, C, cIdx, ldc, mr, nr); }

    private static void store(FloatVector v0, FloatVector v1, float[] out, int at) {
        v0.intoArray(out, at);
        v1.intoArray(out, at + VL);
    }
}
