package org.dqnscratch.env;

import java.awt.image.BufferedImage;

/**
 * A Gym-style environment with a float observation and a discrete action space: the built-in ones
 * (CartPole, FrozenLake, Atari games) and any a caller writes for {@link org.dqnscratch.api.Dqn}.
 * {@link #reset(long)} seeds the environment's generator and starts an episode;
 * {@link #reset()} starts the next episode from the same generator (Gym's {@code reset()}).
 *
 * <p>An observation is either flat (any number of floats; an MLP learns from it) or pixels:
 * {@link #observationShape()} {@code {stack, 84, 84}}, the newest of {@code stack} stacked 84x84
 * frames last, each value an integer 0..255 given as a float, and each observation of an episode
 * the previous one shifted by one frame (the Nature CNN learns from it; the replay keeps each
 * frame once, as a byte). The size of the observations and the number of actions never change.
 */
public interface Env extends AutoCloseable {
    /** Gym id, e.g. {@code CartPole-v1}. */
    String id();

    /** Shape, bounds and size of the observations. */
    Box observationSpace();

    /** The number of actions, 0..n-1. */
    Discrete actionSpace();

    /**
     * The observation's shape: {@code {size}} for a flat observation (the default), or
     * {@code {stack, 84, 84}} for stacked frames of pixels (see above).
     */
    default int[] observationShape() { return new int[] {observationSpace().size()}; }

    /** Seeds the generator and starts an episode; returns the first observation. */
    float[] reset(long seed);

    /** Starts the next episode, continuing the generator; returns the first observation. */
    float[] reset();

    /** Applies {@code action}; an action outside the action space is an {@link IllegalArgumentException}. */
    Step step(int action);

    /**
     * The current state drawn as an RGB image (headless; no display needed); null (the default) when
     * this environment does not draw itself (a run then writes no episode.gif).
     */
    default BufferedImage render() { return null; }

    /** Episode length after which {@link Step#truncated} is set (the default: none, {@link Integer#MAX_VALUE}). */
    default int maxEpisodeSteps() { return Integer.MAX_VALUE; }

    /**
     * Mean return of a greedy evaluation at which the task counts as solved and training stops
     * (Gym's reward_threshold); the default, infinity, is never reached: training runs its steps.
     */
    default double rewardThreshold() { return Double.POSITIVE_INFINITY; }

    /**
     * Everything the next steps depend on (the episode under way, the generator), for a checkpoint
     * that resumes exactly where it was taken; null when this environment cannot save it (a resume
     * then starts fresh episodes).
     */
    default byte[] saveState() { return null; }

    /**
     * Continues from {@link #saveState} of an environment made the same way (same id and options):
     * the next steps are those the saved one would have taken. A state that is not such is an
     * {@link IllegalArgumentException}.
     */
    default void restoreState(byte[] state) {
        throw new UnsupportedOperationException(id() + " cannot restore a saved state");
    }

    /**
     * After a step that ended the episode: true when the episode ended for learning only (an Atari
     * life lost under SB3's EpisodicLifeEnv) and the game goes on after {@link #reset()}, so a
     * return or an evaluation episode, which count games, go on through it.
     */
    default boolean gameGoesOn() { return false; }

    /** Releases native resources (an emulator); the environment is unusable afterwards. */
    default void close() {}

    /**
     * The outcome of one step: terminated means a terminal state (no bootstrapping in the TD
     * target), truncated means the time limit cut the episode (the TD target still bootstraps).
     */
    record Step(float[] observation, double reward, boolean terminated, boolean truncated) {
        public boolean done() { return terminated || truncated; }
    }

    /** A box of floats. */
    record Box(float[] low, float[] high) {
        public int size() { return low.length; }
    }

    /** Discrete(n). */
    record Discrete(int n) {
        public void check(int action) {
            if (action < 0 || action >= n) throw new IllegalArgumentException("invalid action " + action + ": the action space is Discrete(" + n + ")");
        }
    }
}
