package org.dqnscratch.tensor;

/**
 * The CPU backend's element-wise loops over big buffers (a Nature CNN has 1.7M parameters and
 * ~1M activations per batch of 32), split across the worker pool. Each element is independent,
 * so any split gives the same bits as one thread; {@link SumSquares} adds fixed blocks in
 * order, so its result does not depend on the thread count either. One reusable job object per
 * loop (set, then {@link Loop#launch}): no allocation per call.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    /** Below this many elements a loop stays on the calling thread (the hand-off costs more). */
    static final int PARALLEL_MIN = 1 << 16;

    /** A loop over [0, n) whose body is {@link #range}. */
    abstract static class Loop implements WorkerPool.Job {
        private int n, chunk;

        /** Runs range over [0, n): split across the pool when {@code parallel}, else here. */
        final void launch(int n, boolean parallel) {
            WorkerPool pool = WorkerPool.shared();
            int parts = !parallel || pool.inJob() ? 1 : Math.min(pool.threads(), n);
            if (parts <= 1) {
                range(0, n);
                return;
            }
            this.n = n;
            chunk = (n + parts - 1) / parts;
            pool.run(this, (n + chunk - 1) / chunk);
        }

        final void launch(int n) { launch(n, n >= PARALLEL_MIN); }

        @Override public final void run(int part) {
            int from = part * chunk;
            range(from, Math.min(n, from + chunk));
        }

        abstract void range(int from, int to);
    }

    static final class ReluForward extends Loop {
        private float[] o, x;
        private int oOff, xOff;

        ReluForward set(float[] o, int oOff, float[] x, int xOff) {
            this.o = o; this.oOff = oOff; this.x = x; this.xOff = xOff;
            return this;
        }

        @Override void range(int from, int to) { ElementwiseKernels.INSTANCE.reluForward(o, oOff, x, xOff, from, to); }
    }

    static final class ReluBackward extends Loop {
        private float[] dx, dy, y;
        private int dxOff, dyOff, yOff;

        ReluBackward set(float[] dx, int dxOff, float[] dy, int dyOff, float[] y, int yOff) {
            this.dx = dx; this.dxOff = dxOff; this.dy = dy; this.dyOff = dyOff; this.y = y; this.yOff = yOff;
            return this;
        }

        @Override void range(int from, int to) {
            ElementwiseKernels.INSTANCE.reluBackward(dx, dxOff, dy, dyOff, y, yOff, from, to);
        }
    }

    static final class ReluBackwardInplace extends Loop {
        private float[] dy, y;
        private int dyOff, yOff;

        ReluBackwardInplace set(float[] dy, int dyOff, float[] y, int yOff) {
            this.dy = dy; this.dyOff = dyOff; this.y = y; this.yOff = yOff;
            return this;
        }

        @Override void range(int from, int to) { ElementwiseKernels.INSTANCE.reluBackwardInplace(dy, dyOff, y, yOff, from, to); }
    }

    static final class Scale extends Loop {
        private float[] o, x;
        private int oOff, xOff;
        private float scale;

        Scale set(float[] o, int oOff, float[] x, int xOff, float scale) {
            this.o = o; this.oOff = oOff; this.x = x; this.xOff = xOff; this.scale = scale;
            return this;
        }

        @Override void range(int from, int to) {
            for (int i = from; i < to; i++) o[oOff + i] = x[xOff + i] * scale;
        }
    }

    /** Adam with the bias corrections folded into stepSize and bc2Sqrt (see Backend#adam_step). */
    static final class AdamStep extends Loop {
        private float[] p, g, m, v;
        private int pOff, gOff, mOff, vOff;
        private float stepSize, bc2Sqrt, beta1, beta2, eps;

        AdamStep set(Tensor p, Tensor g, Tensor m, Tensor v, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps) {
            this.p = CpuBackend.data(p); pOff = p.offset;
            this.g = CpuBackend.data(g); gOff = g.offset;
            this.m = CpuBackend.data(m); mOff = m.offset;
            this.v = CpuBackend.data(v); vOff = v.offset;
            this.stepSize = stepSize; this.bc2Sqrt = bc2Sqrt; this.beta1 = beta1; this.beta2 = beta2; this.eps = eps;
            return this;
        }

        @Override void range(int from, int to) {
            ElementwiseKernels.INSTANCE.adam(p, pOff, g, gOff, m, mOff, v, vOff, stepSize, bc2Sqrt, beta1, beta2, eps, from, to);
        }
    }

    /** RMSprop as PyTorch's (optionally centered, with momentum; eps outside the root unless epsInside). */
    static final class RmsPropStep extends Loop {
        private Tensor p, g, sq, gavg, mom;
        private float lr, alpha, eps, momentum;
        private boolean centered, epsInside;

        RmsPropStep set(Tensor p, Tensor g, Tensor sq, Tensor gavg, Tensor mom, float lr, float alpha, float eps,
                        float momentum, boolean centered, boolean epsInside) {
            this.p = p; this.g = g; this.sq = sq; this.gavg = gavg; this.mom = mom;
            this.lr = lr; this.alpha = alpha; this.eps = eps; this.momentum = momentum;
            this.centered = centered; this.epsInside = epsInside;
            return this;
        }

        @Override void range(int from, int to) {
            ElementwiseKernels.INSTANCE.rmsprop(CpuBackend.data(p), p.offset, CpuBackend.data(g), g.offset, CpuBackend.data(sq), sq.offset,
                    centered ? CpuBackend.data(gavg) : null, centered ? gavg.offset : 0,
                    momentum != 0f ? CpuBackend.data(mom) : null, momentum != 0f ? mom.offset : 0,
                    lr, alpha, eps, momentum, epsInside, from, to);
        }
    }

    /**
     * Sum of squares in double, as blocks of BLOCK elements summed separately (in parallel when
     * there are several) and then added in block order: the same bits on any number of threads.
     */
    static final class SumSquares extends Loop {
        static final int BLOCK = 1 << 15;
        private float[] x;
        private int xOff, n;
        private double[] partial = new double[0];

        double sum(float[] x, int xOff, int n) {
            this.x = x; this.xOff = xOff; this.n = n;
            int blocks = Math.max(1, (n + BLOCK - 1) / BLOCK);
            if (partial.length < blocks) partial = new double[blocks];
            launch(blocks, n >= PARALLEL_MIN);
            double s = 0;
            for (int b = 0; b < blocks; b++) s += partial[b];
            this.x = null;
            return s;
        }

        @Override void range(int from, int to) {
            for (int b = from; b < to; b++) {
                double s = 0;
                for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
                    double v = x[xOff + i];
                    s += v * v;
                }
                partial[b] = s;
            }
        }
    }

    /** What the two noisy-weight loops share: the layer's noise vectors (epsIn null for a bias) and its row length C. */
    abstract static class NoisyRows extends Loop {
        float[] epsIn, epsOut;
        int inOff, outOff, C;

        void noise(Tensor epsIn, Tensor epsOut, int C) {
            this.epsIn = epsIn == null ? null : CpuBackend.data(epsIn); inOff = epsIn == null ? 0 : epsIn.offset;
            this.epsOut = CpuBackend.data(epsOut); outOff = epsOut.offset;
            this.C = C;
        }
    }

    /**
     * A noisy layer's effective weights, rows [from, to) of W[o][i] = mu + sigma * (epsOut[o] * epsIn[i]) (weight_epsilon =
     * epsOut.ger(epsIn), rounded first), or of the bias (epsIn null: eps = epsOut[o]). 1.6 M floats per Nature-CNN stream,
     * three times per Rainbow update: about a sixth of it on one thread.
     */
    static final class NoisyWeights extends NoisyRows {
        private float[] w, mu, sigma;
        private int wOff, muOff, sigmaOff;

        NoisyWeights set(Tensor w, Tensor mu, Tensor sigma, Tensor epsIn, Tensor epsOut, int C) {
            this.w = CpuBackend.data(w); wOff = w.offset;
            this.mu = CpuBackend.data(mu); muOff = mu.offset;
            this.sigma = CpuBackend.data(sigma); sigmaOff = sigma.offset;
            noise(epsIn, epsOut, C);
            return this;
        }

        @Override void range(int from, int to) { weightRows(w, wOff, mu, muOff, sigma, sigmaOff, epsIn, inOff, epsOut, outOff, C, from, to); }

        /** Rows [from, to) of the effective weights, row o at w[wOff + o * C] (NoisyDense makes a tile of them: a negative wOff). */
        static void weightRows(float[] w, int wOff, float[] mu, int muOff, float[] sigma, int sigmaOff, float[] epsIn, int inOff,
                               float[] epsOut, int outOff, int C, int from, int to) {
            for (int o = from; o < to; o++) {
                float out = epsOut[outOff + o];
                if (epsIn == null) {
                    for (int i = 0; i < C; i++) w[wOff + o * C + i] = mu[muOff + o * C + i] + sigma[sigmaOff + o * C + i] * out;
                } else {
                    for (int i = 0; i < C; i++) {
                        int k = o * C + i;
                        w[wOff + k] = mu[muOff + k] + sigma[sigmaOff + k] * (out * epsIn[inOff + i]);
                    }
                }
            }
        }
    }

    /** The gradients of {@link NoisyWeights} for rows [from, to): dmu += dW, dsigma += dW * eps (either may be null). */
    static final class NoisyWeightsGrad extends NoisyRows {
        private float[] dmu, dsigma, dw;
        private int dmuOff, dsigmaOff, dwOff;

        NoisyWeightsGrad set(Tensor dmu, Tensor dsigma, Tensor dw, Tensor epsIn, Tensor epsOut, int C) {
            this.dmu = dmu == null ? null : CpuBackend.data(dmu); dmuOff = dmu == null ? 0 : dmu.offset;
            this.dsigma = dsigma == null ? null : CpuBackend.data(dsigma); dsigmaOff = dsigma == null ? 0 : dsigma.offset;
            this.dw = CpuBackend.data(dw); dwOff = dw.offset;
            noise(epsIn, epsOut, C);
            return this;
        }

        @Override void range(int from, int to) {
            for (int o = from; o < to; o++) {
                float out = epsOut[outOff + o];
                if (dmu != null) for (int i = 0; i < C; i++) dmu[dmuOff + o * C + i] += dw[dwOff + o * C + i];
                if (dsigma == null) continue;
                if (epsIn == null) {
                    for (int i = 0; i < C; i++) dsigma[dsigmaOff + o * C + i] += dw[dwOff + o * C + i] * out;
                } else {
                    for (int i = 0; i < C; i++) dsigma[dsigmaOff + o * C + i] += dw[dwOff + o * C + i] * (out * epsIn[inOff + i]);
                }
            }
        }
    }
}
