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
    /** Rows of A packed per block (a multiple of every kernel's MR). */
    static final int MC = 96;

    /** The Vector API micro-kernel, or null when this JVM lacks the module. */
    private static final MicroKernel KERNEL = MicroKernel.vectorOrNull();

    /** The kernel in use, for logs and benchmarks ("vector-512-6x32" or "plain-rows"). */
    public static String kernelName() { return KERNEL == null ? "plain-rows" : KERNEL.name(); }

    /** One thread's product: the packed SIMD path, or the plain row loops without the Vector API. */
    static void serial(boolean transA, boolean transB, int M, int N, int K,
                       float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                       float[] C, int cOff, int ldc, boolean accumulate) {
        if (KERNEL != null) packed(KERNEL, transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
        else PlainGemm.rows(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
    }

    /**
     * {@code C = op(A) . op(B)}, or {@code C += op(A) . op(B)} when {@code accumulate}.
     * {@code lda, ldb, ldc} are the row lengths of A, B, C as stored.
     */
    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                            float[] C, int cOff, int ldc, boolean accumulate) {
        WorkerPool pool = WorkerPool.shared();
        if (pool.threads() == 1 || (long) M * N * K < PARALLEL_MIN_WORK || pool.inJob()) {
            serial(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
            return;
        }
        ParallelGemm job = JOB.get();
        job.set(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate, pool.threads());
        pool.run(job, job.parts);
        job.clear();
    }

    /** Below this many multiply-adds a second thread costs more than it saves. */
    static final long PARALLEL_MIN_WORK = 1L << 20;

    private static final ThreadLocal<ParallelGemm> JOB = ThreadLocal.withInitial(ParallelGemm::new);

    /**
     * Splits C into column (or, when N is small, row) slices, one per thread; each thread runs
     * the serial algorithm on its slice, packing its own panels. A reused object: no allocation.
     */
    private static final class ParallelGemm implements WorkerPool.Job {
        boolean transA, transB, accumulate, byColumns;
        int M, N, K, aOff, lda, bOff, ldb, cOff, ldc, parts, chunk;
        float[] A, B, C;

        void set(boolean transA, boolean transB, int M, int N, int K, float[] A, int aOff, int lda,
                 float[] B, int bOff, int ldb, float[] C, int cOff, int ldc, boolean accumulate, int threads) {
            this.transA = transA; this.transB = transB; this.M = M; this.N = N; this.K = K;
            this.A = A; this.aOff = aOff; this.lda = lda; this.B = B; this.bOff = bOff; this.ldb = ldb;
            this.C = C; this.cOff = cOff; this.ldc = ldc; this.accumulate = accumulate;
            int nr = KERNEL == null ? 16 : KERNEL.nr(), mr = KERNEL == null ? 4 : KERNEL.mr();
            byColumns = N >= M || N >= threads * nr;
            int dim = byColumns ? N : M, unit = byColumns ? nr : mr;
            int units = (dim + unit - 1) / unit;
            parts = Math.max(1, Math.min(threads, units));
            chunk = (units + parts - 1) / parts * unit;
            parts = (dim + chunk - 1) / chunk;
        }

        void clear() { A = B = C = null; }

        @Override public void run(int part) {
            int from = part * chunk;
            if (byColumns) {
                int n = Math.min(chunk, N - from);
                serial(transA, transB, M, n, K, A, aOff, lda,
                        B, bOff + (transB ? from * ldb : from), ldb, C, cOff + from, ldc, accumulate);
            } else {
                int m = Math.min(chunk, M - from);
                serial(transA, transB, m, N, K, A, aOff + (transA ? from : from * lda), lda,
                        B, bOff, ldb, C, cOff + from * ldc, ldc, accumulate);
            }
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
        final float[] tile = new float[MicroKernel.MAX_TILE];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** The packed algorithm with a given micro-kernel, on this thread. */
    static void packed(MicroKernel kernel, boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float[] C, int cOff, int ldc, boolean accumulate) {
        if (M == 0 || N == 0) return;
        if (!accumulate) for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc, cOff + i * ldc + N, 0f);
        if (K == 0) return;
        final int MR = kernel.mr(), NR = kernel.nr();
        Workspace ws = WORKSPACE.get();
        int nPanels = (N + NR - 1) / NR;
        int kcMax = Math.min(K, KC);
        if (ws.packB.length < nPanels * NR * kcMax) ws.packB = new float[nPanels * NR * kcMax];
        int mcMax = Math.min(roundUp(M, MR), MC);
        if (ws.packA.length < mcMax * kcMax) ws.packA = new float[mcMax * kcMax];
        float[] pa = ws.packA, pb = ws.packB;

        for (int pc = 0; pc < K; pc += KC) {
            int kc = Math.min(KC, K - pc);
            packB(transB, B, bOff, ldb, pc, kc, N, NR, pb);
            for (int ic = 0; ic < M; ic += MC) {
                int mc = Math.min(MC, M - ic);
                packA(transA, A, aOff, lda, ic, mc, pc, kc, MR, pa);
                for (int jr = 0; jr < N; jr += NR) {
                    int nr = Math.min(NR, N - jr);
                    int bIdx = (jr / NR) * NR * kc;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        int cIdx = cOff + (ic + ir) * ldc + jr;
                        kernel.tile(kc, pa, ir * kc, pb, bIdx, ws.tile);
                        addTile(ws.tile, NR, C, cIdx, ldc, mr, nr);
                    }
                }
            }
        }
    }

    /** C[r][c] += tile[r][c] over the valid mr x nr corner (edge tiles are partial). */
    private static void addTile(float[] tile, int NR, float[] C, int cIdx, int ldc, int mr, int nr) {
        for (int r = 0; r < mr; r++) {
            int cr = cIdx + r * ldc, tr = r * NR;
            for (int c = 0; c < nr; c++) C[cr + c] += tile[tr + c];
        }
    }

    /** Packs op(B)[pc..pc+kc, 0..N) as panels of NR columns, k-major, zero-padded. */
    private static void packB(boolean transB, float[] B, int bOff, int ldb, int pc, int kc, int N, int NR, float[] out) {
        int nPanels = (N + NR - 1) / NR;
        for (int p = 0; p < nPanels; p++) {
            int j0 = p * NR, nr = Math.min(NR, N - j0), base = p * NR * kc;
            if (!transB) {
                for (int k = 0; k < kc; k++) {
                    int src = bOff + (pc + k) * ldb + j0, dst = base + k * NR;
                    System.arraycopy(B, src, out, dst, nr);
                    for (int c = nr; c < NR; c++) out[dst + c] = 0f;
                }
            } else {
                for (int c = 0; c < NR; c++) {
                    if (c < nr) {
                        int src = bOff + (j0 + c) * ldb + pc;
                        for (int k = 0; k < kc; k++) out[base + k * NR + c] = B[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) out[base + k * NR + c] = 0f;
                    }
                }
            }
        }
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc) as panels of MR rows, k-major, zero-padded. */
    private static void packA(boolean transA, float[] A, int aOff, int lda, int ic, int mc, int pc, int kc, int MR, float[] out) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir), base = ir * kc;
            if (transA) {
                for (int k = 0; k < kc; k++) {
                    int src = aOff + (pc + k) * lda + ic + ir, dst = base + k * MR;
                    System.arraycopy(A, src, out, dst, mr);
                    for (int r = mr; r < MR; r++) out[dst + r] = 0f;
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = aOff + (ic + ir + r) * lda + pc;
                        for (int k = 0; k < kc; k++) out[base + k * MR + r] = A[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) out[base + k * MR + r] = 0f;
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int m) { return (x + m - 1) / m * m; }
}
