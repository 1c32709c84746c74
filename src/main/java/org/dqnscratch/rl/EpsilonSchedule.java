package org.dqnscratch.rl;

/** Exploration rate as a function of the global step and the episode count. */
public sealed interface EpsilonSchedule {
    double value(long step, long episode);

    /** From {@code start} to {@code end} linearly over {@code steps} steps, then flat (CleanRL, SB3, Nature). */
    record LinearSteps(double start, double end, long steps) implements EpsilonSchedule {
        @Override public double value(long step, long episode) {
            if (steps <= 0 || step >= steps) return end;
            return start + (end - start) * step / steps;
        }
    }

    /** {@code start * factor^step}, never below {@code floor} (Keras tutorials: x0.995 per step). */
    record Multiplicative(double start, double factor, double floor) implements EpsilonSchedule {
        @Override public double value(long step, long episode) {
            return Math.max(floor, start * Math.pow(factor, step));
        }
    }

    /** {@code max(end, start - decrement * episode / every)}: minimalRL's 0.08 - 0.01 * (episode / 200). */
    record LinearEpisodes(double start, double end, double decrement, double every) implements EpsilonSchedule {
        @Override public double value(long step, long episode) {
            return Math.max(end, start - decrement * episode / every);
        }
    }

    record Constant(double epsilon) implements EpsilonSchedule {
        @Override public double value(long step, long episode) { return epsilon; }
    }
}
