package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * The CPU reference backend on plain {@code float[]}. Matrix products go through
 * {@link Gemm} (SIMD when available); convolutions are implicit GEMMs over the whole batch
 * ({@link CpuConv}); big element-wise loops are split across threads ({@link CpuElementwise}).
 * Reductions that feed a loss accumulate in double. Scratch buffers are kept and reused, so
 * a training step in steady state allocates nothing.
 */
public final class CpuBackend implements Backend {
    /** A CPU buffer: a float array. */
    public record Buffer(float[] data) implements Tensor.Storage {
        @Override public int capacity() { return data.length; }
    }

    private final CpuConv conv = new CpuConv();
    // The element-wise loops big enough to split across the worker pool (reused job objects).
    private final CpuElementwise.ReluForward reluForward = new CpuElementwise.ReluForward();
    private final CpuElementwise.ReluBackward reluBackward = new CpuElementwise.ReluBackward();
    private final CpuElementwise.ReluBackwardInplace reluBackwardInplace = new CpuElementwise.ReluBackwardInplace();
    private final CpuElementwise.Scale scale = new CpuElementwise.Scale();
    private final CpuElementwise.AdamStep adam = new CpuElementwise.AdamStep();
    private final CpuElementwise.RmsPropStep rmsprop = new CpuElementwise.RmsPropStep();
    private final CpuElementwise.SumSquares sumSquares = new CpuElementwise.SumSquares();
    private final CpuElementwise.NoisyWeights noisyWeights = new CpuElementwise.NoisyWeights();
    private final NoisyDense noisyDense = new NoisyDense();
    private final CpuElementwise.NoisyWeightsGrad noisyWeightsGrad = new CpuElementwise.NoisyWeightsGrad();

    @Override public String name() { return "cpu (" + Gemm.kernelName() + ")"; }

    /** A CPU buffer of unsigned bytes. */
    public record Bytes(byte[] data) implements Tensor.Storage {
        @Override public int capacity() { return data.length; }
    }

    @Override public Tensor.Storage allocate(int size) { return new Buffer(new float[size]); }

    @Override public Tensor.Storage allocateBytes(int size) { return new Bytes(new byte[size]); }

    /** The byte array behind a CPU byte tensor (elements start at {@code t.offset}). */
    static byte[] bytes(Tensor t) {
        if (!(t.storage instanceof Bytes b)) throw new IllegalArgumentException(t + " is not a byte tensor of the CPU backend");
        return b.data;
    }

    @Override public void uploadBytes(Tensor dst, int at, byte[] src, int srcOff, int n) {
        Backend.checkRange(dst, at, n);
        System.arraycopy(src, srcOff, bytes(dst), dst.offset + at, n);
    }

    /** The array behind a CPU tensor (elements start at {@code t.offset}). */
    public static float[] data(Tensor t) {
        if (!(t.storage instanceof Buffer b)) {
            throw new IllegalArgumentException(t + " does not live on the CPU backend");
        }
        return b.data;
    }

    @Override public void upload(Tensor dst, float[] src, int srcOff) {
        System.arraycopy(src, srcOff, data(dst), dst.offset, dst.size);
    }

    @Override public void download(float[] dst, int dstOff, Tensor src) {
        System.arraycopy(data(src), src.offset, dst, dstOff, src.size);
    }

    @Override public void fill(Tensor t, float value) {
        Arrays.fill(data(t), t.offset, t.offset + t.size, value);
    }

    @Override public void copy(Tensor dst, Tensor src) {
        if (dst.size != src.size) throw new IllegalArgumentException("copy " + src + " into " + dst);
        System.arraycopy(data(src), src.offset, data(dst), dst.offset, src.size);
    }

    // ---- dense ----------------------------------------------------------------------------

    @Override
    public void matmul_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC) {
        dense(out, inp, weight, bias, N, C, OC, false);
    }

    /** The bias starts the sums (accumulated onto), the ReLU ends them in the GEMM's epilogue: the floats of matmul_forward then relu_forward. */
    @Override
    public void matmul_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC) {
        dense(out, inp, weight, bias, N, C, OC, true);
    }

    private void dense(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC, boolean relu) {
        float[] o = data(out);
        if (N < OC && !GemmDots.pays(false, true, N, OC)) {
            // A batch smaller than the layer (the Nature CNN's fc1: 32 x 3136 . 3136 x 512):
            // out^T = W . inp^T reads W where it lies and packs the small input instead of W^T
            // (1.6M floats per call). fma(w, x, s) == fma(x, w, s): the same floats.
            float[] t = scratch(OC * N);
            if (bias != null) {
                float[] b = data(bias);
                for (int oc = 0; oc < OC; oc++) Arrays.fill(t, oc * N, (oc + 1) * N, b[bias.offset + oc]);
            }
            Gemm.gemm(false, true, OC, N, C, data(weight), weight.offset, C, data(inp), inp.offset, C, t, 0, N, bias != null);
            for (int n = 0; n < N; n++) {
                int dst = out.offset + n * OC;
                for (int oc = 0; oc < OC; oc++) o[dst + oc] = t[oc * N + n];
                if (relu) ElementwiseKernels.INSTANCE.reluForward(o, dst, o, dst, 0, OC);
            }
            return;
        }
        if (bias != null) {
            float[] b = data(bias);
            for (int n = 0; n < N; n++) System.arraycopy(b, bias.offset, o, out.offset + n * OC, OC);
        }
        Gemm.gemm(false, true, N, OC, C, data(inp), inp.offset, C, data(weight), weight.offset, C,
                o, out.offset, OC, bias != null, relu);
    }

    private float[] scratch = new float[0];

    /** A reused buffer of at least n floats (one call at a time: backends are not shared between threads). */
    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[n];
        return scratch;
    }

    @Override
    public void matmul_backward(Tensor dinp, Tensor dweight, Tensor dbias,
                                Tensor dout, Tensor inp, Tensor weight, int N, int C, int OC) {
        float[] dy = data(dout);
        if (dinp != null) {
            Gemm.gemm(false, false, N, C, OC, dy, dout.offset, OC, data(weight), weight.offset, C,
                    data(dinp), dinp.offset, C, true);
        }
        if (dweight != null) {
            Gemm.gemm(true, false, OC, C, N, dy, dout.offset, OC, data(inp), inp.offset, C,
                    data(dweight), dweight.offset, C, true);
        }
        if (dbias != null) {
            float[] db = data(dbias);
            for (int n = 0; n < N; n++) {
                int row = dout.offset + n * OC;
                for (int o = 0; o < OC; o++) db[dbias.offset + o] += dy[row + o];
            }
        }
    }

    // ---- convolution (implicit GEMM over the batch: CpuConv) ----------------------------------

    @Override
    public void conv2d_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g) {
        conv.forward(out, inp, weight, bias, g, false);
    }

    @Override
    public void conv2d_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g) {
        conv.forward(out, inp, weight, bias, g, true);
    }

    @Override
    public void conv2d_backward(Tensor dinp, Tensor dweight, Tensor dbias,
                                Tensor dout, Tensor inp, Tensor weight, ConvGeometry g) {
        conv.backward(dinp, dweight, dbias, dout, inp, weight, g);
    }

    // ---- elementwise ------------------------------------------------------------------------

    @Override public void relu_forward(Tensor out, Tensor inp, int n) {
        reluForward.set(data(out), out.offset, data(inp), inp.offset).launch(n);
    }

    @Override public void relu_backward(Tensor dinp, Tensor dout, Tensor out, int n) {
        reluBackward.set(data(dinp), dinp.offset, data(dout), dout.offset, data(out), out.offset).launch(n);
    }

    @Override public void relu_backward_inplace(Tensor dout, Tensor out, int n) {
        reluBackwardInplace.set(data(dout), dout.offset, data(out), out.offset).launch(n);
    }

    @Override public void scale_forward(Tensor out, Tensor inp, float scale, int n) {
        this.scale.set(data(out), out.offset, data(inp), inp.offset, scale).launch(n);
    }

    @Override public void scale_u8_forward(Tensor out, Tensor inp, float scale, int n) {
        float[] o = data(out);
        byte[] x = bytes(inp);
        Pixels.toFloats(x, inp.offset, o, out.offset, n, scale);
    }

    @Override public void gather_u8_forward(Tensor out, Tensor table, Tensor index, int rows, int rowSize) {
        float[] o = data(out), idx = data(index);
        byte[] t = bytes(table);
        long tableRows = table.size / rowSize;
        for (int r = 0; r < rows; r++) {
            float f = idx[index.offset + r];
            if (!(f >= 0 && f < tableRows && f == (int) f)) throw new IllegalArgumentException("row " + f + " is not in [0, " + tableRows + ")");
            int from = table.offset + (int) f * rowSize, to = out.offset + r * rowSize;
            Pixels.toFloats(t, from, o, to, rowSize, 1f);
        }
    }

    // ---- Q-value heads ----------------------------------------------------------------------

    @Override public void gather_forward(Tensor out, Tensor q, Tensor actions, int N, int A) {
        float[] o = data(out), qv = data(q), a = data(actions);
        for (int n = 0; n < N; n++) o[out.offset + n] = qv[q.offset + n * A + action(a[actions.offset + n], A)];
    }

    @Override public void gather_backward(Tensor dq, Tensor dout, Tensor actions, int N, int A) {
        float[] dqv = data(dq), dy = data(dout), a = data(actions);
        for (int n = 0; n < N; n++) dqv[dq.offset + n * A + action(a[actions.offset + n], A)] += dy[dout.offset + n];
    }

    private static int action(float a, int A) {
        int i = (int) a;
        if (i != a || i < 0 || i >= A) throw Backend.badAction(a, A);
        return i;
    }

    @Override public void max_forward(Tensor outMax, Tensor outArg, Tensor q, int N, int A) {
        float[] qv = data(q);
        for (int n = 0; n < N; n++) {
            int row = q.offset + n * A, best = argmax(qv, row, A);
            if (outMax != null) data(outMax)[outMax.offset + n] = qv[row + best];
            if (outArg != null) data(outArg)[outArg.offset + n] = best;
        }
    }

    @Override public void max_backward(Tensor dq, Tensor dout, Tensor arg, int N, int A) {
        gather_backward(dq, dout, arg, N, A);
    }

    /** Index of the first maximum (PyTorch's argmax on CPU); NaN counts as the maximum. */
    public static int argmax(float[] q, int row, int A) {
        int best = 0;
        float m = q[row];
        for (int a = 1; a < A && !Float.isNaN(m); a++) {
            float v = q[row + a];
            if (v > m || Float.isNaN(v)) { m = v; best = a; }
        }
        return best;
    }

    @Override public void dueling_forward(Tensor q, Tensor v, Tensor adv, int N, int A, int K) {
        float[] qv = data(q), vv = data(v), av = data(adv);
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < K; k++) {
                int first = adv.offset + n * A * K + k;
                float mean = 0f;
                for (int a = 0; a < A; a++) mean += av[first + a * K];
                mean /= A;
                float base = vv[v.offset + n * K + k] - mean;
                for (int a = 0; a < A; a++) qv[q.offset + n * A * K + a * K + k] = base + av[first + a * K];
            }
        }
    }

    @Override public void dueling_backward(Tensor dv, Tensor dadv, Tensor dq, int N, int A, int K) {
        float[] g = data(dq);
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < K; k++) {
                int first = dq.offset + n * A * K + k;
                float sum = 0f;
                for (int a = 0; a < A; a++) sum += g[first + a * K];
                if (dv != null) data(dv)[dv.offset + n * K + k] += sum;
                if (dadv != null) {
                    float[] da = data(dadv);
                    float mean = sum / A;
                    for (int a = 0; a < A; a++) da[dadv.offset + n * A * K + a * K + k] += g[first + a * K] - mean;
                }
            }
        }
    }

    @Override
    public void td_target(Tensor y, Tensor qNextTarget, Tensor qNextOnline, Tensor reward, Tensor terminated,
                          float gamma, int N, int A) {
        float[] out = data(y), qt = data(qNextTarget), r = data(reward), term = data(terminated);
        float[] qo = qNextOnline == null ? null : data(qNextOnline);
        for (int n = 0; n < N; n++) {
            int a = qo == null ? argmax(qt, qNextTarget.offset + n * A, A) : argmax(qo, qNextOnline.offset + n * A, A);
            float next = qt[qNextTarget.offset + n * A + a];
            out[y.offset + n] = r[reward.offset + n] + gamma * (1f - term[terminated.offset + n]) * next;
        }
    }

    // ---- losses -----------------------------------------------------------------------------

    /** Sample i's weight: 1 without weights. */
    private float weightOf(Tensor weight, int i) { return weight == null ? 1f : data(weight)[weight.offset + i]; }

    @Override public void mse_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, int N) {
        float[] p = data(pred), t = data(target);
        double s = 0;
        for (int i = 0; i < N; i++) {
            double d = (double) p[pred.offset + i] - t[target.offset + i];
            s += weightOf(weight, i) * (d * d);
        }
        data(loss)[loss.offset] = (float) (s / N);
    }

    @Override public void mse_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, int N) {
        float[] dp = data(dpred), p = data(pred), t = data(target);
        float k = 2f * data(dloss)[dloss.offset] / N;
        for (int i = 0; i < N; i++) dp[dpred.offset + i] += k * weightOf(weight, i) * (p[pred.offset + i] - t[target.offset + i]);
    }

    @Override public void smooth_l1_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, float beta, int N) {
        float[] p = data(pred), t = data(target);
        double s = 0;
        for (int i = 0; i < N; i++) {
            double d = Math.abs((double) p[pred.offset + i] - t[target.offset + i]);
            s += weightOf(weight, i) * (d < beta ? 0.5 * d * d / beta : d - 0.5 * beta);
        }
        data(loss)[loss.offset] = (float) (s / N);
    }

    @Override public void smooth_l1_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, float beta, int N) {
        float[] dp = data(dpred), p = data(pred), t = data(target);
        float k = data(dloss)[dloss.offset] / N;
        for (int i = 0; i < N; i++) {
            float d = p[pred.offset + i] - t[target.offset + i];
            float g = Math.abs(d) < beta ? d / beta : Math.signum(d);
            dp[dpred.offset + i] += k * weightOf(weight, i) * g;
        }
    }

    // ---- distributional heads ----------------------------------------------------------------
    // Sums in float, in index order, as the kernels (qhead.cl) do them: the two backends agree to rounding.

    /** A row's exponentials (C51's atom ops), per thread: an update allocates nothing. */
    private static final ThreadLocal<float[][]> EXPS = ThreadLocal.withInitial(() -> new float[][] {new float[64]});

    private static float[] exps(int K) {
        float[][] holder = EXPS.get();
        if (holder[0].length < K) holder[0] = new float[K];
        return holder[0];
    }

    @Override public void log_softmax_forward(Tensor out, Tensor inp, int rows, int K) {
        float[] o = data(out), x = data(inp), e = exps(K);
        for (int r = 0; r < rows; r++) {
            int in = inp.offset + r * K, at = out.offset + r * K;
            float max = x[in];
            for (int j = 1; j < K; j++) max = Math.max(max, x[in + j]);
            ElementwiseKernels.INSTANCE.expShifted(x, in, max, e, 0, K);
            float sum = 0f;
            for (int j = 0; j < K; j++) sum += e[j];
            float lse = max + (float) Math.log(sum);
            for (int j = 0; j < K; j++) o[at + j] = x[in + j] - lse;
        }
    }

    @Override public void log_softmax_backward(Tensor dinp, Tensor dout, Tensor out, int rows, int K) {
        float[] dx = data(dinp), dy = data(dout), y = data(out), e = exps(K);
        for (int r = 0; r < rows; r++) {
            int g = dout.offset + r * K;
            float sum = 0f;
            for (int j = 0; j < K; j++) sum += dy[g + j];
            ElementwiseKernels.INSTANCE.expShifted(y, out.offset + r * K, 0f, e, 0, K);
            for (int j = 0; j < K; j++) dx[dinp.offset + r * K + j] += dy[g + j] - e[j] * sum;
        }
    }

    /** Atom j of the support [vMin, vMax] of K atoms. */
    public static float atom(float vMin, float vMax, int j, int K) { return vMin + j * ((vMax - vMin) / (K - 1)); }

    @Override public void categorical_q_forward(Tensor q, Tensor logp, float vMin, float vMax, int rows, int K) {
        float[] qv = data(q), lp = data(logp), e = exps(K);
        for (int r = 0; r < rows; r++) {
            ElementwiseKernels.INSTANCE.expShifted(lp, logp.offset + r * K, 0f, e, 0, K);
            float s = 0f;
            for (int j = 0; j < K; j++) s += e[j] * atom(vMin, vMax, j, K);
            qv[q.offset + r] = s;
        }
    }

    @Override public void categorical_projection(Tensor m, Tensor logpNext, Tensor nextAction, Tensor reward, Tensor terminated,
                                                 float gamma, float vMin, float vMax, int N, int A, int K) {
        float[] out = data(m), lp = data(logpNext), next = data(nextAction), r = data(reward), term = data(terminated), e = exps(K);
        float dz = (vMax - vMin) / (K - 1);
        for (int n = 0; n < N; n++) {
            int row = logpNext.offset + (n * A + action(next[nextAction.offset + n], A)) * K, to = m.offset + n * K;
            float discount = gamma * (1f - term[terminated.offset + n]), rn = r[reward.offset + n];
            java.util.Arrays.fill(out, to, to + K, 0f);
            ElementwiseKernels.INSTANCE.expShifted(lp, row, 0f, e, 0, K);
            for (int j = 0; j < K; j++) {
                float tz = Math.min(vMax, Math.max(vMin, rn + discount * atom(vMin, vMax, j, K)));
                float b = (tz - vMin) / dz;
                int l = Math.min(K - 1, Math.max(0, (int) Math.floor(b))), u = Math.min(K - 1, Math.max(0, (int) Math.ceil(b)));
                float p = e[j];
                // b on an atom (l == u) puts all of p there (CleanRL's (l == u) term).
                out[to + l] += (u + (l == u ? 1 : 0) - b) * p;
                out[to + u] += (b - l) * p;
            }
        }
    }

    @Override public void categorical_loss_forward(Tensor loss, Tensor perSample, Tensor logp, Tensor actions, Tensor target, Tensor weight,
                                                   int N, int A, int K) {
        float[] ps = data(perSample), lp = data(logp), t = data(target), a = data(actions);
        double s = 0;
        for (int n = 0; n < N; n++) {
            int row = logp.offset + (n * A + action(a[actions.offset + n], A)) * K;
            float ce = 0f;
            for (int j = 0; j < K; j++) ce -= t[target.offset + n * K + j] * lp[row + j];
            ps[perSample.offset + n] = ce;
            s += weightOf(weight, n) * ce;
        }
        data(loss)[loss.offset] = (float) (s / N);
    }

    @Override public void categorical_loss_backward(Tensor dlogp, Tensor dloss, Tensor actions, Tensor target, Tensor weight, int N, int A, int K) {
        float[] g = data(dlogp), t = data(target), a = data(actions);
        float k = data(dloss)[dloss.offset] / N;
        for (int n = 0; n < N; n++) {
            int row = dlogp.offset + (n * A + action(a[actions.offset + n], A)) * K;
            float wk = k * weightOf(weight, n);
            for (int j = 0; j < K; j++) g[row + j] -= wk * t[target.offset + n * K + j];
        }
    }

    // ---- optimizer steps --------------------------------------------------------------------

    @Override
    public void sgd_step(Tensor p, Tensor g, Tensor buf, float lr, float momentum, boolean nesterov, boolean firstStep, int n) {
        float[] pv = data(p), gv = data(g);
        float[] b = buf == null ? null : data(buf);
        for (int i = 0; i < n; i++) {
            float gi = gv[g.offset + i], d = gi;
            if (momentum != 0f) {
                int bi = buf.offset + i;
                b[bi] = firstStep ? gi : momentum * b[bi] + gi;
                d = nesterov ? gi + momentum * b[bi] : b[bi];
            }
            pv[p.offset + i] -= lr * d;
        }
    }

    @Override
    public void adam_step(Tensor p, Tensor g, Tensor m, Tensor v, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int n) {
        adam.set(p, g, m, v, stepSize, bc2Sqrt, beta1, beta2, eps).launch(n);
    }

    @Override
    public void rmsprop_step(Tensor p, Tensor g, Tensor sq, Tensor gavg, Tensor mom, float lr, float alpha, float eps,
                             float momentum, boolean centered, boolean epsInside, int n) {
        rmsprop.set(p, g, sq, gavg, mom, lr, alpha, eps, momentum, centered, epsInside).launch(n);
    }

    @Override public void clip_by_value(Tensor g, float clip, int n) {
        float[] gv = data(g);
        for (int i = 0; i < n; i++) {
            int at = g.offset + i;
            gv[at] = Math.max(-clip, Math.min(clip, gv[at]));
        }
    }

    @Override public void sum_squares(Tensor out, Tensor g, int n) {
        data(out)[out.offset] = (float) sumSquares.sum(data(g), g.offset, n);
    }

    @Override public void clip_by_norm(Tensor g, Tensor sumSquares, float maxNorm, int n) {
        float norm = (float) Math.sqrt(data(sumSquares)[sumSquares.offset]);
        float coef = maxNorm / (norm + 1e-6f);
        if (coef >= 1f) return;
        float[] gv = data(g);
        for (int i = 0; i < n; i++) gv[g.offset + i] *= coef;
    }

    @Override public void polyak(Tensor target, Tensor source, float tau, int n) {
        float[] t = data(target), s = data(source);
        if (tau == 1f) {
            System.arraycopy(s, source.offset, t, target.offset, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            int ti = target.offset + i;
            t[ti] = tau * s[source.offset + i] + (1f - tau) * t[ti];
        }
    }

    // ---- noisy nets (issue 21) ------------------------------------------------------------------

    @Override public void noisy_weights_forward(Tensor w, Tensor mu, Tensor sigma, Tensor epsIn, Tensor epsOut, int OC, int C) {
        noisyWeights.set(w, mu, sigma, epsIn, epsOut, C).launch(OC, (long) OC * C >= CpuElementwise.PARALLEL_MIN); // rows split: the same bits
    }

    /**
     * For the few rows GemmDots multiplies (acting), the weights are made a tile at a time and never
     * stored (NoisyDense): the floats of the default's noisy_weights_forward then matmul_forward.
     */
    @Override public void noisy_matmul_forward(Tensor out, Tensor inp, Tensor w, Tensor b, Tensor mu, Tensor sigma, Tensor biasMu,
                                               Tensor biasSigma, Tensor epsIn, Tensor epsOut, int N, int C, int OC, boolean relu) {
        if (!GemmDots.pays(false, true, N, OC)) {
            Backend.super.noisy_matmul_forward(out, inp, w, b, mu, sigma, biasMu, biasSigma, epsIn, epsOut, N, C, OC, relu);
            return;
        }
        noisy_weights_forward(b, biasMu, biasSigma, null, epsOut, OC, 1);
        float[] o = data(out), bias = data(b);
        for (int n = 0; n < N; n++) System.arraycopy(bias, b.offset, o, out.offset + n * OC, OC); // the sums start at the bias, as dense's
        noisyDense.set(out, inp, mu, sigma, epsIn, epsOut, N, C, OC, true, relu).run();
    }

    @Override public void noisy_weights_backward(Tensor dmu, Tensor dsigma, Tensor dw, Tensor epsIn, Tensor epsOut, int OC, int C) {
        noisyWeightsGrad.set(dmu, dsigma, dw, epsIn, epsOut, C).launch(OC, (long) OC * C >= CpuElementwise.PARALLEL_MIN);
    }
}
