package org.dqnscratch.rl;

import java.util.concurrent.TimeUnit;
import org.dqnscratch.env.Rng;
import org.openjdk.jmh.annotations.*;

/**
 * Prioritized replay's bookkeeping for one gradient step, on one thread, over 1M transitions with
 * spread priorities: a stratified batch draw with its importance weights, then the batch's new
 * priorities from its TD errors (what {@link TrainingBatch} does around each update, without the
 * gather of the observations, which uniform sampling does too).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PrioritizedReplayBench {
    @Param({"32", "512"})
    public int batch;

    @Param({"1000000"})
    public int transitions;

    Priorities priorities;
    Rng rng = new Rng(1);
    int[] slots;
    float[] weights, td;

    @Setup(Level.Trial)
    public void setup() {
        priorities = new Priorities(transitions, 0.6, 1e-6);
        slots = new int[batch];
        weights = new float[batch];
        td = new float[batch];
        Rng r = new Rng(2);
        int[] one = new int[1];
        float[] e = new float[1];
        for (int i = 0; i < transitions; i++) {
            priorities.added(i);
            one[0] = i;
            e[0] = (float) (r.nextGaussian() * 2);
            priorities.update(one, e, 1);
        }
    }

    @Benchmark
    public float sampleAndUpdate() {
        priorities.sample(rng, batch, slots, weights, 0.5);
        for (int j = 0; j < batch; j++) td[j] = (float) (rng.nextDouble() * 4 - 2);
        priorities.update(slots, td, batch);
        return weights[0];
    }
}
