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

    /** C (+)= op(A) . op(B), then the ReLU on each finished row when {@code relu}: same contract as {@link Gemm#gemm}. */
    static void rows(boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
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
            int k = 0;
            // Four k per pass over the row: acc[j] is loaded and stored once for four products,
            // added in k order as one at a time would (the same bits).
            for (; k + 4 <= K; k += 4) {
                float a0 = at(transA, A, aOff, lda, i, k), a1 = at(transA, A, aOff, lda, i, k + 1);
                float a2 = at(transA, A, aOff, lda, i, k + 2), a3 = at(transA, A, aOff, lda, i, k + 3);
                float[] r0 = b[k], r1 = b[k + 1], r2 = b[k + 2], r3 = b[k + 3];
                for (int j = 0; j < N; j++) acc[j] = acc[j] + a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
            }
            for (; k < K; k++) {
                float a = at(transA, A, aOff, lda, i, k);
                float[] row = b[k];
                for (int j = 0; j < N; j++) acc[j] += a * row[j];
            }
            if (relu) ElementwiseKernels.INSTANCE.reluForward(acc, 0, acc, 0, 0, N);
            System.arraycopy(acc, 0, C, crow, N);
        }
    }

    /** op(A)[i][k]. */
    private static float at(boolean transA, float[] A, int aOff, int lda, int i, int k) {
        return transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
    }
}
