package org.dqnscratch.nn;

import java.util.random.RandomGenerator;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * A linear layer with factorized Gaussian noise (Fortunato et al. 2018, "Noisy Networks for
 * Exploration"): y = x . (mu_w + sigma_w * eps_w)^T + mu_b + sigma_b * eps_b, with
 * eps_w[o,i] = f(epsOut[o]) f(epsIn[i]), eps_b = f(epsOut), f(e) = sign(e) sqrt(|e|) of standard normals.
 * Parameters {@code weight_mu}, {@code weight_sigma}, {@code bias_mu}, {@code bias_sigma} as CleanRL's
 * and Kaixhin's NoisyLinear name them; mu ~ U(+-1/sqrt(in)), weight_sigma = sigma0/sqrt(in),
 * bias_sigma = sigma0/sqrt(out) (both references), sigma0 = 0.5 (the paper's and CleanRL's; Kaixhin's
 * --noisy-std defaults to 0.1). Factorized as in the paper's DQN variant and Kaixhin's layer: CleanRL's
 * rainbow_atari.py, with the same initialisation, draws weight_epsilon.normal_() per weight instead.
 *
 * <p>The noise is two vectors (in + out floats) on the backend, drawn by {@link #resample}; they are not
 * parameters (no gradient, not in checkpoints: the loop redraws them from its saved generator state).
 * The layers of one network keep theirs side by side in one buffer of their {@link Noise}, uploaded at
 * once (on OpenCL each upload takes a slot of the staging ring: one per layer and vector made a
 * Nature-CNN update wait for a free one).
 * A graph that is not {@link Graph#noisy} (greedy evaluation, PyTorch's eval mode), or a layer whose
 * noise was never drawn, uses the means alone.
 *
 * <p>The effective weights and bias live in one arena tensor of the graph, [out*in | out], so a
 * forward allocates nothing in steady state; the layer keeps the two views of each such tensor.
 */
public final class NoisyLinear implements ReluFusable, Op {
    /** sigma_0 of factorized noise (the paper's, CleanRL's std_init). */
    public static final float SIGMA0 = 0.5f;

    public final int in, out;
    private Param weightMu, weightSigma, biasMu, biasSigma;
    /** The noise on the host: f(epsIn) then f(epsOut), from hostOff (this layer's own array, or its Noise's). */
    private float[] host;
    private int hostOff;
    /** The same on the backend (noise: the [in + out] stretch; epsIn, epsOut: its two parts), once allocated. */
    private Tensor noise, epsIn, epsOut;
    /** True once noise has been drawn or set: before, a forward pass uses the means. */
    private boolean drawn;
    /** Counts the noise draws and sets uploaded: a borrowed [out*in | out] must be of the current one. */
    private int draws;
    /** The effective weights last computed ([out*in | out]), the graph and pass that computed them, and the draw. */
    private Tensor lastWb;
    private Graph lastGraph;
    private int lastPass, lastDraw;

    public NoisyLinear(int in, int out) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("NoisyLinear(" + in + ", " + out + ")");
        this.in = in;
        this.out = out;
        this.host = new float[in + out];
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        // PyTorch's order (and its reset_parameters' draws): weight_mu, weight_sigma, bias_mu, bias_sigma
        weightMu = params.noisyMu(prefix + "weight_mu", in, out, out, in);
        weightSigma = params.constant(prefix + "weight_sigma", (float) (SIGMA0 / Math.sqrt(in)), in, out, out, in);
        biasMu = params.noisyMu(prefix + "bias_mu", in, out, out);
        biasSigma = params.constant(prefix + "bias_sigma", (float) (SIGMA0 / Math.sqrt(out)), in, out, out);
    }

    /** Draws new noise: epsIn's {@code in} normals, then epsOut's {@code out} (Kaixhin's order), each through f. */
    public void resample(Backend backend, RandomGenerator rng) {
        draw(rng);
        upload(backend);
    }

    /** Draws new noise on the host only (its {@link Noise} uploads the whole network's at once). */
    void draw(RandomGenerator rng) {
        for (int k = 0; k < in + out; k++) host[hostOff + k] = scaled(rng.nextGaussian());
    }

    /** Keeps the noise in {@code flat} and {@code hostNoise} from {@code offset} on ([in + out] each): its Noise's buffers. */
    void attach(Tensor flat, float[] hostNoise, int offset) {
        host = hostNoise;
        hostOff = offset;
        noiseAt(new Tensor(flat.storage, flat.offset + offset, in + out));
    }

    /** The noise on the host is on the backend too (uploaded by this layer or its Noise). */
    void uploaded() {
        drawn = true;
        draws++;
    }

    private void noiseAt(Tensor t) {
        noise = t;
        epsIn = new Tensor(t.storage, t.offset, in);
        epsOut = new Tensor(t.storage, t.offset + in, out);
    }

    private void upload(Backend backend) {
        if (noise == null) noiseAt(backend.zeros(in + out));
        backend.upload(noise, host, hostOff);
        uploaded();
    }

    /** f(e) = sign(e) sqrt(|e|), in float as PyTorch's {@code x.sign().mul_(x.abs().sqrt_())}. */
    static float scaled(double e) {
        float x = (float) e;
        return Math.signum(x) * (float) Math.sqrt(Math.abs(x));
    }

    /** Sets the noise vectors (already scaled by f): [in] and [out]. */
    public void setNoise(Backend backend, float[] noiseIn, float[] noiseOut) {
        if (noiseIn.length != in || noiseOut.length != out) throw new IllegalArgumentException("noise of " + noiseIn.length + " and " + noiseOut.length + " for " + this);
        System.arraycopy(noiseIn, 0, host, hostOff, in);
        System.arraycopy(noiseOut, 0, host, hostOff + in, out);
        upload(backend);
    }

    /** The noise last drawn or set: f(epsIn) then f(epsOut), or null before any (tests). */
    public float[][] noise() {
        if (!drawn) return null;
        return new float[][] {java.util.Arrays.copyOfRange(host, hostOff, hostOff + in), java.util.Arrays.copyOfRange(host, hostOff + in, hostOff + in + out)};
    }

    @Override public Tensor forward(Graph g, Tensor x) { return forward(g, x, false); }

    @Override public Tensor forwardRelu(Graph g, Tensor x) { return forward(g, x, true); }

    private Tensor forward(Graph g, Tensor x, boolean relu) {
        if (x.rank() != 2 || x.dim(1) != in) throw new IllegalArgumentException(this + " got " + x);
        int N = x.dim(0);
        Tensor wb = null, w = weightMu.value(), b = biasMu.value();
        if (g.noisy() && drawn) {
            Graph source = g.weightsFrom();
            boolean borrow = source != null && source == lastGraph && source.pass() == lastPass && draws == lastDraw;
            wb = borrow ? lastWb : g.tensor(g.needsGrad(weightMu.value(), weightSigma.value()), out * in + out);
            Views v = views(wb);
            w = v.w;
            b = v.b;
            if (!borrow && !g.recording()) { // acting: no backward, so the backend may skip storing W (nothing to lend then)
                Tensor y = g.tensor(false, N, out);
                g.backend.noisy_matmul_forward(y, x, w, b, weightMu.value(), weightSigma.value(), biasMu.value(), biasSigma.value(),
                        epsIn, epsOut, N, in, out, relu);
                lastGraph = null;
                lastWb = null;
                return y;
            }
            if (!borrow) {
                g.backend.noisy_weights_forward(w, weightMu.value(), weightSigma.value(), epsIn, epsOut, out, in);
                g.backend.noisy_weights_forward(b, biasMu.value(), biasSigma.value(), null, epsOut, out, 1);
                lastWb = wb;
                lastGraph = g;
                lastPass = g.pass();
                lastDraw = draws;
            }
        }
        Tensor y = g.tensor(g.needsGrad(x, wb == null ? w : wb), N, out);
        if (relu) g.backend.matmul_relu_forward(y, x, w, b, N, in, out);
        else g.backend.matmul_forward(y, x, w, b, N, in, out);
        g.record(relu ? withRelu : this, y, x, wb);
        return y;
    }

    private final Op withRelu = (backend, y, x, wb) -> {
        backend.relu_backward_inplace(y.grad, y, y.size);
        backward(backend, y, x, wb);
    };

    /** wb: the effective weights and bias of the pass, or null when it used the means. */
    @Override public void backward(Backend backend, Tensor y, Tensor x, Tensor wb) {
        Tensor grad = x.grad;
        if (wb == null) {
            Tensor w = weightMu.value();
            backend.matmul_backward(grad, w.grad, biasMu.value().grad, y.grad, x, w, x.dim(0), in, out);
            return;
        }
        Views v = views(wb);
        backend.matmul_backward(grad, v.w.grad, v.b.grad, y.grad, x, v.w, x.dim(0), in, out);
        if (v.w.grad == null) return; // the parameters take no gradient (a frozen network)
        backend.noisy_weights_backward(weightMu.value().grad, weightSigma.value().grad, v.w.grad, epsIn, epsOut, out, in);
        backend.noisy_weights_backward(biasMu.value().grad, biasSigma.value().grad, v.b.grad, null, epsOut, out, 1);
    }

    /** The [out, in] and [out] views of an arena tensor [out*in + out] (and of its gradient). */
    private record Views(Tensor wb, Tensor w, Tensor b) {}

    /** The views of the last few arena tensors: one per graph this layer runs in (acting, training, target...). */
    private final Views[] cache = new Views[8];
    private int next;

    private Views views(Tensor wb) {
        for (Views v : cache) if (v != null && v.wb == wb) return v;
        Tensor w = new Tensor(wb.storage, wb.offset, out, in), b = new Tensor(wb.storage, wb.offset + out * in, out);
        if (wb.grad != null) {
            w.grad = new Tensor(wb.grad.storage, wb.grad.offset, out, in);
            b.grad = new Tensor(wb.grad.storage, wb.grad.offset + out * in, out);
        }
        Views v = new Views(wb, w, b);
        cache[next] = v;
        next = (next + 1) % cache.length;
        return v;
    }

    @Override public String toString() { return "NoisyLinear(" + in + ", " + out + ")"; }
}
