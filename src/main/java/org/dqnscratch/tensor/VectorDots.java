package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmDots}' inner loops on the Java Vector API: four rows of A in the four lanes of a 128-bit
 * vector, one column of B^T broadcast, so one fused multiply-add does four of the products a scalar
 * loop does one at a time, each lane still the same chain (fma(x, w, s) in k order, from 0 per KC block).
 * Eight columns at a time keep eight chains in flight, enough for two FMA pipes of 4-cycle latency
 * (four scalar chains, what this replaced at batch 1, filled half of one pipe). Loaded only where the
 * module is present: GemmDots runs only when Gemm has a vector micro-kernel.
 */
final class VectorDots {
    private VectorDots() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;
    /** Rows per lane group: the lanes of a 128-bit vector. */
    static final int ROWS = 4;
    private static final int KC = Gemm.KC;

    /**
     * C[r][j] += the chains of rows r < {@code rows} (at most 4) and columns j0 <= j < j1, KC block by KC block.
     * A's rows are read from {@code xT} k-major ({@code xT[x + 4k + r]}, lanes past {@code rows} 0); B's column j
     * is B's stored row j; {@code c} is C's element of the group's first row and column 0.
     */
    static void columns(float[] xT, int x, int rows, int K, int j0, int j1, float[] B, int bOff, int ldb,
                        float[] C, int c, int ldc, float[] sums) {
        for (int j = j0; j < j1; j += 8) eight(xT, x, rows, K, B, bOff + j * ldb, ldb, Math.min(8, j1 - j), C, c + j, ldc, sums);
    }

    /**
     * Columns j..j+columns-1 (B's rows from b, columns <= 8): eight accumulators. A ragged end of fewer columns
     * repeats its last column in the spare chains rather than running short of them (one chain alone waits out
     * each FMA's latency), and adds only its own.
     */
    private static void eight(float[] xT, int x, int rows, int K, float[] B, int b, int ldb, int columns,
                              float[] C, int c, int ldc, float[] sums) {
        int last = columns - 1;
        int b0 = b, b1 = b + Math.min(1, last) * ldb, b2 = b + Math.min(2, last) * ldb, b3 = b + Math.min(3, last) * ldb;
        int b4 = b + Math.min(4, last) * ldb, b5 = b + Math.min(5, last) * ldb, b6 = b + Math.min(6, last) * ldb, b7 = b + last * ldb;
        for (int pc = 0; pc < K; pc += KC) {
            int end = Math.min(K, pc + KC);
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            FloatVector s4 = FloatVector.zero(S), s5 = FloatVector.zero(S), s6 = FloatVector.zero(S), s7 = FloatVector.zero(S);
            for (int k = pc; k < end; k++) {
                FloatVector xk = FloatVector.fromArray(S, xT, x + ROWS * k);
                s0 = xk.fma(FloatVector.broadcast(S, B[b0 + k]), s0);
                s1 = xk.fma(FloatVector.broadcast(S, B[b1 + k]), s1);
                s2 = xk.fma(FloatVector.broadcast(S, B[b2 + k]), s2);
                s3 = xk.fma(FloatVector.broadcast(S, B[b3 + k]), s3);
                s4 = xk.fma(FloatVector.broadcast(S, B[b4 + k]), s4);
                s5 = xk.fma(FloatVector.broadcast(S, B[b5 + k]), s5);
                s6 = xk.fma(FloatVector.broadcast(S, B[b6 + k]), s6);
                s7 = xk.fma(FloatVector.broadcast(S, B[b7 + k]), s7);
            }
            s0.intoArray(sums, 0);
            s1.intoArray(sums, 4);
            s2.intoArray(sums, 8);
            s3.intoArray(sums, 12);
            s4.intoArray(sums, 16);
            s5.intoArray(sums, 20);
            s6.intoArray(sums, 24);
            s7.intoArray(sums, 28);
            addSums(sums, columns, rows, C, c, ldc);
        }
    }

    /** C[r][j] += sums[4j + r]: a block's chains added to C, as the micro-kernel's tile add does. */
    private static void addSums(float[] sums, int columns, int rows, float[] C, int c, int ldc) {
        for (int r = 0; r < rows; r++) {
            int row = c + r * ldc;
            for (int j = 0; j < columns; j++) C[row + j] += sums[ROWS * j + r];
        }
    }
}
