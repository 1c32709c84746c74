package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The GEMM for JVMs without the Vector API: row loops {@code acc[j] += A[i,k] * Brow_k[j]} that
 * C2 auto-vectorises. Java 17's C2 vectorises such a loop only when both arrays are indexed by
 * the loop variable alone: with offsets ({@code C[c0 + j] += a * B[b0 + j]}) it cannot rule out
 * that C and B are one array overlapping itself and stays scalar (~5 GFLOPS here, against ~21
 * for the same loop without offsets). So op(B) is first copied into one array per row and each
 * row of C is accumulated in a separate buffer, all indexed from 0. Same operations in the same
 * order as a plain triple loop over (i, k, j): the copies change no bits.
 */
final class PlainGemm {
    private PlainGemm() {}

    /** Per-thread copies of op(B), one array per row, and the accumulator row. */
    private static final class Scratch {
        float[][] rows = new float[0][];
        float[] acc = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** C (+)= op(A) . op(B), same contract as {@link Gemm#gemm}. */
    static void rows(boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate) {
        Scratch s = SCRATCH.get();
        if (s.rows.length < K) s.rows = Arrays.copyOf(s.rows, K);
        if (s.acc.length < N) s.acc = new float[N];
        float[][] b = s.rows;
        for (int k = 0; k < K; k++) {
            if (b[k] == null || b[k].length < N) b[k] = new float[Math.max(N, 16)];
            float[] row = b[k];
            if (transB) {
                for (int j = 0; j < N; j++) row[j] = B[bOff + j * ldb + k];
            } else {
                System.arraycopy(B, bOff + k * ldb, row, 0, N);
            }
        }
        float[] acc = s.acc;
        for (int i = 0; i < M; i++) {
            int crow = cOff + i * ldc;
            if (accumulate) System.arraycopy(C, crow, acc, 0, N);
            else Arrays.fill(acc, 0, N, 0f);
            for (int k = 0; k < K; k++) {
                float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                float[] row = b[k];
                for (int j = 0; j < N; j++) acc[j] += a * row[j];
            }
            System.arraycopy(acc, 0, C, crow, N);
        }
    }
}
