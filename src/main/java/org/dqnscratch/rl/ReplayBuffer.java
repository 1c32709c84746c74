package org.dqnscratch.rl;

import java.util.random.RandomGenerator;

/**
 * Uniform experience replay: a ring buffer over primitive arrays. When full, the oldest
 * transition is overwritten. {@link #sample} fills caller-owned batch arrays, so steady-state
 * training allocates nothing here.
 */
public final class ReplayBuffer {
    public final int capacity, observationSize;
    private final float[] obs, nextObs, rewards;
    private final int[] actions;
    private final boolean[] terminated;
    private int next, size;

    public ReplayBuffer(int capacity, int observationSize) {
        if (capacity < 1) throw new IllegalArgumentException("replay capacity must be >= 1, got " + capacity);
        if ((long) capacity * observationSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("replay of " + capacity + " x " + observationSize + " floats is too large");
        }
        this.capacity = capacity;
        this.observationSize = observationSize;
        this.obs = new float[capacity * observationSize];
        this.nextObs = new float[capacity * observationSize];
        this.rewards = new float[capacity];
        this.actions = new int[capacity];
        this.terminated = new boolean[capacity];
    }

    /** Stores one transition; {@code terminated} (not truncated) marks a terminal next state. */
    public void add(float[] observation, int action, float reward, float[] nextObservation, boolean terminated) {
        System.arraycopy(observation, 0, obs, next * observationSize, observationSize);
        System.arraycopy(nextObservation, 0, nextObs, next * observationSize, observationSize);
        actions[next] = action;
        rewards[next] = reward;
        this.terminated[next] = terminated;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    public int size() { return size; }

    /** The slot the next {@link #add} writes (the oldest entry once full). */
    int nextSlot() { return next; }

    /**
     * Draws {@code batch} indices uniformly with replacement and gathers them into
     * {@code s [batch*obs]}, {@code a}, {@code r}, {@code term} (1 terminal, 0 not) and {@code s2}.
     */
    public void sample(RandomGenerator rng, int batch, float[] s, float[] a, float[] r, float[] term, float[] s2) {
        if (size == 0) throw new IllegalStateException("sample from an empty replay buffer");
        for (int i = 0; i < batch; i++) {
            int j = rng.nextInt(size);
            copy(j, i, s, a, r, term, s2);
        }
    }

    /** Copies stored transition {@code j} into batch row {@code i}. */
    void copy(int j, int i, float[] s, float[] a, float[] r, float[] term, float[] s2) {
        System.arraycopy(obs, j * observationSize, s, i * observationSize, observationSize);
        System.arraycopy(nextObs, j * observationSize, s2, i * observationSize, observationSize);
        a[i] = actions[j];
        r[i] = rewards[j];
        term[i] = terminated[j] ? 1f : 0f;
    }
}
