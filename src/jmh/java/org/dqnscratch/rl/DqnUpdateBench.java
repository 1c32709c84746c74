package org.dqnscratch.rl;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.nn.Init;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Noise;
import org.dqnscratch.nn.Support;
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
 * One whole DQN update: online forward, target forward, TD target, loss, backward, norm clip
 * 10, optimizer step. The configurations are those of the PyTorch peer
 * ({@code torch_update_rate.py}, same names): the seeds' and CleanRL's MLPs on CartPole
 * observations and the Nature CNN on 4x84x84 pixels (0..255, scaled by 1/255 inside the
 * network, as the peer's {@code --uint8}). {@code net=mlp} and {@code net=cnn} are the short
 * names of mlp_4-256-256-2_b64_adam_huber and cnn_nature_b32_rmsprop_mse. Run with -prof gc for
 * bytes per update.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class DqnUpdateBench {
    @Param({"mlp_4-32-32-2_b8_adam_mse", "mlp_4-128-2_b256_adam_huber", "mlp_4-120-84-2_b128_adam_mse",
            "mlp_4-256-256-2_b64_adam_huber", "cnn_nature_b32_rmsprop_mse", "cnn_nature_b64_adam_huber"})
    public String net;
    @Param({"1", "2"})
    public int threads;
    /** cpu, or opencl / opencl:P:D (then every update ends with clFinish, so the kernels are timed). */
    @Param({"cpu"})
    public String backend;
    /**
     * dqn: the network's Q values and the net's loss; c51: a distributional head of 51 atoms and the
     * cross-entropy (the loss name unused); rainbow: Rainbow's network (noisy layers, their noise redrawn
     * for both networks before every update, dueling streams with their own last hidden layer, 51 atoms
     * per action), Double DQN's chooser, importance weights, and the per-sample losses read back every
     * update (prioritized replay).
     */
    @Param({"dqn"})
    public String variant;

    DqnUpdate update;
    Tensor s, a, r, terminated, sNext;
    int steps;
    OpenClBackend cl;

    /** A configuration name: [mlp_SIZES | cnn_nature]_bBATCH_OPTIMIZER_LOSS. */
    static String[] parse(String net) {
        String name = switch (net) {
            case "mlp" -> "mlp_4-256-256-2_b64_adam_huber";
            case "cnn" -> "cnn_nature_b32_rmsprop_mse";
            default -> net;
        };
        String[] f = name.split("_");
        if (f.length != 5 || !f[2].startsWith("b")) throw new IllegalArgumentException("net " + net);
        return f;
    }

    @Setup(Level.Trial)
    public void setup() {
        WorkerPool.configure(threads);
        Backend b = backend.equals("cpu") ? new CpuBackend() : OpenClBackend.create(backend);
        cl = b instanceof OpenClBackend o ? o : null;
        String[] f = parse(net);
        boolean cnn = f[0].equals("cnn");
        int batch = Integer.parseInt(f[2].substring(1)), actions = cnn ? 6 : 2;
        Support support = variant.equals("dqn") ? null : new Support(51, -10f, 10f);
        boolean rainbow = variant.equals("rainbow");
        if (!java.util.List.of("dqn", "c51", "rainbow").contains(variant)) throw new IllegalArgumentException("variant " + variant + " (dqn, c51, rainbow)");
        Networks.Head head = new Networks.Head(rainbow, rainbow, support);
        Noise onlineNoise = rainbow ? new Noise() : null, targetNoise = rainbow ? new Noise() : null;
        Module online = cnn ? Networks.natureCnn(4, actions, 32, 64, 64, 512, head, onlineNoise) : mlp(f[1], head, onlineNoise);
        Module target = cnn ? Networks.natureCnn(4, actions, 32, 64, 64, 512, head, targetNoise) : mlp(f[1], head, targetNoise);
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 1);
        pt.updateFrom(po, 1f);
        Optimizer opt = switch (f[3]) {
            case "adam" -> new Adam(po, 1e-4f);
            case "rmsprop" -> new RmsProp(po, 1e-4f);
            default -> throw new IllegalArgumentException("optimizer " + f[3]);
        };
        Loss loss = switch (f[4]) {
            case "mse" -> Loss.mse();
            case "huber" -> Loss.smoothL1(1f);
            default -> throw new IllegalArgumentException("loss " + f[4]);
        };
        Random rng = new Random(1);
        float[] w = new float[batch];
        for (int i = 0; i < batch; i++) w[i] = 0.1f + 0.9f * rng.nextFloat();
        errors = rainbow ? new float[batch] : null;
        update = support == null ? new DqnUpdate(online, po, target, pt, opt, loss, 0.99f, false)
                : DqnUpdate.categorical((Distributional) online, po, (Distributional) target, pt, opt, rainbow ? b.fromArray(w, batch) : null, 0.99f, rainbow);
        if (rainbow) {
            org.dqnscratch.env.Rng noise = new org.dqnscratch.env.Rng(3);
            update.beforeEachStep(() -> {
                onlineNoise.resample(b, noise);
                targetNoise.resample(b, noise);
            });
        }
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

    /** "4-256-256-2": 4 inputs, hidden layers 256 and 256, 2 actions. */
    static Module mlp(String sizes, Networks.Head head, Noise noise) {
        String[] p = sizes.split("-");
        int[] hidden = new int[p.length - 2];
        for (int i = 0; i < hidden.length; i++) hidden[i] = Integer.parseInt(p[i + 1]);
        return Networks.mlp(Integer.parseInt(p[0]), hidden, Integer.parseInt(p[p.length - 1]), head, noise);
    }

    /** Per-sample TD errors (rainbow: read back every update), else null. */
    float[] errors;

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
        float loss = update.step(s, a, r, terminated, sNext, ++steps % 100 == 0, errors);
        if (cl != null) cl.finish();
        return loss;
    }
}
