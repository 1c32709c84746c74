package org.dqnscratch.tensor;

/**
 * C (+)= A . B^T for a few rows or a few columns (acting batches of 1-4, Q heads of 2-6 actions) as
 * dot products of the stored rows, without {@link Gemm}'s packing, to the bit the floats of its vector
 * micro-kernel: {@link Gemm#serial} and {@link Gemm#gemm} send such products here when {@link #pays}.
 */
final class GemmDots {
    /** The vector micro-kernel whose floats these match (null without the Vector API: never used then). */
    private static final MicroKernel KERNEL = Gemm.vectorKernel();
    /** The k-block length of Gemm's packing: each block's chain is summed from 0, then added to C. */
    private static final int KC = Gemm.KC;

    private GemmDots() {}

    /**
     * Whether {@link #serial} beats packing: A times a transposed B (a layer's forward pass,
     * x . W^T) with fewer rows than the kernel's tile (acting on a batch of 1-4) or a handful of
     * columns (a Q head of 2-6 actions). Packing W^T for those costs more than the product: a
     * CartPole run spent a sixth of its time re-packing weights for one-row forward passes.
     */
    static boolean pays(boolean transA, boolean transB, int M, int N) {
        return KERNEL != null && !transA && transB && (M < KERNEL.mr() || N <= KERNEL.nr() / 4);
    }

    /**
     * C (+)= A . B^T as dot products of stored rows, with the vector kernel's arithmetic to the
     * bit: each KC-long block of k is a chain of fused multiply-adds from 0 in k order, added to
     * C block by block (what a lane of the micro-kernel and the tile add do), so a layer gives
     * the same floats whichever path its batch size takes. Four columns at a time keep four
     * independent chains in flight. With {@code relu}, C gets its ReLU at the end (a few rows or
     * columns: still in cache).
     */
    static void serial(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        int M4 = M / 4 * 4, N4 = N / 4 * 4;
        // Four rows by four columns: sixteen independent chains, eight loads per sixteen products
        // (fc1 acting on four observations: W . x^T has 512 rows and 4 columns).
        for (int i = 0; i < M4; i += 4) {
            for (int j = 0; j < N4; j += 4) dotsFourByFour(i, j, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
            for (int j = N4; j < N; j++) dotsFourRows(i, j, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
        }
        for (int i = M4; i < M; i++) {
            int a = aOff + i * lda, c = cOff + i * ldc;
            for (int j = 0; j < N4; j += 4) {
                int b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                float c0 = accumulate ? C[c + j] : 0f, c1 = accumulate ? C[c + j + 1] : 0f;
                float c2 = accumulate ? C[c + j + 2] : 0f, c3 = accumulate ? C[c + j + 3] : 0f;
                for (int pc = 0; pc < K; pc += KC) {
                    int end = Math.min(K, pc + KC);
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                    for (int k = pc; k < end; k++) {
                        float ak = A[a + k];
                        s0 = Math.fma(ak, B[b0 + k], s0);
                        s1 = Math.fma(ak, B[b1 + k], s1);
                        s2 = Math.fma(ak, B[b2 + k], s2);
                        s3 = Math.fma(ak, B[b3 + k], s3);
                    }
                    c0 += s0; c1 += s1; c2 += s2; c3 += s3;
                }
                C[c + j] = c0; C[c + j + 1] = c1; C[c + j + 2] = c2; C[c + j + 3] = c3;
            }
            for (int j = N4; j < N; j++) {
                int b0 = bOff + j * ldb;
                float c0 = accumulate ? C[c + j] : 0f;
                for (int pc = 0; pc < K; pc += KC) {
                    int end = Math.min(K, pc + KC);
                    float s0 = 0f;
                    for (int k = pc; k < end; k++) s0 = Math.fma(A[a + k], B[b0 + k], s0);
                    c0 += s0;
                }
                C[c + j] = c0;
            }
        }
        if (relu) Gemm.reluRows(C, cOff, ldc, M, N);
    }

    /** {@link #serial} with its rows split across the pool in multiples of four (each row's chains unchanged). */
    static void parallel(WorkerPool pool, int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                         float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        ParallelDots job = DOTS.get();
        job.set(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu, pool.threads());
        pool.run(job, job.parts);
        job.clear();
    }

    /** Rows i..i+3 by columns j..j+3 of {@link #serial}, the same chains. */
    private static void dotsFourByFour(int i, int j, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                       float[] C, int cOff, int ldc, boolean accumulate) {
        int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        int r0 = cOff + i * ldc + j, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        float c00 = accumulate ? C[r0] : 0f, c01 = accumulate ? C[r0 + 1] : 0f, c02 = accumulate ? C[r0 + 2] : 0f, c03 = accumulate ? C[r0 + 3] : 0f;
        float c10 = accumulate ? C[r1] : 0f, c11 = accumulate ? C[r1 + 1] : 0f, c12 = accumulate ? C[r1 + 2] : 0f, c13 = accumulate ? C[r1 + 3] : 0f;
        float c20 = accumulate ? C[r2] : 0f, c21 = accumulate ? C[r2 + 1] : 0f, c22 = accumulate ? C[r2 + 2] : 0f, c23 = accumulate ? C[r2 + 3] : 0f;
        float c30 = accumulate ? C[r3] : 0f, c31 = accumulate ? C[r3 + 1] : 0f, c32 = accumulate ? C[r3 + 2] : 0f, c33 = accumulate ? C[r3 + 3] : 0f;
        for (int pc = 0; pc < K; pc += KC) {
            int end = Math.min(K, pc + KC);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int k = pc; k < end; k++) {
                float x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
                float y0 = B[b0 + k], y1 = B[b1 + k], y2 = B[b2 + k], y3 = B[b3 + k];
                s00 = Math.fma(x0, y0, s00); s01 = Math.fma(x0, y1, s01); s02 = Math.fma(x0, y2, s02); s03 = Math.fma(x0, y3, s03);
                s10 = Math.fma(x1, y0, s10); s11 = Math.fma(x1, y1, s11); s12 = Math.fma(x1, y2, s12); s13 = Math.fma(x1, y3, s13);
                s20 = Math.fma(x2, y0, s20); s21 = Math.fma(x2, y1, s21); s22 = Math.fma(x2, y2, s22); s23 = Math.fma(x2, y3, s23);
                s30 = Math.fma(x3, y0, s30); s31 = Math.fma(x3, y1, s31); s32 = Math.fma(x3, y2, s32); s33 = Math.fma(x3, y3, s33);
            }
            c00 += s00; c01 += s01; c02 += s02; c03 += s03; c10 += s10; c11 += s11; c12 += s12; c13 += s13;
            c20 += s20; c21 += s21; c22 += s22; c23 += s23; c30 += s30; c31 += s31; c32 += s32; c33 += s33;
        }
        C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02; C[r0 + 3] = c03;
        C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12; C[r1 + 3] = c13;
        C[r2] = c20; C[r2 + 1] = c21; C[r2 + 2] = c22; C[r2 + 3] = c23;
        C[r3] = c30; C[r3 + 1] = c31; C[r3 + 2] = c32; C[r3 + 3] = c33;
    }

    /** Column j of rows i..i+3 of {@link #serial}, the same chains. */
    private static void dotsFourRows(int i, int j, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                     float[] C, int cOff, int ldc, boolean accumulate) {
        int a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b = bOff + j * ldb;
        int c0i = cOff + i * ldc + j, c1i = c0i + ldc, c2i = c1i + ldc, c3i = c2i + ldc;
        float c0 = accumulate ? C[c0i] : 0f, c1 = accumulate ? C[c1i] : 0f, c2 = accumulate ? C[c2i] : 0f, c3 = accumulate ? C[c3i] : 0f;
        for (int pc = 0; pc < K; pc += KC) {
            int end = Math.min(K, pc + KC);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int k = pc; k < end; k++) {
                float bk = B[b + k];
                s0 = Math.fma(A[a0 + k], bk, s0);
                s1 = Math.fma(A[a1 + k], bk, s1);
                s2 = Math.fma(A[a2 + k], bk, s2);
                s3 = Math.fma(A[a3 + k], bk, s3);
            }
            c0 += s0; c1 += s1; c2 += s2; c3 += s3;
        }
        C[c0i] = c0; C[c1i] = c1; C[c2i] = c2; C[c3i] = c3;
    }

    private static final ThreadLocal<ParallelDots> DOTS = ThreadLocal.withInitial(ParallelDots::new);

    /** {@link #serial} with its rows split across the pool in multiples of four (each row's chains unchanged). */
    private static final class ParallelDots implements WorkerPool.Job {
        float[] A, B, C;
        int M, N, K, aOff, lda, bOff, ldb, cOff, ldc, parts, chunk;
        boolean accumulate, relu;

        void set(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                 float[] C, int cOff, int ldc, boolean accumulate, boolean relu, int threads) {
            this.M = M; this.N = N; this.K = K; this.A = A; this.aOff = aOff; this.lda = lda;
            this.B = B; this.bOff = bOff; this.ldb = ldb; this.C = C; this.cOff = cOff; this.ldc = ldc;
            this.accumulate = accumulate;
            this.relu = relu;
            chunk = ((M + threads - 1) / threads + 3) / 4 * 4;
            parts = (M + chunk - 1) / chunk;
        }

        void clear() { A = B = C = null; }

        @Override public void run(int part) {
            int from = part * chunk, rows = Math.min(chunk, M - from);
            serial(rows, N, K, A, aOff + from * lda, lda, B, bOff, ldb, C, cOff + from * ldc, ldc, accumulate, relu);
        }
    }
}
