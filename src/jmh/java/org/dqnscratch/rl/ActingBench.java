package org.dqnscratch.rl;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.env.Rng;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Noise;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Support;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.WorkerPool;
import org.openjdk.jmh.annotations.*;

/**
 * One acting step of a Pong run: the Nature CNN's greedy actions for {@code envs} observations (4 x 84 x 84,
 * 0..255), as the training loop asks for them once per round of environment steps. rainbow: Rainbow's
 * network (noisy dueling streams, 51 atoms), its acting noise redrawn before each step as the loop does
 * (NoisyExploration); dqn: the plain Nature CNN. Rounds per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ActingBench {
    @Param({"1", "4"})
    public int envs;
    @Param({"1", "2"})
    public int threads;
    @Param({"dqn", "rainbow"})
    public String variant;

    GreedyPolicy policy;
    Noise noise;
    Backend backend;
    Rng rng;
    float[] observations;
    int[] actions;

    @Setup(Level.Trial)
    public void setup() {
        WorkerPool.configure(threads);
        backend = new CpuBackend();
        boolean rainbow = switch (variant) {
            case "dqn" -> false;
            case "rainbow" -> true;
            default -> throw new IllegalArgumentException("variant " + variant + " (dqn, rainbow)");
        };
        noise = rainbow ? new Noise() : null;
        Networks.Head head = new Networks.Head(rainbow, rainbow, rainbow ? new Support(51, -10f, 10f) : null);
        Module net = Networks.natureCnn(4, 6, 32, 64, 64, 512, head, noise);
        Init.TORCH_DEFAULT.apply(Parameters.allocate(backend, net), 1);
        policy = new GreedyPolicy(net, backend, new int[] {4, 84, 84}, 6, envs);
        Random r = new Random(1);
        observations = new float[envs * 4 * 84 * 84];
        for (int i = 0; i < observations.length; i++) observations[i] = r.nextInt(256);
        actions = new int[envs];
        rng = new Rng(3);
    }

    @Benchmark
    public int act() {
        if (noise != null) noise.resample(backend, rng);
        policy.act(observations, actions);
        return actions[0];
    }
}
