package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmDots}' inner loops on the Java Vector API: A's rows in the lanes of a vector, one column of
 * B^T broadcast, so one fused multiply-add does the products a scalar loop did one at a time, each lane
 * still the same chain (fma(x, w, s) in k order, from 0 per KC block). Eight columns at a time keep eight
 * chains in flight, enough for two FMA pipes of 4-cycle latency (the four scalar chains this replaced
 * filled half of one). The vectors are the machine's preferred width, the micro-kernel's,
 * although an acting batch of 1-5 rows fills only a few of their lanes: a second vector shape anywhere
 * in the JVM makes C2 inline both behind a type check at the Vector API's shared call sites
 * (FloatVector.fma), and the merged result is boxed, an allocation per multiply-add (seen in the assembly
 * of a 128-bit version of this class). Loaded only where the module is present: GemmDots runs only when
 * Gemm has a vector micro-kernel.
 */
final class VectorDots {
    private VectorDots() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Rows per lane group: the lanes of a vector. */
    static final int ROWS = S.length();
    /**
     * C[r][j] += the chains over k0 <= k < k1 (one KC block) of rows r < {@code rows} (at most ROWS) and of
     * {@code columns} (at most 8) columns. A's rows are read from {@code xT} k-major ({@code xT[x + ROWS k + r]},
     * lanes past {@code rows} 0); column j is B's stored row from {@code b + j ldb}; {@code c} is C's element of the
     * group's first row and first column.
     */
    static void add(float[] xT, int x, int rows, int k0, int k1, float[] B, int b, int ldb, int columns,
                    float[] C, int c, int ldc, float[] sums) {
        block(xT, x, k0, k1, B, b, ldb, columns, sums);
        addSums(sums, columns, rows, C, c, ldc);
    }

    /**
     * sums[ROWS j + r] = the chain of k0 <= k < k1 for row r and column j < {@code columns} (at most 8; B's rows from b).
     * Eight accumulators whatever the count: a ragged end repeats its last column in the spare chains rather
     * than run short of them (one chain alone waits out each FMA's latency). Only the chains and their stores
     * here, as in the micro-kernel's tile: with the adds into C in the same method, C2 ran out of inlining budget
     * and boxed every vector (an allocation per multiply-add, seen in its assembly).
     */
    private static void block(float[] xT, int x, int k0, int k1, float[] B, int b, int ldb, int columns, float[] sums) {
        int last = columns - 1;
        int b0 = b, b1 = b + Math.min(1, last) * ldb, b2 = b + Math.min(2, last) * ldb, b3 = b + Math.min(3, last) * ldb;
        int b4 = b + Math.min(4, last) * ldb, b5 = b + Math.min(5, last) * ldb, b6 = b + Math.min(6, last) * ldb, b7 = b + last * ldb;
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        FloatVector s4 = FloatVector.zero(S), s5 = FloatVector.zero(S), s6 = FloatVector.zero(S), s7 = FloatVector.zero(S);
        for (int k = k0; k < k1; k++) {
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
        s1.intoArray(sums, ROWS);
        s2.intoArray(sums, 2 * ROWS);
        s3.intoArray(sums, 3 * ROWS);
        s4.intoArray(sums, 4 * ROWS);
        s5.intoArray(sums, 5 * ROWS);
        s6.intoArray(sums, 6 * ROWS);
        s7.intoArray(sums, 7 * ROWS);
    }

    /** C[r][j] += sums[ROWS j + r]: a block's chains added to C, as the micro-kernel's tile add does. */
    private static void addSums(float[] sums, int columns, int rows, float[] C, int c, int ldc) {
        for (int r = 0; r < rows; r++) {
            int row = c + r * ldc;
            for (int j = 0; j < columns; j++) C[row + j] += sums[ROWS * j + r];
        }
    }
}
