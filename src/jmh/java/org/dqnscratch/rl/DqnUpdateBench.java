package org.dqnscratch.rl;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.nn.Init;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.dqnscratch.tensor.WorkerPool;
import org.openjdk.jmh.annotations.*;

/**
 * One whole DQN update: online forward, target forward, TD target, loss, backward, clip,
 * optimizer step. mlp = 4-256-256-2, batch 64, Adam, Huber (CartPole); cnn = Nature CNN on
 * 4x84x84, 6 actions, batch 32, RMSprop, MSE (Pong). Run with -prof gc for bytes per update.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class DqnUpdateBench {
    @Param({"mlp", "cnn"})
    public String net;
    @Param({"1", "2"})
    public int threads;
    /** cpu, or opencl / opencl:P:D (then every update ends with clFinish, so the kernels are timed). */
    @Param({"cpu"})
    public String backend;

    DqnUpdate update;
    Tensor s, a, r, terminated, sNext;
    int steps;
    OpenClBackend cl;

    @Setup(Level.Trial)
    public void setup() {
        WorkerPool.configure(threads);
        Backend b = backend.equals("cpu") ? new CpuBackend() : OpenClBackend.create(backend);
        cl = b instanceof OpenClBackend o ? o : null;
        boolean cnn = net.equals("cnn");
        int batch = cnn ? 32 : 64, actions = cnn ? 6 : 2;
        Module online = cnn ? Networks.natureCnn(4, actions, false) : Networks.mlp(4, new int[] {256, 256}, actions, false);
        Module target = cnn ? Networks.natureCnn(4, actions, false) : Networks.mlp(4, new int[] {256, 256}, actions, false);
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 1);
        pt.updateFrom(po, 1f);
        Optimizer opt = cnn ? new RmsProp(po, 1e-4f) : new Adam(po, 1e-3f);
        update = new DqnUpdate(online, po, target, pt, opt, cnn ? Loss.mse() : Loss.smoothL1(1f), 0.99f, false);
        Random rng = new Random(1);
        int[] shape = cnn ? new int[] {batch, 4, 84, 84} : new int[] {batch, 4};
        s = random(b, rng, shape, cnn ? 255 : 1);
        sNext = random(b, rng, shape, cnn ? 255 : 1);
        float[] acts = new float[batch], rew = new float[batch], term = new float[batch];
        for (int i = 0; i < batch; i++) {
            acts[i] = rng.nextInt(actions);
            rew[i] = rng.nextInt(3) - 1;
            term[i] = rng.nextInt(10) == 0 ? 1 : 0;
        }
        a = b.fromArray(acts, batch);
        r = b.fromArray(rew, batch);
        terminated = b.fromArray(term, batch);
    }

    org.dqnscratch.opencl.Traffic iterationTraffic;
    int iterationSteps;

    static Tensor random(Backend b, Random rng, int[] shape, float scale) {
        float[] d = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < d.length; i++) d[i] = scale == 255 ? rng.nextInt(256) : rng.nextFloat() * 2 - 1;
        return b.fromArray(d, shape);
    }

    /** Where the last iteration (warm-up or measurement) started, for {@link #traffic}. */
    @Setup(Level.Iteration)
    public void markIteration() {
        if (cl == null) return;
        iterationTraffic = cl.traffic();
        iterationSteps = steps;
        cl.kernelProfile(); // with DQN_OPENCL_PROFILE=1: restarts the per-kernel times, so the report is the last iteration's
    }

    /**
     * The OpenCL runtime calls per update in the last measurement iteration (launches, arguments set,
     * syncs; the benchmark's own clFinish per update is one of the syncs), printed after the results.
     */
    @TearDown(Level.Trial)
    public void traffic() {
        int n = steps - iterationSteps;
        if (cl == null || n == 0) return;
        org.dqnscratch.opencl.Traffic t = cl.traffic().since(iterationTraffic);
        System.out.printf(java.util.Locale.ROOT, "%nopencl per update (last iteration, %d updates, tuning %s): %.1f launches, %.1f fills, "
                + "%.2f arguments set, %.2f syncs (%.2f of them the benchmark's clFinish)%n", n, cl.tuning(), (double) t.launches() / n,
                (double) t.fills() / n, (double) t.argumentSets() / n, (double) t.syncs() / n, (double) t.finishes() / n);
        String profile = cl.kernelProfile();
        if (profile != null) System.out.print(profile);
    }

    /** Reads the loss back every 100th update, as the training loop logs it. */
    @Benchmark
    public float update() {
        float loss = update.step(s, a, r, terminated, sNext, ++steps % 100 == 0);
        if (cl != null) cl.finish();
        return loss;
    }
}
