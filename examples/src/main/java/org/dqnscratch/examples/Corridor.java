package org.dqnscratch.examples;

import java.util.SplittableRandom;
import org.dqnscratch.env.Env;

/**
 * A 1-D corridor of {@code length} cells with the exit at the right end. Each episode starts in a
 * random cell (or a given one); the actions are 0 (left) and 1 (right); every step costs -1 and
 * reaching the exit ends the episode, so the best return from cell c is -(length - 1 - c). The
 * observation is the cell, one-hot. An episode is cut after 4 * length steps.
 */
public final class Corridor implements Env {
    private final int length, start;
    private SplittableRandom random = new SplittableRandom(0);
    private int cell, steps;

    /** Episodes start in a random cell. */
    public Corridor(int length) { this(length, -1); }

    /** Episodes start in cell {@code start} (-1: a random one). */
    public Corridor(int length, int start) {
        this.length = length;
        this.start = start;
    }

    @Override public String id() { return "Corridor-" + length; }

    @Override public Box observationSpace() {
        float[] high = new float[length];
        java.util.Arrays.fill(high, 1f);
        return new Box(new float[length], high);
    }

    @Override public Discrete actionSpace() { return new Discrete(2); }

    @Override public float[] reset(long seed) {
        random = new SplittableRandom(seed);
        return reset();
    }

    @Override public float[] reset() {
        cell = start >= 0 ? start : random.nextInt(length - 1);
        steps = 0;
        return observation();
    }

    @Override public Step step(int action) {
        actionSpace().check(action);
        cell = Math.max(0, Math.min(length - 1, action == 1 ? cell + 1 : cell - 1));
        steps++;
        boolean out = cell == length - 1;
        return new Step(observation(), -1, out, !out && steps >= maxEpisodeSteps());
    }

    @Override public int maxEpisodeSteps() { return 4 * length; }

    private float[] observation() {
        float[] o = new float[length];
        o[cell] = 1;
        return o;
    }
}
