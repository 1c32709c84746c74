package org.dqnscratch.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqnscratch.nn.Categorical;
import org.dqnscratch.nn.Conv2d;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.DuelingHead;
import org.dqnscratch.nn.Flatten;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.NoisyLinear;
import org.dqnscratch.nn.Param;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.QOps;
import org.dqnscratch.nn.Relu;
import org.dqnscratch.nn.Sequential;
import org.dqnscratch.nn.Support;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Finite-difference gradient checks of every op for given shapes (batch 1, odd sizes,
 * stride/padding combinations). Ops that are linear in the checked tensor use a big step, for
 * which the difference quotient is exact up to float rounding. The jqwik properties
 * (GradCheckProperties) draw the shapes at random; {@link #all()} draws a few with a fixed seed.
 */
public final class GradCheckCases {
    private GradCheckCases() {}

    /** Shapes per op in {@link #all()}. */
    static final int SHAPES = 3;

    private static List<Tensor> paramsAnd(Parameters p, Tensor... more) {
        List<Tensor> all = new ArrayList<>();
        for (Param q : p.list()) all.add(q.value());
        all.addAll(List.of(more));
        return all;
    }

    public static void linear(Backend b, Check c, int N, int C, int OC, long seed) {
        Random r = new Random(seed);
        Linear lin = new Linear(C, OC);
        Parameters p = Parameters.allocate(b, lin);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        GradCheck.check(b, c, g -> lin.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    /** Needs {@code H + 2 pad >= K} and {@code W + 2 pad >= K}. */
    public static void conv2d(Backend b, Check c, int N, int C, int H, int W, int OC, int K, int stride, int pad, long seed) {
        Random r = new Random(seed);
        Conv2d conv = new Conv2d(C, OC, K, stride, pad);
        Parameters p = Parameters.allocate(b, conv);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C * H * W, 1), N, C, H, W);
        GradCheck.check(b, c, g -> conv.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    /**
     * Linear then ReLU as Sequential fuses them, on values that keep the ReLU's kink out of reach (see
     * {@link #offTheKink}): both sides of it are checked, with a quotient that is exact.
     */
    public static void linearRelu(Backend b, Check c, int N, int C, int OC, long seed) {
        Random r = new Random(seed);
        Module net = new Sequential(new Linear(C, OC), new Relu());
        Parameters p = offTheKink(b, net, r);
        Tensor x = GradCheck.leaf(b, integers(r, N * C), N, C);
        GradCheck.check(b, c, g -> net.forward(g, x), paramsAnd(p, x), 1e-2, 1e-3, 1e-3, seed);
    }

    /** Conv2d then ReLU as Sequential fuses them, as {@link #linearRelu}. Needs {@code H + 2 pad >= K}, {@code W + 2 pad >= K}. */
    public static void conv2dRelu(Backend b, Check c, int N, int C, int H, int W, int OC, int K, int stride, int pad, long seed) {
        Random r = new Random(seed);
        Module net = new Sequential(new Conv2d(C, OC, K, stride, pad), new Relu());
        Parameters p = offTheKink(b, net, r);
        Tensor x = GradCheck.leaf(b, integers(r, N * C * H * W), N, C, H, W);
        GradCheck.check(b, c, g -> net.forward(g, x), paramsAnd(p, x), 1e-2, 1e-3, 1e-3, seed);
    }

    /**
     * Weights k/8 (|k| <= 4), biases an odd number of 1/16 (at most 15/16): with integer inputs in [-2, 2]
     * (and padding zeros) every pre-activation is an odd multiple of 1/16, at least 1/16 from 0, and a
     * step of 1e-2 in one weight, bias or input moves it by at most 0.02. All of it exact in float.
     */
    private static Parameters offTheKink(Backend b, Module net, Random r) {
        Parameters p = Parameters.allocate(b, net);
        for (Param q : p.list()) {
            float[] v = new float[q.value().size];
            for (int i = 0; i < v.length; i++) {
                v[i] = q.kind == Param.Kind.BIAS ? (2 * (r.nextInt(16) - 8) + 1) / 16f : (r.nextInt(9) - 4) / 8f;
            }
            b.upload(q.value(), v, 0);
        }
        return p;
    }

    private static float[] integers(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(5) - 2;
        return a;
    }

    public static void relu(Backend b, Check c, int n, long seed) {
        Random r = new Random(seed);
        float[] v = GradCheck.random(r, n, 1);
        for (int i = 0; i < n; i++) if (Math.abs(v[i]) < 0.05f) v[i] = 0.05f; // keep away from the kink
        Tensor x = GradCheck.leaf(b, v, 1, n);
        Relu relu = new Relu();
        GradCheck.check(b, c, g -> relu.forward(g, x), List.of(x), 1e-2, 1e-3, 1e-3, seed);
    }

    public static void gatherAndMax(Backend b, Check c, int N, int A, long seed) {
        Random r = new Random(seed);
        float[] q = new float[N * A];
        for (int i = 0; i < q.length; i++) q[i] = i * 0.25f - 3f; // distinct and well separated
        shuffle(q, r);
        float[] actions = new float[N];
        for (int n = 0; n < N; n++) actions[n] = r.nextInt(A);
        Tensor qt = GradCheck.leaf(b, q, N, A), at = b.fromArray(actions, N);
        GradCheck.check(b, c, g -> QOps.gather(g, qt, at), List.of(qt), 0.5, 1e-4, 1e-4, seed);
        GradCheck.check(b, c, g -> QOps.max(g, qt), List.of(qt), 0.05, 1e-4, 1e-4, seed);
    }

    public static void duelingHead(Backend b, Check c, int N, int C, int A, long seed) {
        Random r = new Random(seed);
        DuelingHead head = new DuelingHead(C, A);
        Parameters p = Parameters.allocate(b, head);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        GradCheck.check(b, c, g -> head.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    public static void losses(Backend b, Check c, int N, long seed) {
        Random r = new Random(seed);
        float[] pred = GradCheck.random(r, N, 2), target = GradCheck.random(r, N, 2);
        for (int i = 0; i < N; i++) {
            float d = Math.abs(pred[i] - target[i]);
            if (Math.abs(d - 1f) < 0.05f) pred[i] += 0.2f; // keep SmoothL1 away from its kink at |d| = beta
        }
        Tensor pt = GradCheck.leaf(b, pred, N), tt = b.fromArray(target, N);
        GradCheck.check(b, c, g -> Loss.mse().forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
        GradCheck.check(b, c, g -> Loss.smoothL1(1f).forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
        float[] w = new float[N]; // prioritized replay's importance weights, in (0, 1]
        for (int i = 0; i < N; i++) w[i] = 0.05f + 0.95f * r.nextFloat();
        Tensor wt = b.fromArray(w, N);
        GradCheck.check(b, c, g -> Loss.mse().weightedBy(wt).forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
        GradCheck.check(b, c, g -> Loss.smoothL1(1f).weightedBy(wt).forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
    }

    /**
     * C51: a head of K atoms per action (plain or dueling per atom), log-softmax over the atoms, and
     * the cross-entropy (weighted or not) against a target distribution at the taken actions.
     */
    public static void categorical(Backend b, Check c, int N, int C, int A, int K, boolean dueling, boolean weighted, long seed) {
        Random r = new Random(seed);
        Support support = new Support(K, -10f, 10f);
        Distributional net = new Distributional(dueling ? new DuelingHead(C, A, K) : new Linear(C, A * K), A, support);
        Parameters p = Parameters.allocate(b, net);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        float[] m = new float[N * K], a = new float[N], w = new float[N];
        for (int n = 0; n < N; n++) {
            float sum = 0;
            for (int j = 0; j < K; j++) sum += m[n * K + j] = r.nextFloat();
            for (int j = 0; j < K; j++) m[n * K + j] /= sum;
            a[n] = r.nextInt(A);
            w[n] = 0.05f + 0.95f * r.nextFloat();
        }
        Tensor mt = b.fromArray(m, N, K), at = b.fromArray(a, N);
        Categorical.Loss loss = new Categorical.Loss(support, weighted ? b.fromArray(w, N) : null);
        GradCheck.check(b, c, g -> net.logProbs(g, x), paramsAnd(p, x), 1e-2, 1e-3, 2e-3, seed);
        GradCheck.check(b, c, g -> loss.forward(g, net.logProbs(g, x), at, mt), paramsAnd(p, x), 1e-2, 1e-4, 2e-3, seed);
    }

    /** The tape's plumbing: conv, flatten (a view), linear and a two-branch head in one graph. */
    public static void convFlattenLinearDueling(Backend b, Check c, int N, long seed) {
        Random r = new Random(seed);
        Module net = new Sequential(new Conv2d(2, 3, 3, 2, 1), new Flatten(), new Linear(3 * 4 * 4, 5), new DuelingHead(5, 3));
        Parameters p = Parameters.allocate(b, net);
        Init.GLOROT_UNIFORM.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * 2 * 7 * 7, 1), N, 2, 7, 7);
        // Without ReLU the network is linear in each single parameter, so a big step is exact.
        GradCheck.check(b, c, g -> net.forward(g, x), paramsAnd(p, x), 0.5, 2e-3, 2e-3, seed);
    }

    /**
     * A NoisyLinear with drawn noise (issue 21): gradients of x, weight_mu, weight_sigma, bias_mu and
     * bias_sigma through noisy_weights_* and the GEMM. Linear in each single one, so a big step is exact.
     */
    public static void noisyLinear(Backend b, Check c, int N, int C, int OC, long seed) {
        Random r = new Random(seed);
        NoisyLinear lin = new NoisyLinear(C, OC);
        Parameters p = Parameters.allocate(b, lin);
        Init.TORCH_DEFAULT.apply(p, seed);
        lin.resample(b, new java.util.SplittableRandom(seed));
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        GradCheck.check(b, c, g -> lin.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    private static void shuffle(float[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int in(Random r, int min, int max) { return min + r.nextInt(max - min + 1); }

    /** A check of a dense layer of a given shape ({@link #linear}, {@link #linearRelu}). */
    interface DenseCheck {
        void run(Backend b, Check c, int N, int C, int OC, long seed);
    }

    /** A check of a convolution of a given geometry ({@link #conv2d}, {@link #conv2dRelu}). */
    interface ConvCheck {
        void run(Backend b, Check c, int N, int C, int H, int W, int OC, int K, int stride, int pad, long seed);
    }

    /** {@link #SHAPES} dense shapes drawn from r in the property's ranges. */
    private static void dense(List<Case> out, Random r, String group, DenseCheck check) {
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 6), C = in(r, 1, 9), OC = in(r, 1, 7);
            out.add(new Case(group, "N=" + N + " C=" + C + " OC=" + OC, (b, c) -> check.run(b, c, N, C, OC, seed)));
        }
    }

    /** {@link #SHAPES} geometries drawn from r in the property's ranges. */
    private static void conv(List<Case> out, Random r, String group, ConvCheck check) {
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 2), C = in(r, 1, 3), H = in(r, 1, 9), W = in(r, 1, 9), OC = in(r, 1, 4), K = in(r, 1, 4);
            int stride = in(r, 1, 3), pad = in(r, 0, 2);
            if (H + 2 * pad < K || W + 2 * pad < K) { s--; continue; } // the property's Assume
            out.add(new Case(group, "N=" + N + " C=" + C + " " + H + "x" + W + " OC=" + OC + " K=" + K + " stride " + stride
                    + " pad " + pad, (b, c) -> check.run(b, c, N, C, H, W, OC, K, stride, pad, seed)));
        }
    }

    /** Group {@code gradcheck <op>}: {@link #SHAPES} shapes per op, drawn from a fixed seed in the properties' ranges. */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        Random r = new Random(12);
        dense(out, r, "gradcheck linear", GradCheckCases::linear);
        conv(out, r, "gradcheck conv2d", GradCheckCases::conv2d);
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int n = in(r, 1, 40);
            out.add(new Case("gradcheck relu", "n=" + n, (b, c) -> relu(b, c, n, seed)));
        }
        // from a generator of their own, so that the other ops' shapes stay those the command always ran
        Random fused = new Random(13);
        dense(out, fused, "gradcheck linear+relu", GradCheckCases::linearRelu);
        conv(out, fused, "gradcheck conv2d+relu", GradCheckCases::conv2dRelu);
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 7), A = in(r, 1, 6);
            out.add(new Case("gradcheck gather+max", "N=" + N + " A=" + A, (b, c) -> gatherAndMax(b, c, N, A, seed)));
        }
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 5), C = in(r, 1, 8), A = in(r, 1, 6);
            out.add(new Case("gradcheck dueling", "N=" + N + " C=" + C + " A=" + A, (b, c) -> duelingHead(b, c, N, C, A, seed)));
        }
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 33);
            out.add(new Case("gradcheck mse+smooth_l1 (plain, weighted)", "N=" + N, (b, c) -> losses(b, c, N, seed)));
        }
        Random c51 = new Random(14); // a generator of its own, as the fused ops'
        for (int s = 0; s < SHAPES; s++) {
            long seed = c51.nextLong();
            int N = in(c51, 1, 5), C = in(c51, 1, 6), A = in(c51, 1, 4), K = in(c51, 2, 11);
            boolean dueling = c51.nextBoolean(), weighted = c51.nextBoolean();
            out.add(new Case("gradcheck c51 head+log_softmax+cross-entropy", "N=" + N + " C=" + C + " A=" + A + " K=" + K
                    + (dueling ? " dueling" : "") + (weighted ? " weighted" : ""), (b, c) -> categorical(b, c, N, C, A, K, dueling, weighted, seed)));
        }
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 3);
            out.add(new Case("gradcheck conv+linear+dueling", "N=" + N, (b, c) -> convFlattenLinearDueling(b, c, N, seed)));
        }
        // issue 21, from a generator of its own (the shapes above stay those the command always ran)
        dense(out, new Random(21), "gradcheck noisy_linear", GradCheckCases::noisyLinear);
        return out;
    }
}
