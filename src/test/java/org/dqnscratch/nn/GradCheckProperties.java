package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/**
 * Finite-difference gradient checks of every op over random shapes (batch 1, odd sizes,
 * stride/padding combinations). Ops that are linear in the checked tensor use a big step,
 * for which the difference quotient is exact up to float rounding.
 */
class GradCheckProperties {
    final Backend b = new CpuBackend();

    private static List<Tensor> paramsAnd(Parameters p, Tensor... more) {
        List<Tensor> all = new ArrayList<>();
        for (Param q : p.list()) all.add(q.value());
        all.addAll(List.of(more));
        return all;
    }

    @Property(tries = 40)
    void linear(@ForAll @IntRange(min = 1, max = 6) int N, @ForAll @IntRange(min = 1, max = 9) int C,
                @ForAll @IntRange(min = 1, max = 7) int OC, @ForAll long seed) {
        Random r = new Random(seed);
        Linear lin = new Linear(C, OC);
        Parameters p = Parameters.allocate(b, lin);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        GradCheck.check(b, g -> lin.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    @Property(tries = 40)
    void conv2d(@ForAll @IntRange(min = 1, max = 2) int N, @ForAll @IntRange(min = 1, max = 3) int C,
                @ForAll @IntRange(min = 1, max = 9) int H, @ForAll @IntRange(min = 1, max = 9) int W,
                @ForAll @IntRange(min = 1, max = 4) int OC, @ForAll @IntRange(min = 1, max = 4) int K,
                @ForAll @IntRange(min = 1, max = 3) int stride, @ForAll @IntRange(min = 0, max = 2) int pad,
                @ForAll long seed) {
        Assume.that(H + 2 * pad >= K && W + 2 * pad >= K);
        Random r = new Random(seed);
        Conv2d conv = new Conv2d(C, OC, K, stride, pad);
        Parameters p = Parameters.allocate(b, conv);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C * H * W, 1), N, C, H, W);
        GradCheck.check(b, g -> conv.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    @Property(tries = 30)
    void relu(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
        Random r = new Random(seed);
        float[] v = GradCheck.random(r, n, 1);
        for (int i = 0; i < n; i++) if (Math.abs(v[i]) < 0.05f) v[i] = 0.05f; // keep away from the kink
        Tensor x = GradCheck.leaf(b, v, 1, n);
        Relu relu = new Relu();
        GradCheck.check(b, g -> relu.forward(g, x), List.of(x), 1e-2, 1e-3, 1e-3, seed);
    }

    @Property(tries = 30)
    void gatherAndMax(@ForAll @IntRange(min = 1, max = 7) int N, @ForAll @IntRange(min = 1, max = 6) int A, @ForAll long seed) {
        Random r = new Random(seed);
        float[] q = new float[N * A];
        for (int i = 0; i < q.length; i++) q[i] = i * 0.25f - 3f; // distinct and well separated
        shuffle(q, r);
        float[] actions = new float[N];
        for (int n = 0; n < N; n++) actions[n] = r.nextInt(A);
        Tensor qt = GradCheck.leaf(b, q, N, A), at = b.fromArray(actions, N);
        GradCheck.check(b, g -> QOps.gather(g, qt, at), List.of(qt), 0.5, 1e-4, 1e-4, seed);
        GradCheck.check(b, g -> QOps.max(g, qt), List.of(qt), 0.05, 1e-4, 1e-4, seed);
    }

    @Property(tries = 30)
    void duelingHead(@ForAll @IntRange(min = 1, max = 5) int N, @ForAll @IntRange(min = 1, max = 8) int C,
                     @ForAll @IntRange(min = 1, max = 6) int A, @ForAll long seed) {
        Random r = new Random(seed);
        DuelingHead head = new DuelingHead(C, A);
        Parameters p = Parameters.allocate(b, head);
        Init.TORCH_DEFAULT.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * C, 1), N, C);
        GradCheck.check(b, g -> head.forward(g, x), paramsAnd(p, x), 0.5, 1e-3, 1e-3, seed);
    }

    @Property(tries = 30)
    void losses(@ForAll @IntRange(min = 1, max = 33) int N, @ForAll long seed) {
        Random r = new Random(seed);
        float[] pred = GradCheck.random(r, N, 2), target = GradCheck.random(r, N, 2);
        for (int i = 0; i < N; i++) {
            float d = Math.abs(pred[i] - target[i]);
            if (Math.abs(d - 1f) < 0.05f) pred[i] += 0.2f; // keep SmoothL1 away from its kink at |d| = beta
        }
        Tensor pt = GradCheck.leaf(b, pred, N), tt = b.fromArray(target, N);
        GradCheck.check(b, g -> Loss.mse().forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
        GradCheck.check(b, g -> Loss.smoothL1(1f).forward(g, pt, tt), List.of(pt), 1e-2, 1e-4, 1e-3, seed);
    }

    /** The tape's plumbing: conv, flatten (a view), linear and a two-branch head in one graph. */
    @Property(tries = 15)
    void convFlattenLinearDuelingNetwork(@ForAll @IntRange(min = 1, max = 3) int N, @ForAll long seed) {
        Random r = new Random(seed);
        Module net = new Sequential(new Conv2d(2, 3, 3, 2, 1), new Flatten(), new Linear(3 * 4 * 4, 5), new DuelingHead(5, 3));
        Parameters p = Parameters.allocate(b, net);
        Init.GLOROT_UNIFORM.apply(p, seed);
        Tensor x = GradCheck.leaf(b, GradCheck.random(r, N * 2 * 7 * 7, 1), N, 2, 7, 7);
        // Without ReLU the network is linear in each single parameter, so a big step is exact.
        GradCheck.check(b, g -> net.forward(g, x), paramsAnd(p, x), 0.5, 2e-3, 2e-3, seed);
    }

    private static void shuffle(float[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
