package org.dqnscratch.check;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dqnscratch.nn.Conv2d;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Flatten;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Noise;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Relu;
import org.dqnscratch.nn.Sequential;
import org.dqnscratch.nn.Support;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.rl.DqnUpdate;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/** Whole DQN updates, run on the device and on the CPU from the same start: the same losses and parameters. */
public final class UpdateCases {
    private UpdateCases() {}

    static final int STEPS = 4;

    /**
     * The losses of each step, the parameters after the last, each step's per-sample TD errors (or C51
     * losses) in a row, and each step's mean Q(s, a) read with its loss ({@link DqnUpdate#meanQ}).
     */
    public record Outcome(float[] losses, float[] params, float[] tdErrors, float[] meanQs) {}

    public static Outcome run(Backend b, Supplier<Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt,
                              Loss loss, boolean doubleDqn, int steps) {
        return run(b, noise -> net.get(), obsShape, actions, opt, loss, doubleDqn, steps, false, false);
    }

    /**
     * As above; with {@code weighted}, the loss weighs the samples with importance weights (prioritized
     * replay's); a {@link Distributional} network is trained with C51's cross-entropy ({@code loss}
     * unused); with {@code noisy} the networks are made with a Noise each, redrawn before every step as
     * a --noisy run does.
     */
    static Outcome run(Backend b, Function<Noise, Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt,
                       Loss loss, boolean doubleDqn, int steps, boolean weighted, boolean noisy) {
        Noise onlineNoise = noisy ? new Noise() : null, targetNoise = noisy ? new Noise() : null;
        Module online = net.apply(onlineNoise), target = net.apply(targetNoise);
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 3);
        pt.updateFrom(po, 1f);
        int N = 5, size = Tensor.sizeOf(obsShape);
        float[] w = new float[N];
        for (int i = 0; i < N; i++) w[i] = 0.2f + 0.15f * i;
        Tensor weights = weighted ? b.fromArray(w, N) : null;
        DqnUpdate u = online instanceof Distributional d
                ? DqnUpdate.categorical(d, po, (Distributional) target, pt, opt.apply(po), weights, 0.99f, doubleDqn)
                : new DqnUpdate(online, po, target, pt, opt.apply(po), weights == null ? loss : loss.weightedBy(weights), 0.99f, doubleDqn);
        if (noisy) {
            SplittableRandom noise = new SplittableRandom(21);
            u.beforeEachStep(() -> {
                onlineNoise.resample(b, noise);
                targetNoise.resample(b, noise);
            });
        }
        Random r = new Random(11);
        float[] errors = new float[steps * N], stepErrors = new float[N];
        int[] batchShape = new int[obsShape.length + 1];
        batchShape[0] = N;
        System.arraycopy(obsShape, 0, batchShape, 1, obsShape.length);
        float[] losses = new float[steps], meanQs = new float[steps];
        for (int t = 0; t < steps; t++) {
            float[] s = new float[N * size], s2 = new float[N * size], a = new float[N], rew = new float[N], terminated = new float[N];
            for (int i = 0; i < s.length; i++) { s[i] = r.nextFloat() * 2 - 1; s2[i] = r.nextFloat() * 2 - 1; }
            for (int i = 0; i < N; i++) { a[i] = r.nextInt(actions); rew[i] = r.nextFloat(); terminated[i] = r.nextInt(4) == 0 ? 1 : 0; }
            losses[t] = u.step(b.fromArray(s, batchShape), b.fromArray(a, N), b.fromArray(rew, N), b.fromArray(terminated, N),
                    b.fromArray(s2, batchShape), true, stepErrors);
            meanQs[t] = u.meanQ();
            System.arraycopy(stepErrors, 0, errors, t * N, N);
            if (t == 1) u.syncTarget(0.5f);
        }
        return new Outcome(losses, b.toArray(po.values), errors, meanQs);
    }

    static Case.Body same(Supplier<Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt, Loss loss,
                          boolean doubleDqn) {
        return same(noise -> net.get(), obsShape, actions, opt, loss, doubleDqn, false, false);
    }

    static Case.Body same(Function<Noise, Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt, Loss loss,
                          boolean doubleDqn, boolean weighted, boolean noisy) {
        return (device, c) -> {
            Outcome want = run(new CpuBackend(), net, obsShape, actions, opt, loss, doubleDqn, STEPS, weighted, noisy);
            Outcome got = run(device, net, obsShape, actions, opt, loss, doubleDqn, STEPS, weighted, noisy);
            close(c, "losses", want.losses(), got.losses());
            close(c, "parameters after " + STEPS + " updates", want.params(), got.params());
            close(c, "per-sample TD errors", want.tdErrors(), got.tdErrors());
            close(c, "mean Q(s, a) read with each loss", want.meanQs(), got.meanQs());
        };
    }

    /** The parity tolerance: {@code 1e-4 + 1e-4 |cpu|}. */
    public static void close(Check c, String what, float[] cpu, float[] device) {
        c.close(what, cpu, device, ParityCases.TOL, ParityCases.EPS);
    }

    public static final Case MLP_DUELING_DOUBLE_ADAM_NORM_CLIP = new Case("dqn-update", "mlp dueling double-dqn adam norm-clip",
            same(() -> Networks.mlp(6, new int[] {17, 9}, 3, true), new int[] {6}, 3,
                    p -> new Adam(p, 1e-2f).withClip(GradClip.byNorm(1f)), Loss.smoothL1(1f), true));

    public static final Case SMALL_CNN_NATURE_RMSPROP_VALUE_CLIP = new Case("dqn-update", "small cnn nature-rmsprop value-clip",
            same(() -> new Sequential(new Conv2d(2, 4, 3, 2, 1), new Relu(), new Conv2d(4, 3, 2, 1, 0), new Relu(),
                            new Flatten(), new Linear(3 * 3 * 3, 4)),
                    new int[] {2, 7, 7}, 4, p -> RmsProp.nature(p, 2.5e-4f).withClip(GradClip.byValue(0.5f)), Loss.mse(), false));

    /** C51 (dueling per atom, Double DQN's chooser, importance-weighted cross-entropy): Rainbow's update without noise. */
    public static final Case C51_DUELING_DOUBLE_WEIGHTED_ADAM = new Case("dqn-update", "c51 dueling double-dqn weighted adam",
            same(noise -> Networks.mlp(6, new int[] {17, 9}, 3, true, new Support(11, -2f, 3f)), new int[] {6}, 3,
                    p -> new Adam(p, 1e-2f).withClip(GradClip.byNorm(1f)), null, true, true, false));

    /** Issue 21: a noisy dueling MLP (every layer NoisyLinear), its noise redrawn before every step. */
    public static final Case NOISY_MLP_DUELING_DOUBLE_ADAM = new Case("dqn-update", "noisy mlp dueling double-dqn adam",
            same(noise -> Networks.mlp(6, new int[] {17, 9}, 3, true, noise), new int[] {6}, 3,
                    p -> new Adam(p, 1e-2f).withClip(GradClip.byNorm(1f)), Loss.smoothL1(1f), true, false, true));

    /** Rainbow's update: noisy layers, separate dueling streams per atom, C51, Double DQN, importance weights. */
    public static final Case RAINBOW_MLP = new Case("dqn-update", "rainbow mlp (noisy, dueling streams, c51, double-dqn, weighted)",
            same(noise -> Networks.mlp(6, new int[] {17, 9}, 3, new Networks.Head(true, true, new Support(11, -2f, 3f)), noise), new int[] {6}, 3,
                    p -> new Adam(p, 1e-2f).withClip(GradClip.byNorm(1f)), null, true, true, true));

    public static List<Case> all() {
        return List.of(MLP_DUELING_DOUBLE_ADAM_NORM_CLIP, SMALL_CNN_NATURE_RMSPROP_VALUE_CLIP, C51_DUELING_DOUBLE_WEIGHTED_ADAM,
                NOISY_MLP_DUELING_DOUBLE_ADAM, RAINBOW_MLP);
    }
}
