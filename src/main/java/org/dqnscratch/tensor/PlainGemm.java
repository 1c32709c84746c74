package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The GEMM for JVMs without the Vector API: row loops {@code C[i,:] += A[i,k] * B[k,:]} that C2
 * auto-vectorises (contiguous, long inner loop). A transposed B is first laid out row-major
 * [K, N] in a per-thread scratch; a plain one is read in place, whatever its row stride.
 */
final class PlainGemm {
    private PlainGemm() {}

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** C (+)= op(A) . op(B), same contract as {@link Gemm#gemm}. */
    static void rows(boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate) {
        if (!accumulate) for (int i = 0; i < M; i++) Arrays.fill(C, cOff + i * ldc, cOff + i * ldc + N, 0f);
        float[] b = B;
        int bo = bOff, bld = ldb;
        if (transB) {
            float[][] holder = SCRATCH.get();
            if (holder[0].length < K * N) holder[0] = new float[K * N];
            b = holder[0];
            for (int j = 0; j < N; j++) {
                int src = bOff + j * ldb;
                for (int k = 0; k < K; k++) b[k * N + j] = B[src + k];
            }
            bo = 0;
            bld = N;
        }
        for (int i = 0; i < M; i++) {
            int crow = cOff + i * ldc;
            for (int k = 0; k < K; k++) {
                float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                int brow = bo + k * bld;
                for (int j = 0; j < N; j++) C[crow + j] += a * b[brow + j];
            }
        }
    }
}
