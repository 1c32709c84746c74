package org.dqnscratch.tensor;

/**
 * C (+)= A . B^T for a few rows or a few columns (acting batches of 1-4, Q heads of 2-6 actions) as
 * dot products of the stored rows, without {@link Gemm}'s packing, to the bit the floats of its vector
 * micro-kernel: {@link Gemm#serial} and {@link Gemm#gemm} send such products here when {@link #pays}.
 */
final class GemmDots {
    /** The vector micro-kernel whose floats these match (null without the Vector API: never used then). */
    private static final MicroKernel KERNEL = Gemm.vectorKernel();
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
     * the same floats whichever path its batch size takes. Two to five rows go to the lanes of a
     * vector ({@link VectorDots}), so one multiply-add serves all the rows of an acting batch; one row,
     * and one or two columns, run eight scalar chains instead ({@link #oneRow}, {@link #oneColumn}).
     * With {@code relu}, C gets its ReLU at the end (a few rows or columns: still in cache).
     */
    static void serial(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                       float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (N <= 2 && M > 1) { // a column at a time: laying M rows out would cost more than the multiply-adds it served
            for (int j = 0; j < N; j++) oneColumn(M, K, A, aOff, lda, B, bOff + j * ldb, C, cOff + j, ldc, accumulate, relu);
            return;
        }
        columns(rowsByK(M, K, A, aOff, lda), M, K, 0, N, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
    }

    /**
     * A's M rows as the vector lanes read them: a vector's width of rows (L) to a group, k-major
     * ({@code xT[LgK + Lk + r] = A[Lg + r][k]}, 0 past row M), in this thread's buffer (valid until its next
     * call here). L x K floats per group: for fc1 acting on four observations at 512 bits 50,176, against
     * the product's 6.4 M multiply-adds.
     */
    static float[] rowsByK(int M, int K, float[] A, int aOff, int lda) {
        Scratch s = SCRATCH.get();
        if (M == 1) { // one row: oneRow's scalar chains read it as it is
            if (s.xT.length < K) s.xT = new float[K];
            System.arraycopy(A, aOff, s.xT, 0, K);
            return s.xT;
        }
        int lanes = Lanes.ROWS, size = (M + lanes - 1) / lanes * lanes * K;
        if (s.xT.length < size) s.xT = new float[size];
        float[] xT = s.xT;
        for (int g = 0; g < M; g += lanes) {
            int rows = Math.min(lanes, M - g), base = g * K;
            if (rows < lanes) java.util.Arrays.fill(xT, base, base + lanes * K, 0f);
            for (int r = 0; r < rows; r++) {
                int a = aOff + (g + r) * lda;
                for (int k = 0; k < K; k++) xT[base + lanes * k + r] = A[a + k];
            }
        }
        return xT;
    }

    /**
     * Columns j0 <= j < j1 of C (+)= A . B^T from A's rows as {@link #rowsByK} laid them out, ReLU after when
     * {@code relu}. KC block by KC block of k (each output's blocks added in k order, as the tile add does), and
     * within a block eight columns at a time for every row group: the block's laid-out rows (KC x a vector, 16 KB at
     * 512 bits) stay in L1 for all the columns, and B is read once. (Column blocks outside the k blocks streamed all
     * of the laid-out rows, 200 KB for one observation at 512 bits, once per eight columns.)
     */
    static void columns(float[] xT, int M, int K, int j0, int j1, float[] B, int bOff, int ldb,
                        float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (!accumulate) for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
        if (M == 1) {
            for (int j = j0; j < j1; j += 8) oneRow(xT, K, B, bOff + j * ldb, ldb, Math.min(8, j1 - j), C, cOff + j);
            if (relu) Gemm.reluRows(C, cOff + j0, ldc, 1, j1 - j0);
            return;
        }
        float[] sums = SCRATCH.get().sums;
        int lanes = Lanes.ROWS;
        for (int pc = 0; pc < K; pc += Gemm.KC) {
            int end = Math.min(K, pc + Gemm.KC);
            for (int j = j0; j < j1; j += 8) {
                int columns = Math.min(8, j1 - j);
                for (int g = 0; g < M; g += lanes)
                    VectorDots.add(xT, g * K, Math.min(lanes, M - g), pc, end, B, bOff + j * ldb, ldb, columns, C, cOff + g * ldc + j, ldc, sums);
            }
        }
        if (relu) Gemm.reluRows(C, cOff + j0, ldc, M, j1 - j0);
    }

    /**
     * One row (acting on one observation) times {@code columns} (at most 8) columns: eight scalar chains, which keep
     * two FMA pipes busy, where a vector with one useful lane does one multiply-add per FMA, half a pipe's worth on
     * a CPU that splits 512-bit FMAs (Zen 4: fc1 at batch 1 took as long as four scalar chains did, docs/performance.md).
     */
    private static void oneRow(float[] x, int K, float[] B, int b, int ldb, int columns, float[] C, int c) {
        eightChains(B, b, ldb, columns, x, 0, K, C, c, 1);
    }

    /**
     * One column (a dueling head's value stream: batch x 512 . 512; one of CartPole's two actions) for M rows: eight
     * scalar chains, a row each, read where the rows lie. Laying the rows out for the vector lanes ({@link #rowsByK},
     * about a cycle per float) cost more than the one or two multiply-adds per float it served
     * (docs/performance.md, "Acting batches and Q heads").
     */
    private static void oneColumn(int M, int K, float[] A, int aOff, int lda, float[] B, int b,
                                  float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        for (int i = 0; i < M; i++) if (!accumulate) C[cOff + i * ldc] = 0f;
        for (int i0 = 0; i0 < M; i0 += 8) eightChains(A, aOff + i0 * lda, lda, Math.min(8, M - i0), B, b, K, C, cOff + i0 * ldc, ldc);
        if (relu) Gemm.reluRows(C, cOff, ldc, M, 1);
    }

    /**
     * C[c + i cStride] += the chain of U's row i (from u, rows ldu apart) with v (from vOff), KC block by KC block, for
     * i < {@code count} (at most 8): eight scalar chains whatever the count, a ragged end repeating its last row in the
     * spare ones and adding only its own. fma(u, v, s) == fma(v, u, s): one body for a row of A against B's rows and
     * for A's rows against a row of B.
     */
    private static void eightChains(float[] U, int u, int ldu, int count, float[] v, int vOff, int K, float[] C, int c, int cStride) {
        int last = count - 1;
        int u0 = u, u1 = u + Math.min(1, last) * ldu, u2 = u + Math.min(2, last) * ldu, u3 = u + Math.min(3, last) * ldu;
        int u4 = u + Math.min(4, last) * ldu, u5 = u + Math.min(5, last) * ldu, u6 = u + Math.min(6, last) * ldu, u7 = u + last * ldu;
        for (int pc = 0; pc < K; pc += Gemm.KC) {
            int end = Math.min(K, pc + Gemm.KC);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int k = pc; k < end; k++) {
                float vk = v[vOff + k];
                s0 = Math.fma(U[u0 + k], vk, s0);
                s1 = Math.fma(U[u1 + k], vk, s1);
                s2 = Math.fma(U[u2 + k], vk, s2);
                s3 = Math.fma(U[u3 + k], vk, s3);
                s4 = Math.fma(U[u4 + k], vk, s4);
                s5 = Math.fma(U[u5 + k], vk, s5);
                s6 = Math.fma(U[u6 + k], vk, s6);
                s7 = Math.fma(U[u7 + k], vk, s7);
            }
            C[c] += s0;
            if (count > 1) C[c + cStride] += s1;
            if (count > 2) C[c + 2 * cStride] += s2;
            if (count > 3) C[c + 3 * cStride] += s3;
            if (count > 4) C[c + 4 * cStride] += s4;
            if (count > 5) C[c + 5 * cStride] += s5;
            if (count > 6) C[c + 6 * cStride] += s6;
            if (count > 7) C[c + 7 * cStride] += s7;
        }
    }

    /**
     * {@link #serial} with its columns split across the pool in multiples of eight (each output's chain unchanged):
     * fc1 acting on one to four observations has a few rows and 512 columns. A's rows are laid out once, here.
     */
    static void parallel(WorkerPool pool, int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                         float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (N <= 2) { // one or two columns: nothing worth splitting by columns
            serial(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
            return;
        }
        ParallelDots job = DOTS.get();
        job.set(rowsByK(M, K, A, aOff, lda), M, N, K, B, bOff, ldb, C, cOff, ldc, accumulate, relu, pool.threads());
        pool.run(job, job.parts);
        job.clear();
    }

    /** Rows per lane group, in a holder: GemmDots is loaded (for {@link #pays}) where the Vector API module is not. */
    private static final class Lanes {
        static final int ROWS = VectorDots.ROWS;
    }

    /** A thread's laid-out rows of A and a block's sums on their way to C. */
    private static final class Scratch {
        float[] xT = new float[0];
        final float[] sums = new float[Lanes.ROWS * 8];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final ThreadLocal<ParallelDots> DOTS = ThreadLocal.withInitial(ParallelDots::new);

    /** {@link #columns} over a slice of the columns per part. */
    private static final class ParallelDots implements WorkerPool.Job {
        float[] xT, B, C;
        int M, N, K, bOff, ldb, cOff, ldc, parts, chunk;
        boolean accumulate, relu;

        void set(float[] xT, int M, int N, int K, float[] B, int bOff, int ldb,
                 float[] C, int cOff, int ldc, boolean accumulate, boolean relu, int threads) {
            this.xT = xT; this.M = M; this.N = N; this.K = K;
            this.B = B; this.bOff = bOff; this.ldb = ldb; this.C = C; this.cOff = cOff; this.ldc = ldc;
            this.accumulate = accumulate;
            this.relu = relu;
            chunk = ((N + threads - 1) / threads + 7) / 8 * 8;
            parts = (N + chunk - 1) / chunk;
        }

        void clear() { xT = B = C = null; }

        @Override public void run(int part) {
            int from = part * chunk;
            columns(xT, M, K, from, Math.min(N, from + chunk), B, bOff, ldb, C, cOff, ldc, accumulate, relu);
        }
    }
}
