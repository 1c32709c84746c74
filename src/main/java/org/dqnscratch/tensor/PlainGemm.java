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
 *
 * <p>Blocked for the caches (the order of each element's additions is unchanged): rows of C in blocks
 * whose accumulators fit in L2 (ROW_BLOCK_FLOATS), and within a block, op(B)'s rows in slabs that stay
 * in L2 while every row of the block adds them. Unblocked, fc1's product at batch 32 (32 x 3136 x 512)
 * streamed all 6.4 MB of op(B) from memory once per row of C: 26 ms on a 2 GHz Zen 1, 6x the vector
 * path (issue 20 allows 3x; docs/performance.md, "AVX2 only"). op(B)'s copy from a transposed B is
 * made 16 columns at a time, so that each source row is read along its length.
 */
final class PlainGemm {
    private PlainGemm() {}

    /** Floats of accumulators (rows of C) and of op(B)'s rows per block: each block about 128 KB, both in L2. */
    static final int ROW_BLOCK_FLOATS = 32 * 1024, SLAB_FLOATS = 32 * 1024;
    /** Columns of a transposed B copied per pass (one 64-byte cache line of each row of op(B)). */
    private static final int COPY_COLUMNS = 16;

    /** Per-thread copies of op(B), one array per row, and the accumulator rows of a block of C. */
    private static final class Scratch {
        float[][] rows = new float[0][];
        float[][] acc = new float[0][];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** C (+)= op(A) . op(B), then the ReLU on each finished row when {@code relu}: same contract as {@link Gemm#gemm}. */
    static void rows(boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        Scratch s = SCRATCH.get();
        float[][] b = rowsOfB(s, N, K);
        int rowBlock = Math.max(1, Math.min(M, ROW_BLOCK_FLOATS / Math.max(N, 1)));
        int slab = Math.max(4, SLAB_FLOATS / Math.max(N, 1) / 4 * 4);
        // One block of rows (a layer's batch): each slab of op(B) is copied just before its rows add it, while the
        // copy is still in cache. Copied all at once, fc1's W^T (6.4 MB) went out to memory and was read back
        // (fc1 at batch 32 and 64 1.05-1.19x faster slab by slab on Zen 4: docs/performance.md, session 24).
        boolean perSlab = M <= rowBlock;
        if (!perSlab) copyB(b, transB, N, 0, K, B, bOff, ldb);
        if (s.acc.length < rowBlock) s.acc = Arrays.copyOf(s.acc, rowBlock);
        float[][] acc = s.acc;
        for (int r = 0; r < rowBlock; r++) if (acc[r] == null || acc[r].length < N) acc[r] = new float[N];
        for (int i0 = 0; i0 < M; i0 += rowBlock) {
            int rowsHere = Math.min(rowBlock, M - i0);
            for (int r = 0; r < rowsHere; r++) {
                if (accumulate) System.arraycopy(C, cOff + (i0 + r) * ldc, acc[r], 0, N);
                else Arrays.fill(acc[r], 0, N, 0f);
            }
            for (int k0 = 0; k0 < K; k0 += slab) {
                int kEnd = Math.min(K, k0 + slab);
                if (perSlab) copyB(b, transB, N, k0, kEnd, B, bOff, ldb);
                for (int r = 0; r < rowsHere; r++) addSlab(transA, A, aOff, lda, i0 + r, b, k0, kEnd, acc[r], N);
            }
            for (int r = 0; r < rowsHere; r++) {
                if (relu) ElementwiseKernels.INSTANCE.reluForward(acc[r], 0, acc[r], 0, 0, N);
                System.arraycopy(acc[r], 0, C, cOff + (i0 + r) * ldc, N);
            }
        }
    }

    /** K arrays of at least N floats for op(B)'s rows (this thread's, reused). */
    private static float[][] rowsOfB(Scratch s, int N, int K) {
        if (s.rows.length < K) s.rows = Arrays.copyOf(s.rows, K);
        float[][] b = s.rows;
        for (int k = 0; k < K; k++) if (b[k] == null || b[k].length < N) b[k] = new float[Math.max(N, 16)];
        return b;
    }

    /** op(B)'s rows k0 .. k1 - 1 into b. */
    private static void copyB(float[][] b, boolean transB, int N, int k0, int k1, float[] B, int bOff, int ldb) {
        if (!transB) {
            for (int k = k0; k < k1; k++) System.arraycopy(B, bOff + k * ldb, b[k], 0, N);
            return;
        }
        for (int j0 = 0; j0 < N; j0 += COPY_COLUMNS) {
            int jEnd = Math.min(N, j0 + COPY_COLUMNS);
            for (int k = k0; k < k1; k++) {
                float[] row = b[k];
                for (int j = j0; j < jEnd; j++) row[j] = B[bOff + j * ldb + k];
            }
        }
    }

    /** acc[j] += op(A)[i][k] * op(B)[k][j] for k in [k0, kEnd), in k order. */
    private static void addSlab(boolean transA, float[] A, int aOff, int lda, int i, float[][] b, int k0, int kEnd, float[] acc, int N) {
        int k = k0;
        // Four k per pass over the row: acc[j] is loaded and stored once for four products,
        // added in k order as one at a time would (the same bits).
        for (; k + 4 <= kEnd; k += 4) {
            float a0 = at(transA, A, aOff, lda, i, k), a1 = at(transA, A, aOff, lda, i, k + 1);
            float a2 = at(transA, A, aOff, lda, i, k + 2), a3 = at(transA, A, aOff, lda, i, k + 3);
            float[] r0 = b[k], r1 = b[k + 1], r2 = b[k + 2], r3 = b[k + 3];
            for (int j = 0; j < N; j++) acc[j] = acc[j] + a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
        }
        for (; k < kEnd; k++) {
            float a = at(transA, A, aOff, lda, i, k);
            float[] row = b[k];
            for (int j = 0; j < N; j++) acc[j] += a * row[j];
        }
    }

    /** op(A)[i][k]. */
    private static float at(boolean transA, float[] A, int aOff, int lda, int i, int k) {
        return transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
    }
}
