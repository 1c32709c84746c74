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
     * columns (a Q head of 2-6 actions) at a batch too small for {@link Gemm#narrowPays}' transposed tile.
     * Packing W^T for those costs more than the product: a CartPole run spent a sixth of its time
     * re-packing weights for one-row forward passes.
     */
    static boolean pays(boolean transA, boolean transB, int M, int N) {
        return KERNEL != null && !transA && transB && (M < KERNEL.mr() || N <= KERNEL.nr() / 4) && !Gemm.narrowPays(transA, transB, M, N);
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
     * {@code relu}. Eight columns at a time for all row groups, so the eight rows of B they read stay in cache
     * for the second group of a batch of five or more.
     */
    static void columns(float[] xT, int M, int K, int j0, int j1, float[] B, int bOff, int ldb,
                        float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (!accumulate) for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
        float[] sums = SCRATCH.get().sums;
        int lanes = Lanes.ROWS;
        for (int j = j0; j < j1; j += 8) {
            int end = Math.min(j1, j + 8);
            for (int g = 0; g < M; g += lanes)
                VectorDots.columns(xT, g * K, Math.min(lanes, M - g), K, j, end, B, bOff, ldb, C, cOff + g * ldc, ldc, sums);
        }
        if (relu) Gemm.reluRows(C, cOff + j0, ldc, M, j1 - j0);
    }

    /**
     * {@link #serial} with its columns split across the pool in multiples of eight (each output's chain unchanged):
     * fc1 acting on one to four observations has a few rows and 512 columns. A's rows are laid out once, here.
     */
    static void parallel(WorkerPool pool, int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                         float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
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
