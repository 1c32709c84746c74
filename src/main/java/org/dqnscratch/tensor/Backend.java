package org.dqnscratch.tensor;

/**
 * The one door to arithmetic. Every number a network computes goes through these
 * primitives; {@code CpuBackend} runs them on {@code float[]}, {@code OpenClBackend} runs
 * kernels with the same names and argument order.
 *
 * <p>Conventions (llm.c): outputs first, then inputs, then sizes. Shape letters: N batch,
 * C in-channels / in-features, OC out-channels / out-features, H, W height and width,
 * K kernel, A actions. Gradients are named {@code dX}. Every {@code *_backward}
 * <b>accumulates</b> ({@code +=}) into its gradient outputs; a null gradient output is
 * skipped (no work is done for inputs that need no gradient). Action indices travel as
 * floats (exact up to 2^24), so every buffer is a float buffer.
 */
public interface Backend extends AutoCloseable {
    String name();

    /** Releases device resources (OpenCL); the CPU backend has none. The backend is unusable afterwards. */
    @Override default void close() {}

    /** A new zero-filled buffer of {@code size} floats. */
    Tensor.Storage allocate(int size);

    default Tensor zeros(int... shape) {
        return new Tensor(allocate(Tensor.sizeOf(shape)), 0, shape);
    }

    /** Copies {@code dst.size} floats from {@code src[srcOff..]} into {@code dst}. */
    void upload(Tensor dst, float[] src, int srcOff);

    /** Copies {@code src.size} floats of {@code src} into {@code dst[dstOff..]}. */
    void download(float[] dst, int dstOff, Tensor src);

    /** A download under way (see {@link #downloadLater}). */
    interface Download {
        /** Returns once the destination holds the values; again, at once. */
        void await();
    }

    /** The download of a backend that computes as it is called: done when it returns. */
    Download DONE = () -> {};

    /**
     * Starts copying {@code src.size} floats of {@code src} into {@code dst[dstOff..]} and returns
     * without waiting: {@code dst} holds them once the returned download is awaited, not before, and
     * what is queued after this call does not delay that (the acting Q values come back while the
     * device goes on with the gradient steps queued behind them). One download under way per
     * backend: starting another completes the one before (a wait). The CPU backend copies at once.
     */
    default Download downloadLater(float[] dst, int dstOff, Tensor src) {
        download(dst, dstOff, src);
        return DONE;
    }

    /**
     * True when a call only queues its work, which the device then runs while the host goes on
     * (OpenCL); false when a call has computed its result when it returns (the CPU). The training
     * loop overlaps its learner with the environments only where this is true.
     */
    default boolean queuesWork() { return false; }

    /**
     * Hands the queued work to the device without waiting for it, so that it runs while the host
     * does something else (OpenCL {@code clFlush}: a driver may otherwise hold commands back until
     * the next wait). The CPU backend has done its work already.
     */
    default void flush() {}

    /**
     * A new zero-filled buffer of {@code size} unsigned bytes, for observations (Atari pixels) that
     * travel to the device as they are stored, 4 times smaller than floats. A tensor over it holds
     * bytes; only {@link #uploadBytes} and {@link #scale_u8_forward} take one.
     */
    Tensor.Storage allocateBytes(int size);

    default Tensor bytes(int... shape) {
        return new Tensor(allocateBytes(Tensor.sizeOf(shape)), 0, shape);
    }

    /** Copies {@code n} bytes from {@code src[srcOff..]} into elements {@code [at, at + n)} of the byte tensor {@code dst}. */
    void uploadBytes(Tensor dst, int at, byte[] src, int srcOff, int n);

    /** The range check of {@link #uploadBytes}, the same on every backend. */
    static void checkRange(Tensor dst, int at, int n) {
        if (at < 0 || n < 0 || at + (long) n > dst.size) throw new IllegalArgumentException(n + " elements at " + at + " do not fit in " + dst);
    }

    default float[] toArray(Tensor t) {
        float[] a = new float[t.size];
        download(a, 0, t);
        return a;
    }

    default Tensor fromArray(float[] data, int... shape) {
        Tensor t = zeros(shape);
        upload(t, data, 0);
        return t;
    }

    void fill(Tensor t, float value);

    /** dst = src (same size). */
    void copy(Tensor dst, Tensor src);

    // ---- dense ----------------------------------------------------------------------------

    /** out[N,OC] = inp[N,C] . weight[OC,C]^T + bias[OC] (bias may be null). */
    void matmul_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC);

    /**
     * out = max(inp . weight^T + bias, 0): matmul_forward then relu_forward in one op, the ReLU in the
     * GEMM's epilogue; the same floats as the two ops on this backend. Its backward is
     * {@link #relu_backward_inplace} on the output's gradient, then {@link #matmul_backward}.
     */
    void matmul_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC);

    /** dinp[N,C] += dout . weight; dweight[OC,C] += dout^T . inp; dbias[OC] += sum_n dout. */
    void matmul_backward(Tensor dinp, Tensor dweight, Tensor dbias,
                         Tensor dout, Tensor inp, Tensor weight, int N, int C, int OC);

    // ---- convolution (NCHW, weight [OC,C,KH,KW]) -------------------------------------------

    void conv2d_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g);

    /** conv2d_forward then relu_forward in one op (as {@link #matmul_relu_forward}): the same floats. */
    void conv2d_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g);

    void conv2d_backward(Tensor dinp, Tensor dweight, Tensor dbias,
                         Tensor dout, Tensor inp, Tensor weight, ConvGeometry g);

    // ---- elementwise ----------------------------------------------------------------------

    void relu_forward(Tensor out, Tensor inp, int n);

    /** dinp += dout where out > 0. */
    void relu_backward(Tensor dinp, Tensor dout, Tensor out, int n);

    /**
     * dout = 0 + dout where out > 0, else 0: relu_backward into a zeroed buffer, done in place, for the
     * fused layers (matmul_relu_forward, conv2d_relu_forward), which keep no pre-activation tensor: out > 0
     * exactly where the pre-activation is (NaN gives 0 forward, so no gradient, as a separate ReLU).
     */
    void relu_backward_inplace(Tensor dout, Tensor out, int n);

    /** out = inp * scale (the [0,255] to [0,1] step of Atari observations). */
    void scale_forward(Tensor out, Tensor inp, float scale, int n);

    /** out = inp * scale with inp a byte tensor read as unsigned 0..255 (observations uploaded as bytes). */
    void scale_u8_forward(Tensor out, Tensor inp, float scale, int n);

    /**
     * out[r, p] = table[index[r], p] for r < rows, p < rowSize: rows of a byte table (a replay's frames
     * kept in device memory) gathered as floats 0..255. index holds row numbers as floats (exact below
     * 2^24) in [0, table.size / rowSize); the replay computes them, so the device does not check them
     * (a row outside is left as it was), the CPU does.
     */
    void gather_u8_forward(Tensor out, Tensor table, Tensor index, int rows, int rowSize);

    // ---- Q-value heads --------------------------------------------------------------------
    // An action that is not an integer in [0, A) is an error on every backend: the one below.

    /** The error for {@code action} outside [0, A) (or not an integer), the same on every backend. */
    static IllegalArgumentException badAction(float action, int A) {
        return new IllegalArgumentException("action " + action + " is not in [0, " + A + ")");
    }

    /** out[n] = q[n, actions[n]]. */
    void gather_forward(Tensor out, Tensor q, Tensor actions, int N, int A);

    /** dq[n, actions[n]] += dout[n]. */
    void gather_backward(Tensor dq, Tensor dout, Tensor actions, int N, int A);

    /** outMax[n] = max_a q[n,a]; outArg[n] = the first a reaching it. */
    void max_forward(Tensor outMax, Tensor outArg, Tensor q, int N, int A);

    /** dq[n, arg[n]] += dout[n]. */
    void max_backward(Tensor dq, Tensor dout, Tensor arg, int N, int A);

    /**
     * q[n,a,k] = v[n,k] + adv[n,a,k] - mean_a adv[n,a,k] (dueling head): K = 1 for Q values, K atoms
     * for a distributional head (Rainbow's value and advantage streams per atom). q and adv are [N, A, K], v [N, K].
     */
    void dueling_forward(Tensor q, Tensor v, Tensor adv, int N, int A, int K);

    void dueling_backward(Tensor dv, Tensor dadv, Tensor dq, int N, int A, int K);

    /**
     * TD target y[n] = reward[n] + gamma * (1 - terminated[n]) * qNextTarget[n, a*], with a* the
     * argmax of qNextTarget (plain DQN) or of qNextOnline when it is not null (Double DQN).
     * Terminated only: a truncated transition (time limit) still bootstraps.
     */
    void td_target(Tensor y, Tensor qNextTarget, Tensor qNextOnline, Tensor reward, Tensor terminated,
                   float gamma, int N, int A);

    // ---- losses (mean reduction, PyTorch semantics) -----------------------------------------
    // weight: per-sample weights w (prioritized replay's importance weights), or null for w = 1:
    // the loss is then mean(w * l), PyTorch's (w * loss(pred, target, reduction='none')).mean().

    /** loss[0] = mean w (pred - target)^2. */
    void mse_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, int N);

    /** dpred += dloss[0] * 2 w (pred - target) / N. */
    void mse_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, int N);

    /** loss[0] = mean of w (0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta), d = pred - target. */
    void smooth_l1_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, float beta, int N);

    void smooth_l1_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, float beta, int N);

    // ---- distributional heads (C51, Bellemare et al. 2017) ------------------------------------
    // A row holds the K atoms' values of one (sample, action); the support is K atoms z_j = vMin + j * dz,
    // dz = (vMax - vMin) / (K - 1), as torch.linspace(vMin, vMax, K).

    /** out[r,j] = inp[r,j] - log sum_k exp(inp[r,k]), over rows of K (the max subtracted first). */
    void log_softmax_forward(Tensor out, Tensor inp, int rows, int K);

    /** dinp[r,j] += dout[r,j] - exp(out[r,j]) * sum_k dout[r,k], with out the forward's output. */
    void log_softmax_backward(Tensor dinp, Tensor dout, Tensor out, int rows, int K);

    /** q[r] = sum_j exp(logp[r,j]) z_j: the expected return of each row's distribution (no gradient). */
    void categorical_q_forward(Tensor q, Tensor logp, float vMin, float vMax, int rows, int K);

    /**
     * The categorical projection of C51 (CleanRL's c51.py): for sample n, the atoms of action
     * a = nextAction[n] of logpNext [N, A, K] moved to r + gamma * (1 - terminated) z_j, clamped to
     * [vMin, vMax], and each probability split between the two atoms around it; m is [N, K] (no gradient).
     */
    void categorical_projection(Tensor m, Tensor logpNext, Tensor nextAction, Tensor reward, Tensor terminated,
                                float gamma, float vMin, float vMax, int N, int A, int K);

    /**
     * perSample[n] = -sum_j target[n,j] logp[n, actions[n], j] (the cross-entropy of the projected
     * target and the taken action's distribution; logp is [N, A, K], target [N, K]); loss[0] = mean w perSample.
     */
    void categorical_loss_forward(Tensor loss, Tensor perSample, Tensor logp, Tensor actions, Tensor target, Tensor weight,
                                  int N, int A, int K);

    /** dlogp[n, actions[n], j] -= dloss[0] * w[n] * target[n,j] / N. */
    void categorical_loss_backward(Tensor dlogp, Tensor dloss, Tensor actions, Tensor target, Tensor weight, int N, int A, int K);

    // ---- flat-buffer optimizer steps and clipping --------------------------------------------

    /** PyTorch SGD: buf = momentum * buf + g (buf = g on the first step); p -= lr * (nesterov ? g + momentum * buf : buf). */
    void sgd_step(Tensor p, Tensor g, Tensor buf, float lr, float momentum, boolean nesterov, boolean firstStep, int n);

    /**
     * PyTorch Adam, eps outside the square root: m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
     * p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps). The bias corrections of step t, stepSize =
     * lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t), come from the caller (Adam, once per step, in
     * double), so that every backend applies the same two numbers.
     */
    void adam_step(Tensor p, Tensor g, Tensor m, Tensor v, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int n);

    /**
     * PyTorch RMSprop (plain, centered, momentum); {@code epsInside} puts eps under the square
     * root as Nature-DQN's RMSProp does. gavg and mom may be null when unused.
     */
    void rmsprop_step(Tensor p, Tensor g, Tensor sq, Tensor gavg, Tensor mom, float lr, float alpha, float eps,
                      float momentum, boolean centered, boolean epsInside, int n);

    /** g = clamp(g, -clip, clip). */
    void clip_by_value(Tensor g, float clip, int n);

    /** out[0] = sum g^2 (stays on the device). */
    void sum_squares(Tensor out, Tensor g, int n);

    /** g *= min(1, maxNorm / (sqrt(sumSquares[0]) + 1e-6)), PyTorch clip_grad_norm_. */
    void clip_by_norm(Tensor g, Tensor sumSquares, float maxNorm, int n);

    /** target = tau * source + (1 - tau) * target (tau = 1 is a hard copy). */
    void polyak(Tensor target, Tensor source, float tau, int n);

    // ---- noisy nets (Fortunato et al. 2018, issue 21) ------------------------------------------
    // Factorized Gaussian noise: a NoisyLinear's effective weights are mu + sigma * (epsOut[o] * epsIn[i]),
    // made in a graph tensor before its matmul_forward, so the GEMM and its backward are the plain ones.

    /**
     * w[o,i] = mu[o,i] + sigma[o,i] * (epsOut[o] * epsIn[i]) for o < OC, i < C; epsIn null means 1 (the
     * bias: w[o] = mu[o] + sigma[o] * epsOut[o], with C = 1). PyTorch's order of rounding: the outer
     * product first (weight_epsilon = epsOut.ger(epsIn)), then sigma times it, then the sum.
     */
    void noisy_weights_forward(Tensor w, Tensor mu, Tensor sigma, Tensor epsIn, Tensor epsOut, int OC, int C);

    /**
     * A noisy layer's forward pass that no backward pass follows (acting): noisy_weights_forward of the
     * weights into {@code w} ([OC, C]) and of the bias into {@code b} ([OC]), then matmul_forward from them
     * ({@code relu}: matmul_relu_forward). This default does exactly that; a backend may leave {@code w}
     * unwritten if it gives the same floats (the CPU does, for a few rows: NoisyDense). {@code b} holds the bias after.
     */
    default void noisy_matmul_forward(Tensor out, Tensor inp, Tensor w, Tensor b, Tensor mu, Tensor sigma, Tensor biasMu, Tensor biasSigma,
                                      Tensor epsIn, Tensor epsOut, int N, int C, int OC, boolean relu) {
        noisy_weights_forward(w, mu, sigma, epsIn, epsOut, OC, C);
        noisy_weights_forward(b, biasMu, biasSigma, null, epsOut, OC, 1);
        if (relu) matmul_relu_forward(out, inp, w, b, N, C, OC);
        else matmul_forward(out, inp, w, b, N, C, OC);
    }

    /** dmu[o,i] += dw[o,i]; dsigma[o,i] += dw[o,i] * (epsOut[o] * epsIn[i]) (epsIn null: 1). */
    void noisy_weights_backward(Tensor dmu, Tensor dsigma, Tensor dw, Tensor epsIn, Tensor epsOut, int OC, int C);
}
