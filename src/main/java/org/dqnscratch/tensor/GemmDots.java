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
     * columns (a Q head of 2-6 actions). Packing W^T for those costs more than the product: a CartPole run spent a sixth of its time
     * re-packing weights for one-row forward passes.
     */
    static boolean pays(boolean transA, boolean transB, int M, int N) {
        return KERNEL != null && !transA && transB && (M < KERNEL.mr() || N <= KERNEL.nr() / 4);
    }

    /**
     * C (+)= A . B^T as dot products of stored rows, with the vector kernel's arithmetic to the
     * bit: each KC-long block of k is a chain of fused multiply-adds from 0 in k order, added to
     * C block by block (what a lane of the micro-kernel and the tile add do), so a layer gives
     * the same floats whichever path its batch size takes. A's rows go to the lanes of a vector
     * ({@link VectorDots}), so one multiply-add serves all the rows of an acting batch. With {@code relu}, C gets its ReLU
     * at the end (a few rows or columns: still in cache).
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
     * A ragged end repeats its last column in the spare chains and stores only its own. C[c + j] += each KC block's chain.
     */
    private static void oneRow(float[] x, int K, float[] B, int b, int ldb, int columns, float[] C, int c) {
        int last = columns - 1;
        int b0 = b, b1 = b + Math.min(1, last) * ldb, b2 = b + Math.min(2, last) * ldb, b3 = b + Math.min(3, last) * ldb;
        int b4 = b + Math.min(4, last) * ldb, b5 = b + Math.min(5, last) * ldb, b6 = b + Math.min(6, last) * ldb, b7 = b + last * ldb;
        for (int pc = 0; pc < K; pc += Gemm.KC) {
            int end = Math.min(K, pc + Gemm.KC);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int k = pc; k < end; k++) {
                float xk = x[k];
                s0 = Math.fma(xk, B[b0 + k], s0);
                s1 = Math.fma(xk, B[b1 + k], s1);
                s2 = Math.fma(xk, B[b2 + k], s2);
                s3 = Math.fma(xk, B[b3 + k], s3);
                s4 = Math.fma(xk, B[b4 + k], s4);
                s5 = Math.fma(xk, B[b5 + k], s5);
                s6 = Math.fma(xk, B[b6 + k], s6);
                s7 = Math.fma(xk, B[b7 + k], s7);
            }
            C[c] += s0;
            if (columns > 1) C[c + 1] += s1;
            if (columns > 2) C[c + 2] += s2;
            if (columns > 3) C[c + 3] += s3;
            if (columns > 4) C[c + 4] += s4;
            if (columns > 5) C[c + 5] += s5;
            if (columns > 6) C[c + 6] += s6;
            if (columns > 7) C[c + 7] += s7;
        }
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
        for (int i0 = 0; i0 < M; i0 += 8) {
            int rows = Math.min(8, M - i0), last = rows - 1, a = aOff + i0 * lda, c = cOff + i0 * ldc;
            int a0 = a, a1 = a + Math.min(1, last) * lda, a2 = a + Math.min(2, last) * lda, a3 = a + Math.min(3, last) * lda;
            int a4 = a + Math.min(4, last) * lda, a5 = a + Math.min(5, last) * lda, a6 = a + Math.min(6, last) * lda, a7 = a + last * lda;
            for (int pc = 0; pc < K; pc += Gemm.KC) {
                int end = Math.min(K, pc + Gemm.KC);
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
                for (int k = pc; k < end; k++) {
                    float bk = B[b + k];
                    s0 = Math.fma(A[a0 + k], bk, s0);
                    s1 = Math.fma(A[a1 + k], bk, s1);
                    s2 = Math.fma(A[a2 + k], bk, s2);
                    s3 = Math.fma(A[a3 + k], bk, s3);
                    s4 = Math.fma(A[a4 + k], bk, s4);
                    s5 = Math.fma(A[a5 + k], bk, s5);
                    s6 = Math.fma(A[a6 + k], bk, s6);
                    s7 = Math.fma(A[a7 + k], bk, s7);
                }
                C[c] += s0;
                if (rows > 1) C[c + ldc] += s1;
                if (rows > 2) C[c + 2 * ldc] += s2;
                if (rows > 3) C[c + 3 * ldc] += s3;
                if (rows > 4) C[c + 4 * ldc] += s4;
                if (rows > 5) C[c + 5 * ldc] += s5;
                if (rows > 6) C[c + 6 * ldc] += s6;
                if (rows > 7) C[c + 7 * ldc] += s7;
            }
        }
        if (relu) Gemm.reluRows(C, cOff, ldc, M, 1);
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
