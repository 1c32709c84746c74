package org.dqnscratch.tensor;

/**
 * Single-precision matrix multiply on row-major {@code float[]}:
 * {@code C[M,N] (+)= op(A)[M,K] . op(B)[K,N]}, op = identity or transpose.
 *
 * <p>The fast path is BLIS-shaped: blocks of op(B) and op(A) are packed into contiguous
 * panels (which is also where the transposes are absorbed, so there is one micro-kernel
 * for all four cases), then a register-blocked micro-kernel computes an MR x NR tile of C
 * per call. That path needs the Java Vector API ({@code jdk.incubator.vector}, which the
 * launcher arranges); without it, {@link PlainGemm}'s auto-vectorised row loops run.
 * Big products are split across the {@link WorkerPool}. {@link #naive} is the reference
 * every fast path is tested against.
 */
public final class Gemm {
    private Gemm() {}

    /** Depth of one packed block: KC x NR floats of B stay in L1 while a panel of A streams. */
    static final int KC = 256;
    /** Rows of A packed per block (a multiple of every kernel's MR): MC x KC floats stay in L2. */
    static final int MC = 384;

    /** The Vector API micro-kernel, or null when this JVM lacks the module. */
    private static final MicroKernel KERNEL = MicroKernel.vectorOrNull();

    static {
        JitWarmup.start(KERNEL);
    }

    /** The Vector API micro-kernel, or null without the module (then only packed panels and row loops run). */
    static MicroKernel vectorKernel() { return KERNEL; }

    /** The kernel in use, for logs and benchmarks ("vector-512-6x32" or "plain-rows"). */
    public static String kernelName() { return KERNEL == null ? "plain-rows" : KERNEL.name(); }

    /** One thread's product: the packed SIMD path, or the plain row loops without the Vector API. */
    static void serial(boolean transA, boolean transB, int M, int N, int K,
                       float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                       float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (KERNEL != null && dotsPay(transA, transB, M, N)) dots(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
        else if (swapPays(transA, transB, M, N, K)) swapped(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
        else if (KERNEL != null) packed(KERNEL, transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
        else PlainGemm.rows(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
    }

    /**
     * {@code C = op(A) . op(B)}, or {@code C += op(A) . op(B)} when {@code accumulate}.
     * {@code lda, ldb, ldc} are the row lengths of A, B, C as stored.
     */
    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                            float[] C, int cOff, int ldc, boolean accumulate) {
        gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, false);
    }

    /**
     * The same, then {@code C = max(C, 0)} (NaN to 0, as {@link ElementwiseKernels#reluForward}) in the
     * epilogue: each block of C gets its ReLU when its last K block has been added, while it is in cache,
     * so the result is the same floats as the product followed by a ReLU pass.
     */
    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                            float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        WorkerPool pool = WorkerPool.shared();
        if (pool.threads() == 1 || (long) M * N * K < PARALLEL_MIN_WORK || pool.inJob()) {
            serial(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
            return;
        }
        if (dotsPay(transA, transB, M, N)) { // e.g. fc1 acting on a few observations: W . x^T, rows split
            ParallelDots job = DOTS.get();
            job.set(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu, pool.threads());
            pool.run(job, job.parts);
            job.clear();
            return;
        }
        Dense d = DENSE.get();
        if (swapPays(transA, transB, M, N, K)) { // C^T = B . A^T into a buffer, split across the pool; then transposed into C
            float[] t = swapBuffer(M, N, C, cOff, ldc, accumulate);
            gemm(d.a.set(false, B, bOff, ldb), d.b.set(true, A, aOff, lda), N, M, K, t, 0, M, accumulate, false);
            transposeInto(t, M, N, C, cOff, ldc, relu);
        } else {
            gemm(d.a.set(transA, A, aOff, lda), d.b.set(transB, B, bOff, ldb), M, N, K, C, cOff, ldc, accumulate, relu);
        }
        d.a.clear();
        d.b.clear();
    }

    /**
     * Whether to compute A . B^T as (B . A^T)^T: a layer's forward pass x . W^T with fewer rows (batch) than
     * columns (outputs) packs W^T, N x K floats gathered across W's rows, for every call (fc1 at batch 32:
     * 1.6 M floats, as long as the product itself). Swapped, W is read where it lies and only x^T is packed
     * (M x K), at the price of transposing the M x N result. The same floats: each element is the same chain
     * of fused multiply-adds (fma(w, x, s) == fma(x, w, s)), block by block, from C's old value when accumulating.
     */
    static boolean swapPays(boolean transA, boolean transB, int M, int N, int K) {
        return KERNEL != null && !transA && transB && M >= KERNEL.mr() && M < N && (long) (N - M) * K > 2L * M * N;
    }

    /** {@link #swapPays}'s product on this thread. */
    private static void swapped(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        float[] t = swapBuffer(M, N, C, cOff, ldc, accumulate);
        packed(KERNEL, false, true, N, M, K, B, bOff, ldb, A, aOff, lda, t, 0, M, accumulate, false);
        transposeInto(t, M, N, C, cOff, ldc, relu);
    }

    /** This thread's N x M buffer for a swapped product, holding C^T when accumulating (the chains start from C's values). */
    private static float[] swapBuffer(int M, int N, float[] C, int cOff, int ldc, boolean accumulate) {
        Workspace ws = WORKSPACE.get();
        if (ws.swap.length < M * N) ws.swap = new float[M * N];
        float[] t = ws.swap;
        if (accumulate) {
            for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) t[j * M + i] = C[cOff + i * ldc + j];
        }
        return t;
    }

    /** C = T^T (T is N x M), then the ReLU epilogue when {@code relu}. */
    private static void transposeInto(float[] t, int M, int N, float[] C, int cOff, int ldc, boolean relu) {
        for (int i = 0; i < M; i++) {
            int c = cOff + i * ldc;
            for (int j = 0; j < N; j++) C[c + j] = t[j * M + i];
        }
        if (relu) reluRows(C, cOff, ldc, M, N);
    }

    /**
     * {@code C (+)= op(A) . op(B)} with the operands read through panel sources (e.g. an image
     * unfolded on the fly), split across the worker pool when big enough, with the ReLU epilogue when
     * {@code relu}. Without the Vector API the plain micro-kernel runs (the row loops need dense operands).
     */
    static void gemm(Panels.A a, Panels.B b, int M, int N, int K, float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        WorkerPool pool = WorkerPool.shared();
        if (pool.threads() == 1 || (long) M * N * K < PARALLEL_MIN_WORK || pool.inJob()) {
            packed(KERNEL != null ? KERNEL : PlainMicroKernel.INSTANCE, a, b, M, N, K, 0, 0, C, cOff, ldc, accumulate, relu);
            return;
        }
        MicroKernel kernel = KERNEL != null ? KERNEL : PlainMicroKernel.INSTANCE;
        ParallelGemm job = JOB.get();
        job.set(kernel, a, b, M, N, K, C, cOff, ldc, accumulate, relu, pool.threads());
        pool.run(job, job.parts);
        job.clear();
    }

    /**
     * Whether {@link #dots} beats packing: A times a transposed B (a layer's forward pass,
     * x . W^T) with fewer rows than the kernel's tile (acting on a batch of 1-4) or a handful of
     * columns (a Q head of 2-6 actions). Packing W^T for those costs more than the product: a
     * CartPole run spent a sixth of its time re-packing weights for one-row forward passes.
     */
    static boolean dotsPay(boolean transA, boolean transB, int M, int N) {
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
    static void dots(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
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
        if (relu) reluRows(C, cOff, ldc, M, N);
    }

    /** The ReLU epilogue: C[r][c] = max(C[r][c], 0) over an mr x nr block (NaN to 0, as the ReLU pass). */
    static void reluRows(float[] C, int cIdx, int ldc, int mr, int nr) {
        for (int r = 0; r < mr; r++) ElementwiseKernels.INSTANCE.reluForward(C, cIdx + r * ldc, C, cIdx + r * ldc, 0, nr);
    }

    /** Rows i..i+3 by columns j..j+3 of {@link #dots}, the same chains. */
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

    /** Column j of rows i..i+3 of {@link #dots}, the same chains. */
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

    /** Rows of the micro-kernel in use (the height of packed A panels). */
    static int mr() { return (KERNEL != null ? KERNEL : PlainMicroKernel.INSTANCE).mr(); }

    /** {@code C (+)= op(A) . op(B)} for rows i0.. and columns j0.. of the sources, on this thread. */
    static void serial(Panels.A a, Panels.B b, int M, int N, int K, int i0, int j0,
                       float[] C, int cOff, int ldc, boolean accumulate) {
        packed(KERNEL != null ? KERNEL : PlainMicroKernel.INSTANCE, a, b, M, N, K, i0, j0, C, cOff, ldc, accumulate, false);
    }

    /** The two dense sources of the calling thread, reused across calls. */
    private static final class Dense {
        final Panels.Dense a = new Panels.Dense(), b = new Panels.Dense();
    }

    private static final ThreadLocal<Dense> DENSE = ThreadLocal.withInitial(Dense::new);

    /** Below this many multiply-adds a second thread costs more than it saves. */
    static final long PARALLEL_MIN_WORK = 1L << 20;

    private static final ThreadLocal<ParallelGemm> JOB = ThreadLocal.withInitial(ParallelGemm::new);

    /**
     * Splits C into column (or, when N is small, row) slices, one per thread; each thread runs
     * the serial algorithm on its slice, packing its own panels. A reused object: no allocation.
     */
    private static final class ParallelGemm implements WorkerPool.Job {
        MicroKernel kernel;
        Panels.A a;
        Panels.B b;
        boolean accumulate, relu, byColumns;
        int M, N, K, cOff, ldc, parts, chunk;
        float[] C;

        void set(MicroKernel kernel, Panels.A a, Panels.B b, int M, int N, int K,
                 float[] C, int cOff, int ldc, boolean accumulate, boolean relu, int threads) {
            this.kernel = kernel; this.a = a; this.b = b; this.M = M; this.N = N; this.K = K;
            this.C = C; this.cOff = cOff; this.ldc = ldc; this.accumulate = accumulate; this.relu = relu;
            int nr = kernel.nr(), mr = kernel.mr();
            byColumns = N >= M || N >= threads * nr;
            int dim = byColumns ? N : M, unit = byColumns ? nr : mr;
            int units = (dim + unit - 1) / unit;
            parts = Math.max(1, Math.min(threads, units));
            chunk = (units + parts - 1) / parts * unit;
            parts = (dim + chunk - 1) / chunk;
        }

        void clear() { a = null; b = null; C = null; }

        @Override public void run(int part) {
            int from = part * chunk;
            if (byColumns) packed(kernel, a, b, M, Math.min(chunk, N - from), K, 0, from, C, cOff + from, ldc, accumulate, relu);
            else packed(kernel, a, b, Math.min(chunk, M - from), N, K, from, 0, C, cOff + from * ldc, ldc, accumulate, relu);
        }
    }

    private static final ThreadLocal<ParallelDots> DOTS = ThreadLocal.withInitial(ParallelDots::new);

    /** {@link #dots} with its rows split across the pool in multiples of four (each row's chains unchanged). */
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
            dots(rows, N, K, A, aOff + from * lda, lda, B, bOff, ldb, C, cOff + from * ldc, ldc, accumulate, relu);
        }
    }

    /** Plain triple loop, double accumulation: the ground truth. */
    public static void naive(boolean transA, boolean transB, int M, int N, int K,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float[] C, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = accumulate ? C[cOff + i * ldc + j] : 0.0;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                    float b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                    s += (double) a * b;
                }
                C[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    /** Packed buffers, one set per thread, grown on first use and then reused. */
    private static final class Workspace {
        float[] packA = new float[0];
        float[] packB = new float[0];
        /** A swapped product's result, transposed (see {@link #swapPays}). */
        float[] swap = new float[0];
        final float[] tile = new float[MicroKernel.MAX_TILE];
        final Dense dense = new Dense();
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** The packed algorithm with a given micro-kernel, on this thread, dense operands. */
    static void packed(MicroKernel kernel, boolean transA, boolean transB, int M, int N, int K,
                       float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                       float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        Dense d = WORKSPACE.get().dense;
        packed(kernel, d.a.set(transA, A, aOff, lda), d.b.set(transB, B, bOff, ldb), M, N, K, 0, 0, C, cOff, ldc, accumulate, relu);
        d.a.clear();
        d.b.clear();
    }

    /**
     * The packed algorithm on this thread for rows i0.. and columns j0.. of the product (a
     * slice; {@code cOff} points at its first element). A block of up to MC rows of op(A) is
     * packed once per KC-deep slab; each NR-wide panel of op(B) is packed just before the tiles
     * that use it, so it is still in L1 for all of them (conv shapes have few rows and many
     * columns: packing all of op(B) first would stream it through memory). With {@code relu}, a
     * tile gets its ReLU right after its last K block is added.
     */
    static void packed(MicroKernel kernel, Panels.A a, Panels.B b, int M, int N, int K, int i0, int j0,
                       float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (M == 0 || N == 0) return;
        if (!accumulate) for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc, cOff + i * ldc + N, 0f);
        if (K == 0) {
            if (relu) reluRows(C, cOff, ldc, M, N);
            return;
        }
        final int MR = kernel.mr(), NR = kernel.nr();
        Workspace ws = WORKSPACE.get();
        int kcMax = Math.min(K, KC), mcMax = Math.min(roundUp(M, MR), MC);
        if (ws.packB.length < NR * kcMax) ws.packB = new float[NR * kcMax];
        if (ws.packA.length < mcMax * kcMax) ws.packA = new float[mcMax * kcMax];
        float[] pa = ws.packA, pb = ws.packB;
        // A row-major A or B is read where it lies (full tiles only; ragged edges are packed,
        // with their zero padding): packing small layers cost as much as multiplying them.
        Panels.Dense rowsA = kernel.readsUnpacked() && a instanceof Panels.Dense d && !d.trans ? d : null;
        Panels.Dense rowsB = kernel.readsUnpacked() && b instanceof Panels.Dense d && !d.trans ? d : null;

        for (int pc = 0; pc < K; pc += KC) {
            int kc = Math.min(KC, K - pc);
            boolean lastBlock = relu && pc + kc == K;
            for (int ic = 0; ic < M; ic += MC) {
                int mc = Math.min(MC, M - ic);
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    if (rowsA == null || mr < MR) a.packA(i0 + ic + ir, mr, MR, pc, kc, pa, ir * kc);
                }
                for (int jr = 0; jr < N; jr += NR) {
                    int nr = Math.min(NR, N - jr);
                    boolean directB = rowsB != null && nr == NR;
                    if (!directB) b.packB(pc, kc, j0 + jr, nr, NR, pb, 0);
                    float[] bm = directB ? rowsB.m : pb;
                    int bIdx = directB ? rowsB.off + pc * rowsB.ld + j0 + jr : 0, bRow = directB ? rowsB.ld : NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        if (rowsA != null && mr == MR) {
                            int aIdx = rowsA.off + (i0 + ic + ir) * rowsA.ld + pc;
                            kernel.tile(kc, rowsA.m, aIdx, rowsA.ld, 1, bm, bIdx, bRow, ws.tile);
                        } else if (directB) {
                            kernel.tile(kc, pa, ir * kc, 1, MR, bm, bIdx, bRow, ws.tile);
                        } else {
                            kernel.tile(kc, pa, ir * kc, pb, 0, ws.tile);
                        }
                        kernel.addTile(ws.tile, C, cOff + (ic + ir) * ldc + jr, ldc, mr, nr);
                        if (lastBlock) reluRows(C, cOff + (ic + ir) * ldc + jr, ldc, mr, nr);
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int m) { return (x + m - 1) / m * m; }
}
