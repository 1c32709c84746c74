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
 * A few rows or columns times a transposed matrix (acting batches, Q heads) skip the packing:
 * {@link GemmDots}, the same floats.
 * Big products are split across the {@link WorkerPool}. {@link #naive} is the reference
 * every fast path is tested against.
 */
public final class Gemm {
    private Gemm() {}

    /** Depth of one packed block: KC x NR floats of B stay in L1 while a panel of A streams. */
    static final int KC = 256;
    /** Rows of A packed per block (a multiple of every kernel's MR): MC x KC floats stay in L2. */
    static final int MC = 384;

    /** The Vector API micro-kernel for this machine, or none when this JVM lacks the module. */
    private static final MicroKernel.Choice CHOICE = MicroKernel.choose();
    private static final MicroKernel KERNEL = CHOICE.kernel();

    static {
        JitWarmup.start(KERNEL, CHOICE.wide());
    }

    /** The Vector API micro-kernel, or null without the module (then only packed panels and row loops run). */
    static MicroKernel vectorKernel() { return KERNEL; }

    /** The 6 x 4-vector kernel for wide convolutions beside a 6 x 2 {@link #vectorKernel}, or null ({@link VectorKernels}). */
    static MicroKernel wideKernel() { return CHOICE.wide(); }

    /** The kernel in use, for logs and benchmarks ("vector-512-6x32" or "plain-rows"). */
    public static String kernelName() { return KERNEL == null ? "plain-rows" : KERNEL.name(); }

    /** The kernel, its shape and why, and the blocking, for {@code info}. */
    public static String kernelDescription() {
        return kernelName() + ": " + CHOICE.why() + (KERNEL == null ? "" : "; blocks of KC " + KC + " x MC " + MC + " (A) and KC x NR (B)");
    }

    /** One thread's product: the packed SIMD path, or the plain row loops without the Vector API. */
    static void serial(boolean transA, boolean transB, int M, int N, int K,
                       float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                       float[] C, int cOff, int ldc, boolean accumulate, boolean relu) {
        if (GemmDots.pays(transA, transB, M, N)) GemmDots.serial(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
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
        if (GemmDots.pays(transA, transB, M, N)) { // e.g. fc1 acting on a few observations: W . x^T, rows split
            GemmDots.parallel(pool, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, relu);
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

    /** {@link #swapPays}'s product on this thread (package-private for GemmBench's kernel=turned). */
    static void swapped(int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
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

    /** The ReLU epilogue: C[r][c] = max(C[r][c], 0) over an mr x nr block (NaN to 0, as the ReLU pass). */
    static void reluRows(float[] C, int cIdx, int ldc, int mr, int nr) {
        for (int r = 0; r < mr; r++) ElementwiseKernels.INSTANCE.reluForward(C, cIdx + r * ldc, C, cIdx + r * ldc, 0, nr);
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
                            kernel.tile(kc, rowsA.m, aIdx, rowsA.ld, bm, bIdx, bRow, ws.tile);
                        } else if (directB) {
                            kernel.tile(kc, pa, ir * kc, kc, bm, bIdx, bRow, ws.tile);
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
