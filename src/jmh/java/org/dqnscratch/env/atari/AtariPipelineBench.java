package org.dqnscratch.env.atari;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The parts of one {@code atari} pipeline step, each alone, on screens recorded from Pong with
 * random actions, played forwards and backwards so that pooling and resize always see two
 * consecutive steps' screens (how much of a screen changes from one step to the next); 64 steps,
 * so that the recording stays in the caches (4 MB) as the environment's screens do: the
 * emulator's four frames with the two screen copies, the grey lookup and max-pool, the area
 * resize to 84x84 and the float frame stack. {@link org.dqnscratch.env.AtariStepBench} times them together.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Thread)
public class AtariPipelineBench {
    static final int STEPS = 64, SCREEN = Ale.WIDTH * Ale.HEIGHT;
    final byte[][] older = new byte[STEPS][], newer = new byte[STEPS][];
    GrayMaxPool gray;
    PooledScreen pooled;
    final AreaResize resize = new AreaResize(Ale.WIDTH, Ale.HEIGHT, AtariEnv.SIZE, AtariEnv.SIZE);
    final byte[] greyOut = new byte[SCREEN], frame = new byte[AtariEnv.FRAME];
    float[] stack = new float[4 * AtariEnv.FRAME];
    int k, direction = 1;
    Ale ale;
    final SplittableRandom rng = new SplittableRandom(1);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        ale = new Ale("pong", Roms.locate("pong", null), 1);
        gray = GrayMaxPool.of(ale.grayTable());
        if (gray.getClass() == GrayMaxPool.class) throw new IllegalStateException("no Vector API: run with --add-modules=jdk.incubator.vector");
        pooled = new PooledScreen(gray, Ale.WIDTH, Ale.HEIGHT);
        ale.resetGame();
        for (int s = 0; s < STEPS; s++) {
            older[s] = new byte[SCREEN];
            newer[s] = new byte[SCREEN];
            emulate(older[s], newer[s]);
        }
    }

    private void emulate(byte[] third, byte[] fourth) {
        int action = rng.nextInt(ale.actionCount());
        for (int t = 0; t < 4; t++) {
            ale.act(action);
            if (t == 2) ale.screen(third);
            if (t == 3) ale.screen(fourth);
        }
        if (ale.gameOver()) ale.resetGame();
    }

    @TearDown(Level.Trial)
    public void close() { ale.close(); }

    private int next() {
        if (k + direction < 0 || k + direction >= STEPS) direction = -direction;
        return k += direction;
    }

    /** ALE's four frames of a step and the copies of the last two screens' palette indices. */
    @Benchmark
    public byte[] emulator() {
        emulate(older[0], newer[0]);
        return newer[0];
    }

    /** The grey lookup and max of both screens, every pixel. */
    @Benchmark
    public byte[] maxPoolWhole() {
        int s = next();
        gray.max(newer[s], true, older[s], true, greyOut);
        return greyOut;
    }

    /** The pipeline's pooling and resize: rows whose indices did not change are neither looked up nor compared. */
    @Benchmark
    public byte[] poolAndResize() {
        int s = next();
        resize.resize(pooled.grey(), frame, pooled.pool(newer[s], true, older[s], true));
        return frame;
    }

    /** The next frame stack: a new array, the older frames shifted, the newest frame widened. */
    @Benchmark
    public float[] stack() {
        stack = AtariEnv.stackPush(stack, frame);
        return stack;
    }
}
