package org.dqnscratch.env;

import java.util.random.RandomGenerator;

/**
 * The generator of {@link java.util.SplittableRandom} (SplitMix64 with the golden gamma), the
 * same numbers for the same seed, with a state that can be saved and restored: a resumed run
 * continues the exact streams of exploration, replay sampling and the environments' randomness.
 */
public final class Rng implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long seed;

    public Rng(long seed) { this.seed = seed; }

    /** The whole state: {@code new Rng(state())} continues this stream. */
    public long state() { return seed; }

    @Override public long nextLong() { return mix64(seed += GOLDEN_GAMMA); }

    @Override public int nextInt() { return mix32(seed += GOLDEN_GAMMA); }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
