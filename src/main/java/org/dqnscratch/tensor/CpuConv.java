package org.dqnscratch.tensor;

/**
 * Convolution on the CPU as one implicit GEMM over the whole batch. The unfolded input (im2col:
 * row q = (c, kh, kw) of the patch, column j = n*P + p for output pixel p of sample n) is never
 * stored: {@link Gemm} asks for panels of it and {@link Unfolded} gathers them from the image.
 * With Y and dY the outputs read as [OC, N*P] matrices:
 * <pre>
 *   forward   Y       = W[OC, patch] . U[patch, N*P]      then y[n, oc, p] = Y[oc, n*P + p] + b[oc] (then the ReLU, fused)
 *   dW       dW      += dY . U^T
 *   dX       dU_n     = W^T . dY_n, one sample at a time    then dx_n += col2im(dU_n)
 * </pre>
 * With the Vector API, the forward, dW and dX of unpadded convolutions go to {@link DirectConv} instead
 * (the image and dY read by the micro-kernel itself rather than gathered into panels; the same floats
 * for y and dW, dX added in another order), on the 6 x 4-vector tile where the machine has one beside its
 * 6 x 2 tile and the layer has that many output channels ({@link VectorKernels}; the same floats again).
 * Forward and dW are one GEMM over all samples (the weights are packed once, and the small
 * conv3 output, 7x7, does not waste most of a 32-wide tile); the GEMM splits itself across the
 * worker pool. dX goes sample by sample, samples split across threads, so that each dU_n
 * (patch x P floats) is still in cache when col2im reads it back (the whole batch's dU would be
 * 5 MB for conv2). Gradients accumulate into dx, dW and db, like every backward op. Scratch is
 * reused: no allocation per call.
 */
final class CpuConv implements WorkerPool.Job {
    private enum Pass { SCATTER, DX, BIAS }
    private static final int MAX_PARTS = 64;

    private final Unfolded unfolded = new Unfolded();
    /** Forward, dW and dX of unpadded convolutions, or null (no Vector API, or a test that wants the implicit GEMM). */
    private final DirectConv direct;
    /** The same on the wide tile, for layers whose output channels fill it, or null (see {@link #directFor}). */
    private final DirectConv directWide;
    private final OutputGrad dyMatrix = new OutputGrad();
    private final Panels.Dense weights = new Panels.Dense();
    /** W^T packed once per backward call for the per-sample dX products. */
    private final Panels.Prepacked weightsT = new Panels.Prepacked();
    /** Y (forward), [OC, N*P]. */
    private float[] scratch = new float[0];
    /** dU of one sample, [patch, P], one per part. */
    private final float[][] dcol = new float[MAX_PARTS][0];

    // The pass being run (set by forward/backward, read by run(part)).
    private Pass pass;
    private ConvGeometry g;
    private float[] b, y, dy, dx, db;
    private int bOff, yOff, dyOff, dxOff, dbOff, chunk;
    private boolean relu;

    CpuConv() { this(true); }

    /** {@code allowDirect} false: every forward through the implicit GEMM (tests compare the two paths). */
    CpuConv(boolean allowDirect) {
        this.direct = allowDirect ? DirectConv.orNull() : null;
        this.directWide = direct == null ? null : DirectConv.wideOrNull();
    }

    /** The direct path for this layer (the wide tile when its channels fill it), or null: the implicit GEMM. */
    private DirectConv directFor(ConvGeometry geo) {
        if (direct == null || !DirectConv.handles(geo)) return null;
        return directWide != null && directWide.fills(geo) ? directWide : direct;
    }

    /**
     * y = conv(x) + b, and with {@code relu} max(y, 0) (NaN to 0) applied in the pass that scatters the
     * product into NCHW and adds the bias, a row at a time while it is in cache: the floats of
     * forward-then-ReLU without a second pass over the output.
     */
    void forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry geo, boolean relu) {
        DirectConv path = directFor(geo);
        if (path != null) {
            path.forward(CpuBackend.data(inp), inp.offset, CpuBackend.data(weight), weight.offset,
                    bias == null ? null : CpuBackend.data(bias), bias == null ? 0 : bias.offset,
                    CpuBackend.data(out), out.offset, geo, relu);
            return;
        }
        this.relu = relu;
        g = geo;
        int NP = g.N() * g.OH() * g.OW();
        ensureScratch(g.OC() * NP);
        unfolded.set(CpuBackend.data(inp), inp.offset, g, false);
        weights.set(false, CpuBackend.data(weight), weight.offset, g.patch());
        Gemm.gemm(weights, unfolded, g.OC(), NP, g.patch(), scratch, 0, NP, false, false);
        b = bias == null ? null : CpuBackend.data(bias); bOff = bias == null ? 0 : bias.offset;
        y = CpuBackend.data(out); yOff = out.offset;
        runParts(Pass.SCATTER, g.N());
        release();
    }

    void backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, ConvGeometry geo) {
        g = geo;
        int NP = g.N() * g.OH() * g.OW();
        dy = CpuBackend.data(dout); dyOff = dout.offset;
        dyMatrix.set(dy, dyOff, g);
        if (dbias != null) {
            db = CpuBackend.data(dbias); dbOff = dbias.offset;
            runParts(Pass.BIAS, g.OC());
        }
        DirectConv path = directFor(geo);
        if (dweight != null && path != null) {
            path.weightGrad(CpuBackend.data(inp), inp.offset, dy, dyOff, CpuBackend.data(dweight), dweight.offset, geo);
        } else if (dweight != null) {
            unfolded.set(CpuBackend.data(inp), inp.offset, g, true);
            Gemm.gemm(dyMatrix, unfolded, g.OC(), g.patch(), NP, CpuBackend.data(dweight), dweight.offset, g.patch(), true, false);
        }
        if (dinp != null && path != null) {
            path.inputGrad(dy, dyOff, CpuBackend.data(weight), weight.offset, CpuBackend.data(dinp), dinp.offset, geo);
        } else if (dinp != null) {
            weightsT.pack(weights.set(true, CpuBackend.data(weight), weight.offset, g.patch()), g.patch(), g.OC(), Gemm.mr());
            dx = CpuBackend.data(dinp); dxOff = dinp.offset;
            runParts(Pass.DX, g.N());
        }
        release();
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) scratch = new float[n];
    }

    /** Drops the references to the caller's arrays between calls. */
    private void release() {
        b = y = dy = dx = db = null;
        unfolded.clear();
        dyMatrix.clear();
        weights.clear();
    }

    /** Runs a pass over `count` items (samples or channels), split across the pool. */
    private void runParts(Pass p, int count) {
        pass = p;
        WorkerPool pool = WorkerPool.shared();
        int parts = pool.inJob() ? 1 : Math.max(1, Math.min(Math.min(pool.threads(), MAX_PARTS), count));
        chunk = (count + parts - 1) / parts;
        parts = (count + chunk - 1) / chunk;
        pool.run(this, parts);
    }

    @Override public void run(int part) {
        int P = g.OH() * g.OW(), NP = g.N() * P, OC = g.OC();
        int count = pass == Pass.BIAS ? OC : g.N();
        int from = part * chunk, to = Math.min(count, from + chunk);
        switch (pass) {
            case SCATTER -> {
                for (int n = from; n < to; n++) {
                    for (int o = 0; o < OC; o++) {
                        float bo = b == null ? 0f : b[bOff + o];
                        int src = o * NP + n * P, dst = yOff + (n * OC + o) * P;
                        ElementwiseKernels.INSTANCE.addBias(y, dst, scratch, src, bo, relu, 0, P);
                    }
                }
            }
            case BIAS -> {
                for (int o = from; o < to; o++) {
                    float s = 0f;
                    for (int n = 0; n < g.N(); n++) {
                        int at = dyOff + (n * OC + o) * P;
                        for (int p = 0; p < P; p++) s += dy[at + p];
                    }
                    db[dbOff + o] += s;
                }
            }
            case DX -> {
                int inSize = g.C() * g.H() * g.W(), patch = g.patch();
                if (dcol[part].length < patch * P) dcol[part] = new float[patch * P];
                float[] dU = dcol[part];
                for (int n = from; n < to; n++) {
                    Gemm.serial(weightsT, dyMatrix, patch, P, OC, 0, n * P, dU, 0, P, false);
                    col2im(dx, dxOff + n * inSize, dU, 0, P, g);
                }
            }
        }
    }

    /**
     * The adjoint of unfolding one sample: dx[c, ih, iw] += every dU entry that was read from it,
     * where row q of this sample's dU starts at dcol[dcolOff + q * ld].
     */
    static void col2im(float[] dx, int dxOff, float[] dcol, int dcolOff, int ld, ConvGeometry g) {
        int OH = g.OH(), OW = g.OW(), s = g.stride(), pad = g.pad();
        for (int c = 0; c < g.C(); c++) {
            for (int kh = 0; kh < g.KH(); kh++) {
                for (int kw = 0; kw < g.KW(); kw++) {
                    int row = dcolOff + ((c * g.KH() + kh) * g.KW() + kw) * ld;
                    int lo = owLo(kw, s, pad, OW), hi = owHi(kw, s, pad, OW, g.W());
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * s - pad + kh;
                        if (ih < 0 || ih >= g.H()) continue;
                        int dst = dxOff + (c * g.H() + ih) * g.W() - pad + kw, src = row + oh * OW;
                        for (int ow = lo; ow < hi; ow++) dx[dst + ow * s] += dcol[src + ow];
                    }
                }
            }
        }
    }

    /** First output column whose input column ow*s - pad + kw is >= 0. */
    static int owLo(int kw, int s, int pad, int OW) {
        return Math.min(OW, Math.max(0, Math.floorDiv(pad - kw + s - 1, s)));
    }

    /** One past the last output column whose input column is < W (never below owLo). */
    static int owHi(int kw, int s, int pad, int OW, int W) {
        return Math.max(owLo(kw, s, pad, OW), Math.min(OW, Math.floorDiv(W - 1 + pad - kw, s) + 1));
    }

    /**
     * The unfolded input U[patch, N*P] (or its transpose), gathered panel by panel from the image.
     * Element (q, j) with q = (c, kh, kw) and j = (n, oh, ow) is x at offset
     * pixel(j) + patch(q), pixel(j) = n*C*H*W + (oh*s - pad)*W + ow*s - pad and
     * patch(q) = (c*H + kh)*W + kw, so a panel computes the offsets of its NR columns once and
     * each of its kc rows is a gather with no division; outside the padded image it reads 0.
     */
    static final class Unfolded implements Panels.B {
        /** Per-thread offsets of a panel's columns: x offset, first input row, first input column. */
        private static final ThreadLocal<int[][]> COLUMNS = ThreadLocal.withInitial(() -> new int[3][0]);

        private float[] x;
        private int xOff;
        private ConvGeometry g;
        private boolean transposed;

        void set(float[] x, int xOff, ConvGeometry g, boolean transposed) {
            this.x = x; this.xOff = xOff; this.g = g; this.transposed = transposed;
        }

        void clear() { x = null; }

        @Override public void packB(int k0, int kc, int j0, int nr, int NR, float[] out, int base) {
            int[][] cols = COLUMNS.get();
            if (cols[0].length < NR) cols = new int[][] {new int[NR], new int[NR], new int[NR]};
            COLUMNS.set(cols);
            int[] off = cols[0], row0 = cols[1], col0 = cols[2];
            int H = g.H(), W = g.W();
            boolean padded = g.pad() > 0;
            if (!transposed) {
                // op(B) = U: columns are pixels, rows patch positions.
                pixels(j0, nr, off, row0, col0);
                int kw = k0 % g.KW(), kh = k0 / g.KW() % g.KH(), c = k0 / (g.KH() * g.KW());
                for (int k = 0; k < kc; k++) {
                    int dst = base + k * NR, at = xOff + (c * H + kh) * W + kw;
                    if (!padded) {
                        for (int i = 0; i < nr; i++) out[dst + i] = x[at + off[i]];
                    } else {
                        for (int i = 0; i < nr; i++) {
                            int ih = row0[i] + kh, iw = col0[i] + kw;
                            out[dst + i] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[at + off[i]] : 0f;
                        }
                    }
                    for (int i = nr; i < NR; i++) out[dst + i] = 0f;
                    if (++kw == g.KW()) { kw = 0; if (++kh == g.KH()) { kh = 0; c++; } }
                }
            } else {
                // op(B) = U^T: columns are patch positions, rows pixels.
                patches(j0, nr, off, row0, col0);
                int OW = g.OW(), OH = g.OH(), s = g.stride(), pad = g.pad();
                int n = k0 / (OH * OW), oh = k0 / OW % OH, ow = k0 % OW, CHW = g.C() * H * W;
                for (int k = 0; k < kc; k++) {
                    int dst = base + k * NR, ih0 = oh * s - pad, iw0 = ow * s - pad;
                    int at = xOff + n * CHW + ih0 * W + iw0;
                    if (!padded) {
                        for (int i = 0; i < nr; i++) out[dst + i] = x[at + off[i]];
                    } else {
                        for (int i = 0; i < nr; i++) {
                            int ih = ih0 + row0[i], iw = iw0 + col0[i];
                            out[dst + i] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[at + off[i]] : 0f;
                        }
                    }
                    for (int i = nr; i < NR; i++) out[dst + i] = 0f;
                    if (++ow == OW) { ow = 0; if (++oh == OH) { oh = 0; n++; } }
                }
            }
        }

        /** pixel(j) and the first input row/column of pixels j0 .. j0+count. */
        private void pixels(int j0, int count, int[] off, int[] row0, int[] col0) {
            int OW = g.OW(), OH = g.OH(), s = g.stride(), pad = g.pad(), W = g.W(), CHW = g.C() * g.H() * W;
            int n = j0 / (OH * OW), oh = j0 / OW % OH, ow = j0 % OW;
            for (int i = 0; i < count; i++) {
                row0[i] = oh * s - pad;
                col0[i] = ow * s - pad;
                off[i] = n * CHW + row0[i] * W + col0[i];
                if (++ow == OW) { ow = 0; if (++oh == OH) { oh = 0; n++; } }
            }
        }

        /** patch(q), kh and kw of patch positions q0 .. q0+count. */
        private void patches(int q0, int count, int[] off, int[] kh, int[] kw) {
            int KW = g.KW(), KH = g.KH(), H = g.H(), W = g.W();
            int w = q0 % KW, h = q0 / KW % KH, c = q0 / (KH * KW);
            for (int i = 0; i < count; i++) {
                kh[i] = h;
                kw[i] = w;
                off[i] = (c * H + h) * W + w;
                if (++w == KW) { w = 0; if (++h == KH) { h = 0; c++; } }
            }
        }
    }

    /** An NCHW output (or its gradient) read as the matrix [OC, N*P]: element (o, n*P + p). */
    static final class OutputGrad implements Panels.A, Panels.B {
        private float[] d;
        private int off, P, OC;

        void set(float[] d, int off, ConvGeometry g) {
            this.d = d; this.off = off; this.P = g.OH() * g.OW(); this.OC = g.OC();
        }

        void clear() { d = null; }

        @Override public void packA(int i0, int mr, int MR, int k0, int kc, float[] out, int base) {
            if (mr < MR) java.util.Arrays.fill(out, base + mr * kc, base + MR * kc, 0f);
            for (int r = 0; r < mr; r++) {
                for (int done = 0; done < kc; ) {
                    int j = k0 + done, n = j / P, p = j % P, run = Math.min(P - p, kc - done);
                    System.arraycopy(d, off + (n * OC + i0 + r) * P + p, out, base + r * kc + done, run);
                    done += run;
                }
            }
        }

        @Override public void packB(int k0, int kc, int j0, int nr, int NR, float[] out, int base) {
            for (int k = 0; k < kc; k++) {
                int dst = base + k * NR;
                for (int done = 0; done < nr; ) {
                    int j = j0 + done, n = j / P, p = j % P, run = Math.min(P - p, nr - done);
                    System.arraycopy(d, off + (n * OC + k0 + k) * P + p, out, dst + done, run);
                    done += run;
                }
                for (int c = nr; c < NR; c++) out[dst + c] = 0f;
            }
        }
    }
}
