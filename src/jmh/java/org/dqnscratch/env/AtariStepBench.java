package org.dqnscratch.env;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.env.atari.Roms;
import org.openjdk.jmh.annotations.*;

/**
 * Agent steps per second of one Pong environment with random actions, on one thread: ALE (4
 * emulator frames a step), the two grayscale (or RGB) screens, the max-pool, the area resize and
 * the frame stack. The ROM is found as the pong command finds it (install ale-py or set ALE_ROMS).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"}) // as the pong command runs (the grey lookup's vector path)
@State(Scope.Thread)
public class AtariStepBench {
    @Param({"atari", "lapan"})
    public String pipeline;

    AtariEnv env;
    SplittableRandom rng = new SplittableRandom(1);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        env = new AtariEnv(new AtariEnv.Options("pong", pipeline, pipeline.equals("atari") ? 30 : 0, 4, 4, false, 108_000),
                Roms.locate("pong", null), 1);
        env.reset(1);
    }

    @Benchmark
    public Env.Step step() {
        Env.Step st = env.step(rng.nextInt(6));
        if (st.done()) env.reset();
        return st;
    }

    @TearDown(Level.Trial)
    public void close() { env.close(); }
}
