package org.dqnscratch.tensor;

/**
 * The forward pass, weight gradient and input gradient of an unpadded convolution with their operands
 * read where they lie. The forward's product is computed transposed,
 * {@code Y^T[N*P, OC] = U^T . W^T}, so that the unfolded input U^T is the
 * micro-kernel's A operand, whose elements it loads one at a time anyway (a broadcast per row and
 * k). Element (pixel j, patch position q) of U^T is {@code x[base(j) + koff(q)]}, so the kernel
 * gathers it itself ({@link MicroKernel#imageTile}) and nothing is packed but W^T (a few KB). The
 * weight gradient the same way round: {@code dW^T = U . dY^T}, U read from the image as A, only dY^T
 * packed ({@link #weightGrad}). The input gradient as {@code dU^T[N*P, patch] = dY^T . W}, dY^T read
 * where it lies as A and each tile added straight into dx (col2im fused into the product, no dU
 * buffer; {@link #inputGrad}).
 *
 * <p>Why: the implicit GEMM of {@link CpuConv} gathers U into B panels before multiplying; with
 * 32 output channels (conv1) each gathered value serves only 32 multiply-adds, and a JFR profile of
 * a Nature-CNN update put 14.5% of its samples in that gather against 23% in the forward tiles.
 *
 * <p>Same floats as {@link CpuConv}'s implicit GEMM, to the bit: each output is
 * {@code (0 + chain(block 1)) + chain(block 2) ...} over the same {@link Gemm#KC}-deep blocks of k,
 * each chain a run of fused multiply-adds in k order ({@code fma(u, w, c)} here, {@code fma(w, u, c)}
 * there: the same rounding), then the bias, then the ReLU. The input gradient's products are the
 * implicit GEMM's chains too, but they reach dx in another order (tile by tile rather than col2im's
 * patch row by row), so dx may differ in its last bits. Padded convolutions and JVMs without the
 * Vector API take the implicit GEMM.
 */
final class DirectConv implements WorkerPool.Job {
    /** Below this many multiply-adds one thread does the whole product. */
    private static final long PARALLEL_MIN_WORK = Gemm.PARALLEL_MIN_WORK;

    private final MicroKernel kernel;
    private final int MR, NR;
    /** W^T in NR-wide panels, one per block of NR output channels: panel jb, row k at (jb * patch + k) * NR. */
    private float[] weightsT = new float[0];
    /** dY^T in NR-wide panels, one per block of NR output channels: panel jb, row j (a pixel) at (jb * NP + j) * NR. */
    private float[] dyT = new float[0];
    /** dW transposed while it accumulates: [blocks][patch rounded up to MR][NR]. */
    private float[] dwT = new float[0];
    /** W [OC, patch] in NR-wide panels over patch positions: panel jb, row oc at (jb * OC + oc) * NR. */
    private float[] weightsByPatch = new float[0];
    /** channelOff[oc] = oc * P: where channel oc of a pixel's dY lies from the pixel's first channel. */
    private int[] channelOff = new int[0];
    /** Offset tables per geometry, kept across calls (a network's layers take turns): no allocation per call. */
    private final java.util.List<ConvGeometry> tableFor = new java.util.ArrayList<>();
    private final java.util.List<int[][]> tables = new java.util.ArrayList<>();

    private enum Pass { FORWARD, WEIGHT_GRAD, INPUT_GRAD }

    // The call being run (set by forward / weightGrad / inputGrad, read by run(part)).
    private Pass pass;
    private ConvGeometry g;
    /** koff[q]: offset of patch position q = (c, kh, kw) from a pixel's corner, (c*H + kh)*W + kw. */
    private int[] koff;
    /** corner[j]: offset of output pixel j = (n, oh, ow)'s corner in x, n*C*H*W + oh*s*W + ow*s. */
    private int[] corner;
    private float[] x, b, y, dw, dy, dx;
    private int xOff, bOff, yOff, dwOff, dyOff, dxOff, groups, chunk;
    private boolean relu;

    /** Groups of MR pixels per strip: a strip's outputs are written channel by channel, STRIP * MR pixels long. */
    private static final int STRIP = 8;

    /** Per-thread scratch: corners of a group's pixels, one tile, its sum over k blocks, a strip channel-major. */
    private static final class Scratch {
        final int[] base;
        final float[] tile = new float[MicroKernel.MAX_TILE], acc = new float[MicroKernel.MAX_TILE], strip;
        Scratch(int mr, int nr) { base = new int[mr]; strip = new float[nr * STRIP * mr]; }
    }

    private final ThreadLocal<Scratch> scratch;

    DirectConv(MicroKernel kernel) {
        this.kernel = kernel;
        this.MR = kernel.mr();
        this.NR = kernel.nr();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(MR, NR));
    }

    /** The kernel in this JVM that can read an image itself, or null (no Vector API). */
    static DirectConv orNull() {
        MicroKernel k = Gemm.vectorKernel();
        return k == null ? null : new DirectConv(k);
    }

    /** The same on the 6 x 4-vector kernel chosen for wide convolutions beside a 6 x 2 one, or null ({@link Gemm#wideKernel}). */
    static DirectConv wideOrNull() {
        MicroKernel k = Gemm.wideKernel();
        return k == null ? null : new DirectConv(k);
    }

    /** Whether this path computes the convolution (unpadded; the rest goes to the implicit GEMM). */
    static boolean handles(ConvGeometry g) { return g.pad() == 0; }

    /** Whether a layer's output channels fill this kernel's tile width (its NR) at least once. */
    boolean fills(ConvGeometry g) { return g.OC() >= NR; }

    /** y = conv(x) + b, then max(y, 0) (NaN to 0) when {@code relu}; y is NCHW. */
    void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff, float[] y, int yOff,
                 ConvGeometry geo, boolean relu) {
        if (!handles(geo)) throw new IllegalArgumentException("padded convolution: " + geo);
        set(Pass.FORWARD, geo, x, xOff);
        b = bias; bOff = biasOff; this.y = y; this.yOff = yOff; this.relu = relu;
        packWeights(w, wOff);
        runGroups(g.N() * g.OH() * g.OW());
    }

    /**
     * dW += dY . U^T, computed as its transpose dW^T[patch, OC] = U[patch, N*P] . dY^T[N*P, OC]: the rows of
     * A are patch positions, k runs over output pixels, and the kernel again reads U from the image
     * ({@code x[xOff + koff(q) + corner(j)]}); only dY^T is packed (OC floats a pixel against patch
     * gathered floats a pixel before). Same floats as the implicit GEMM: each dW element gets one chain
     * per {@link Gemm#KC} pixels, added in pixel order.
     */
    void weightGrad(float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff, ConvGeometry geo) {
        if (!handles(geo)) throw new IllegalArgumentException("padded convolution: " + geo);
        set(Pass.WEIGHT_GRAD, geo, x, xOff);
        this.dw = dw; this.dwOff = dwOff;
        packOutputGrad(dy, dyOff);
        int size = (g.OC() + NR - 1) / NR * ((g.patch() + MR - 1) / MR * MR) * NR;
        if (dwT.length < size) dwT = new float[size];
        runGroups(g.patch());
    }

    /**
     * dx += the input gradient, computed as dU^T[N*P, patch] = dY^T[N*P, OC] . W[OC, patch]: A is dY^T read from
     * dY where it lies ({@code dy[pixel's first channel + oc * P]}), B is W in NR-wide panels, and each
     * MR x NR tile (MR pixels of one sample, NR patch positions) is added into dx at
     * {@code corner(pixel) + koff(q)}. Samples split across the pool, so each thread writes its own
     * samples' dx.
     */
    void inputGrad(float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff, ConvGeometry geo) {
        if (!handles(geo)) throw new IllegalArgumentException("padded convolution: " + geo);
        set(Pass.INPUT_GRAD, geo, null, 0);
        this.dy = dy; this.dyOff = dyOff; this.dx = dx; this.dxOff = dxOff;
        int OC = g.OC(), P = g.OH() * g.OW();
        if (channelOff.length < OC) channelOff = new int[OC];
        for (int oc = 0; oc < OC; oc++) channelOff[oc] = oc * P;
        packWeightsByPatch(w, wOff);
        WorkerPool pool = WorkerPool.shared();
        long work = (long) g.N() * P * OC * g.patch();
        int parts = pool.inJob() || work < PARALLEL_MIN_WORK ? 1 : Math.min(pool.threads(), g.N());
        chunk = (g.N() + parts - 1) / parts;
        parts = (g.N() + chunk - 1) / chunk;
        pool.run(this, parts);
        this.dy = this.dx = null;
    }

    /** W [OC, patch] row-major into NR-wide panels over patch positions, zero past the last position. */
    private void packWeightsByPatch(float[] w, int wOff) {
        int OC = g.OC(), patch = g.patch(), blocks = (patch + NR - 1) / NR;
        if (weightsByPatch.length < blocks * OC * NR) weightsByPatch = new float[blocks * OC * NR];
        for (int jb = 0; jb < blocks; jb++) {
            int nr = Math.min(NR, patch - jb * NR);
            for (int oc = 0; oc < OC; oc++) {
                int dst = (jb * OC + oc) * NR;
                System.arraycopy(w, wOff + oc * patch + jb * NR, weightsByPatch, dst, nr);
                if (nr < NR) java.util.Arrays.fill(weightsByPatch, dst + nr, dst + NR, 0f);
            }
        }
    }

    private void set(Pass p, ConvGeometry geo, float[] x, int xOff) {
        pass = p; g = geo; this.x = x; this.xOff = xOff;
        int[][] t = tables(geo);
        koff = t[0];
        corner = t[1];
    }

    /** Runs the pass over groups of MR rows (pixels or patch positions), split across the pool. */
    private void runGroups(int rows) {
        groups = (rows + MR - 1) / MR;
        WorkerPool pool = WorkerPool.shared();
        long work = (long) g.N() * g.OH() * g.OW() * g.OC() * g.patch();
        int parts = pool.inJob() || work < PARALLEL_MIN_WORK ? 1 : Math.min(pool.threads(), groups);
        chunk = (groups + parts - 1) / parts;
        parts = (groups + chunk - 1) / chunk;
        pool.run(this, parts);
        x = y = b = dw = null;
    }

    /** W [OC, patch] row-major into NR-wide k-major panels of W^T, zero past the last channel. */
    private void packWeights(float[] w, int wOff) {
        int OC = g.OC(), patch = g.patch(), blocks = (OC + NR - 1) / NR;
        if (weightsT.length < blocks * patch * NR) weightsT = new float[blocks * patch * NR];
        for (int jb = 0; jb < blocks; jb++) {
            int base = jb * patch * NR, nr = Math.min(NR, OC - jb * NR);
            if (nr < NR) java.util.Arrays.fill(weightsT, base, base + patch * NR, 0f);
            for (int c = 0; c < nr; c++) {
                int src = wOff + (jb * NR + c) * patch;
                for (int k = 0; k < patch; k++) weightsT[base + k * NR + c] = w[src + k];
            }
        }
    }

    /** dY (NCHW, read as [OC, N*P]) into NR-wide pixel-major panels of dY^T, zero past the last channel. */
    private void packOutputGrad(float[] dy, int dyOff) {
        int OC = g.OC(), P = g.OH() * g.OW(), NP = g.N() * P, blocks = (OC + NR - 1) / NR;
        if (dyT.length < blocks * NP * NR) dyT = new float[blocks * NP * NR];
        for (int jb = 0; jb < blocks; jb++) {
            int base = jb * NP * NR, nr = Math.min(NR, OC - jb * NR);
            if (nr < NR) java.util.Arrays.fill(dyT, base, base + NP * NR, 0f);
            for (int n = 0; n < g.N(); n++) {
                for (int c = 0; c < nr; c++) {
                    int src = dyOff + (n * OC + jb * NR + c) * P, dst = base + n * P * NR + c;
                    for (int p = 0; p < P; p++) dyT[dst + p * NR] = dy[src + p];
                }
            }
        }
    }

    /** {koff, corner} of a geometry, made on its first call. */
    private int[][] tables(ConvGeometry geo) {
        for (int i = 0; i < tableFor.size(); i++) if (tableFor.get(i).equals(geo)) return tables.get(i);
        int H = geo.H(), W = geo.W(), s = geo.stride(), CHW = geo.C() * H * W, P = geo.OH() * geo.OW();
        int[] koff = new int[geo.patch()], corner = new int[geo.N() * P];
        for (int c = 0, q = 0; c < geo.C(); c++)
            for (int kh = 0; kh < geo.KH(); kh++)
                for (int kw = 0; kw < geo.KW(); kw++) koff[q++] = (c * H + kh) * W + kw;
        for (int j = 0; j < corner.length; j++) {
            int n = j / P, p = j % P;
            corner[j] = n * CHW + (p / geo.OW()) * s * W + (p % geo.OW()) * s;
        }
        if (tableFor.size() == 16) { tableFor.remove(0); tables.remove(0); }
        tableFor.add(geo);
        tables.add(new int[][] {koff, corner});
        return tables.get(tables.size() - 1);
    }

    @Override public void run(int part) {
        switch (pass) {
            case FORWARD -> forwardPart(part);
            case WEIGHT_GRAD -> weightGradPart(part);
            case INPUT_GRAD -> inputGradPart(part);
        }
    }

    /**
     * This part's samples: per block of NR patch positions (its W panel stays in L1), per group of MR
     * pixels, the tile summed over {@link Gemm#KC}-deep blocks of channels as in {@link #forwardPart},
     * then added into dx.
     */
    private void inputGradPart(int part) {
        Scratch s = scratch.get();
        int P = g.OH() * g.OW(), OC = g.OC(), patch = g.patch(), blocks = (patch + NR - 1) / NR;
        float[] tile = s.tile, acc = s.acc;
        int[] base = s.base;
        int from = part * chunk, to = Math.min(g.N(), from + chunk);
        for (int n = from; n < to; n++) {
            int sample = dyOff + n * OC * P;
            for (int jb = 0; jb < blocks; jb++) {
                int q0 = jb * NR, nr = Math.min(NR, patch - q0);
                for (int p0 = 0; p0 < P; p0 += MR) {
                    int mr = Math.min(MR, P - p0);
                    for (int r = 0; r < MR; r++) base[r] = sample + p0 + Math.min(r, mr - 1);
                    float[] sum = tile;
                    if (OC <= Gemm.KC) {
                        kernel.imageTile(OC, dy, base, channelOff, 0, weightsByPatch, jb * OC * NR, tile);
                    } else {
                        java.util.Arrays.fill(acc, 0, MR * NR, 0f);
                        for (int pc = 0; pc < OC; pc += Gemm.KC) {
                            kernel.imageTile(Math.min(Gemm.KC, OC - pc), dy, base, channelOff, pc, weightsByPatch, (jb * OC + pc) * NR, tile);
                            for (int i = 0; i < MR * NR; i++) acc[i] += tile[i];
                        }
                        sum = acc;
                    }
                    for (int r = 0; r < mr; r++) {
                        int at = dxOff + corner[n * P + p0 + r], t = r * NR;
                        for (int c = 0; c < nr; c++) dx[at + koff[q0 + c]] += sum[t + c];
                    }
                }
            }
        }
    }

    /**
     * Patch positions of this part's groups against every pixel, KC pixels at a time, in pixel order. The
     * part's rows of dW are first copied into dwT (transposed: a patch position's NR channels contiguous),
     * so that adding a tile is MR contiguous vector adds instead of MR * NR scattered ones, then copied back.
     */
    private void weightGradPart(int part) {
        Scratch s = scratch.get();
        int OC = g.OC(), patch = g.patch(), NP = g.N() * g.OH() * g.OW(), blocks = (OC + NR - 1) / NR;
        int rows = groups * MR;
        int[] base = s.base;
        float[] tile = s.tile;
        int from = part * chunk, to = Math.min(groups, from + chunk);
        int qFrom = from * MR, qTo = Math.min(patch, to * MR);
        transposeWeightGrad(qFrom, qTo, rows, true);
        for (int pc = 0; pc < NP; pc += Gemm.KC) {
            int kc = Math.min(Gemm.KC, NP - pc);
            for (int grp = from; grp < to; grp++) {
                int q0 = grp * MR, mr = Math.min(MR, patch - q0);
                for (int r = 0; r < MR; r++) base[r] = xOff + koff[q0 + Math.min(r, mr - 1)];
                for (int jb = 0; jb < blocks; jb++) {
                    kernel.imageTile(kc, x, base, corner, pc, dyT, (jb * NP + pc) * NR, tile);
                    kernel.addTile(tile, dwT, (jb * rows + q0) * NR, NR, mr, NR);
                }
            }
        }
        transposeWeightGrad(qFrom, qTo, rows, false);
    }

    /** Patch positions qFrom..qTo of dW [OC, patch] into dwT [blocks][rows][NR] ({@code in}), or back. */
    private void transposeWeightGrad(int qFrom, int qTo, int rows, boolean in) {
        int OC = g.OC(), patch = g.patch();
        for (int o = 0; o < OC; o++) {
            int jb = o / NR, c = o % NR, src = dwOff + o * patch;
            for (int q = qFrom; q < qTo; q++) {
                int t = (jb * rows + q) * NR + c;
                if (in) dwT[t] = dw[src + q];
                else dw[src + q] = dwT[t];
            }
        }
    }

    private void forwardPart(int part) {
        Scratch s = scratch.get();
        int P = g.OH() * g.OW(), NP = g.N() * P, OC = g.OC(), patch = g.patch(), blocks = (OC + NR - 1) / NR;
        int width = STRIP * MR;
        float[] tile = s.tile, acc = s.acc, strip = s.strip;
        int from = part * chunk, to = Math.min(groups, from + chunk);
        for (int s0 = from; s0 < to; s0 += STRIP) {
            int s1 = Math.min(to, s0 + STRIP), j0 = s0 * MR, jEnd = Math.min(NP, s1 * MR);
            for (int jb = 0; jb < blocks; jb++) {
                int nr = Math.min(NR, OC - jb * NR);
                for (int grp = s0; grp < s1; grp++) {
                    int g0 = grp * MR, mr = Math.min(MR, NP - g0);
                    corners(g0, mr, s.base);
                    java.util.Arrays.fill(acc, 0, MR * NR, 0f);
                    for (int pc = 0; pc < patch; pc += Gemm.KC) {
                        int kc = Math.min(Gemm.KC, patch - pc);
                        kernel.imageTile(kc, x, s.base, koff, pc, weightsT, (jb * patch + pc) * NR, tile);
                        for (int i = 0; i < MR * NR; i++) acc[i] += tile[i];
                    }
                    // Channel-major, so that each channel's pixels leave as one contiguous run.
                    for (int r = 0, at = g0 - j0; r < mr; r++, at++) {
                        for (int c = 0; c < nr; c++) strip[c * width + at] = acc[r * NR + c];
                    }
                }
                for (int c = 0; c < nr; c++) flush(strip, c * width, j0, jEnd, jb * NR + c);
            }
        }
    }

    /** base[r] = x offset of the corner of pixel g0 + r; rows past the last pixel repeat it (read, never written). */
    private void corners(int g0, int mr, int[] base) {
        for (int r = 0; r < MR; r++) base[r] = xOff + corner[g0 + Math.min(r, mr - 1)];
    }

    /**
     * Channel o of pixels j0 .. jEnd into NCHW (a run per sample) with the bias and the ReLU: CpuConv's
     * scatter, the same floats.
     */
    private void flush(float[] strip, int src, int j0, int jEnd, int o) {
        int P = g.OH() * g.OW(), OC = g.OC();
        float bo = b == null ? 0f : b[bOff + o];
        for (int j = j0; j < jEnd; ) {
            int n = j / P, p = j % P, run = Math.min(P - p, jEnd - j);
            int dst = yOff + (n * OC + o) * P + p, from = src + (j - j0);
            ElementwiseKernels.INSTANCE.addBias(y, dst, strip, from, bo, relu, 0, run);
            j += run;
        }
    }
}
