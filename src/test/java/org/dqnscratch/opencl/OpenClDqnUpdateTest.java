package org.dqnscratch.opencl;

import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.rl.DqnUpdate;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Whole DQN updates, run on the device and on the CPU from the same start: the same losses and parameters. */
class OpenClDqnUpdateTest {
    record Outcome(float[] losses, float[] params) {}

    static Outcome run(Backend b, Supplier<Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt,
                       Loss loss, boolean doubleDqn, int steps) {
        Module online = net.get(), target = net.get();
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 3);
        pt.updateFrom(po, 1f);
        DqnUpdate u = new DqnUpdate(online, po, target, pt, opt.apply(po), loss, 0.99f, doubleDqn);
        Random r = new Random(11);
        int N = 5, size = Tensor.sizeOf(obsShape);
        int[] batchShape = new int[obsShape.length + 1];
        batchShape[0] = N;
        System.arraycopy(obsShape, 0, batchShape, 1, obsShape.length);
        float[] losses = new float[steps];
        for (int t = 0; t < steps; t++) {
            float[] s = new float[N * size], s2 = new float[N * size], a = new float[N], rew = new float[N], terminated = new float[N];
            for (int i = 0; i < s.length; i++) { s[i] = r.nextFloat() * 2 - 1; s2[i] = r.nextFloat() * 2 - 1; }
            for (int i = 0; i < N; i++) { a[i] = r.nextInt(actions); rew[i] = r.nextFloat(); terminated[i] = r.nextInt(4) == 0 ? 1 : 0; }
            losses[t] = u.step(b.fromArray(s, batchShape), b.fromArray(a, N), b.fromArray(rew, N), b.fromArray(terminated, N),
                    b.fromArray(s2, batchShape), true);
            if (t == 1) u.syncTarget(0.5f);
        }
        return new Outcome(losses, b.toArray(po.values));
    }

    static void same(Supplier<Module> net, int[] obsShape, int actions, Function<Parameters, Optimizer> opt, Loss loss, boolean doubleDqn) {
        Backend cl = OpenClSupport.backend();
        Outcome want = run(new CpuBackend(), net, obsShape, actions, opt, loss, doubleDqn, 4);
        Outcome got = run(cl, net, obsShape, actions, opt, loss, doubleDqn, 4);
        OpenClParityTest.close("losses", want.losses(), got.losses());
        OpenClParityTest.close("parameters after 4 updates", want.params(), got.params());
    }

    @Test
    void mlpWithDuelingDoubleDqnAdamAndNormClip() {
        same(() -> Networks.mlp(6, new int[] {17, 9}, 3, true), new int[] {6}, 3,
                p -> new Adam(p, 1e-2f).withClip(GradClip.byNorm(1f)), Loss.smoothL1(1f), true);
    }

    @Test
    void smallCnnWithNatureRmsPropAndValueClip() {
        Supplier<Module> cnn = () -> new org.dqnscratch.nn.Sequential(
                new org.dqnscratch.nn.Conv2d(2, 4, 3, 2, 1), new org.dqnscratch.nn.Relu(),
                new org.dqnscratch.nn.Conv2d(4, 3, 2, 1, 0), new org.dqnscratch.nn.Relu(),
                new org.dqnscratch.nn.Flatten(), new org.dqnscratch.nn.Linear(3 * 3 * 3, 4));
        same(cnn, new int[] {2, 7, 7}, 4, p -> RmsProp.nature(p, 2.5e-4f).withClip(GradClip.byValue(0.5f)), Loss.mse(), false);
    }
}
