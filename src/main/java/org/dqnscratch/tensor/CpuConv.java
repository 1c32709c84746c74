package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * Convolution on the CPU: each sample is unfolded (im2col) and multiplied by the weights.
 * Samples are split across the worker pool, each thread with its own scratch; weight and bias
 * gradients of the extra threads go to per-thread buffers and are summed at the end, so the
 * result does not depend on timing. Reused job objects and scratch: no allocation per call.
 */
final class CpuConv implements WorkerPool.Job {
    private static final int MAX_PARTS = 64;
    private final float[][] col = new float[MAX_PARTS][0], dcol = new float[MAX_PARTS][0];
    private final float[][] dwPart = new float[MAX_PARTS][0], dbPart = new float[MAX_PARTS][0];

    // The call being run (set by forward/backward, read by run(part)).
    private boolean backward;
    private ConvGeometry g;
    private float[] x, w, b, y, dy, dx, dw, db;
    private int xOff, wOff, bOff, yOff, dyOff, dxOff, dwOff, dbOff, chunk;

    void forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry geo) {
        backward = false;
        g = geo;
        x = CpuBackend.data(inp); xOff = inp.offset;
        w = CpuBackend.data(weight); wOff = weight.offset;
        b = bias == null ? null : CpuBackend.data(bias); bOff = bias == null ? 0 : bias.offset;
        y = CpuBackend.data(out); yOff = out.offset;
        runParts();
        release();
    }

    /** Drops the references to the caller's arrays between calls. */
    private void release() { x = w = b = y = dy = dx = dw = db = null; }

    void backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, ConvGeometry geo) {
        backward = true;
        g = geo;
        x = CpuBackend.data(inp); xOff = inp.offset;
        w = CpuBackend.data(weight); wOff = weight.offset;
        dy = CpuBackend.data(dout); dyOff = dout.offset;
        dx = dinp == null ? null : CpuBackend.data(dinp); dxOff = dinp == null ? 0 : dinp.offset;
        dw = dweight == null ? null : CpuBackend.data(dweight); dwOff = dweight == null ? 0 : dweight.offset;
        db = dbias == null ? null : CpuBackend.data(dbias); dbOff = dbias == null ? 0 : dbias.offset;
        int parts = runParts();
        // Part 0 accumulated straight into dW / db; add the other parts' sums, in part order.
        int wSize = g.OC() * g.patch();
        for (int p = 1; p < parts; p++) {
            if (dw != null) for (int i = 0; i < wSize; i++) dw[dwOff + i] += dwPart[p][i];
            if (db != null) for (int o = 0; o < g.OC(); o++) db[dbOff + o] += dbPart[p][o];
        }
        release();
    }

    private int runParts() {
        WorkerPool pool = WorkerPool.shared();
        int parts = pool.inJob() ? 1 : Math.min(Math.min(pool.threads(), g.N()), MAX_PARTS);
        chunk = (g.N() + parts - 1) / parts;
        parts = (g.N() + chunk - 1) / chunk;
        pool.run(this, parts);
        return parts;
    }

    @Override public void run(int part) {
        int from = part * chunk, to = Math.min(g.N(), from + chunk);
        int P = g.OH() * g.OW(), patch = g.patch(), inSize = g.C() * g.H() * g.W();
        if (col[part].length < patch * P) col[part] = new float[patch * P];
        float[] colBuf = col[part];
        if (!backward) {
            for (int n = from; n < to; n++) forwardSample(n, colBuf, P, patch, inSize);
            return;
        }
        float[] dwOut = dw, dbOut = db;
        int dwAt = dwOff, dbAt = dbOff;
        if (part > 0) { // private accumulators, summed by the caller
            if (dw != null) {
                if (dwPart[part].length < g.OC() * patch) dwPart[part] = new float[g.OC() * patch];
                dwOut = dwPart[part];
                Arrays.fill(dwOut, 0, g.OC() * patch, 0f);
                dwAt = 0;
            }
            if (db != null) {
                if (dbPart[part].length < g.OC()) dbPart[part] = new float[g.OC()];
                dbOut = dbPart[part];
                Arrays.fill(dbOut, 0, g.OC(), 0f);
                dbAt = 0;
            }
        }
        if (dx != null && dcol[part].length < patch * P) dcol[part] = new float[patch * P];
        for (int n = from; n < to; n++) {
            int dyN = dyOff + n * g.OC() * P;
            if (dbOut != null) {
                for (int o = 0; o < g.OC(); o++) {
                    float s = 0f;
                    for (int p = 0; p < P; p++) s += dy[dyN + o * P + p];
                    dbOut[dbAt + o] += s;
                }
            }
            if (dwOut != null) {
                im2col(colBuf, x, xOff + n * inSize, g);
                Gemm.gemm(false, true, g.OC(), patch, P, dy, dyN, P, colBuf, 0, P, dwOut, dwAt, patch, true);
            }
            if (dx != null) {
                Gemm.gemm(true, false, patch, P, g.OC(), w, wOff, patch, dy, dyN, P, dcol[part], 0, P, false);
                col2im(dx, dxOff + n * inSize, dcol[part], g);
            }
        }
    }

    private void forwardSample(int n, float[] colBuf, int P, int patch, int inSize) {
        im2col(colBuf, x, xOff + n * inSize, g);
        int yN = yOff + n * g.OC() * P;
        if (b != null) for (int o = 0; o < g.OC(); o++) Arrays.fill(y, yN + o * P, yN + (o + 1) * P, b[bOff + o]);
        Gemm.gemm(false, false, g.OC(), P, patch, w, wOff, patch, colBuf, 0, P, y, yN, P, b != null);
    }

    /** col[(c*KH + kh)*KW + kw][oh*OW + ow] = x[c, oh*s - pad + kh, ow*s - pad + kw], 0 outside. */
    static void im2col(float[] col, float[] x, int xOff, ConvGeometry g) {
        int OH = g.OH(), OW = g.OW(), P = OH * OW, s = g.stride(), pad = g.pad();
        for (int c = 0; c < g.C(); c++) {
            for (int kh = 0; kh < g.KH(); kh++) {
                for (int kw = 0; kw < g.KW(); kw++) {
                    int row = ((c * g.KH() + kh) * g.KW() + kw) * P;
                    // Columns ow whose input column lies inside the image: a branch-free inner loop.
                    int lo = owLo(kw, s, pad, OW), hi = owHi(kw, s, pad, OW, g.W());
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * s - pad + kh, dst = row + oh * OW;
                        if (ih < 0 || ih >= g.H()) {
                            Arrays.fill(col, dst, dst + OW, 0f);
                            continue;
                        }
                        int src = xOff + (c * g.H() + ih) * g.W() - pad + kw;
                        if (lo > 0) Arrays.fill(col, dst, dst + lo, 0f);
                        if (s == 1) {
                            // hi == lo can leave src + lo before the row start (wide padding): skip.
                            if (hi > lo) System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) col[dst + ow] = x[src + ow * s];
                        }
                        if (hi < OW) Arrays.fill(col, dst + hi, dst + OW, 0f);
                    }
                }
            }
        }
    }

    /** The adjoint of im2col: dx[c, ih, iw] += every dcol entry that was read from it. */
    static void col2im(float[] dx, int dxOff, float[] dcol, ConvGeometry g) {
        int OH = g.OH(), OW = g.OW(), P = OH * OW, s = g.stride(), pad = g.pad();
        for (int c = 0; c < g.C(); c++) {
            for (int kh = 0; kh < g.KH(); kh++) {
                for (int kw = 0; kw < g.KW(); kw++) {
                    int row = ((c * g.KH() + kh) * g.KW() + kw) * P;
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
}
