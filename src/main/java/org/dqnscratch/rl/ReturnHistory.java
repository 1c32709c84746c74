package org.dqnscratch.rl;

import java.util.Arrays;

/**
 * Episode returns as training sees them: every episode's end step and return (the learning
 * curve), the mean of the last 100 (the progress bar) and of the last {@code window} (the solve
 * check's trigger), kept as running sums.
 */
final class ReturnHistory {
    private double[] steps = new double[64], returns = new double[64];
    private final double[] recent, last100 = new double[100];
    private double recentSum, sum100;
    private int episodes;

    ReturnHistory(int window) { this.recent = new double[window]; }

    void add(double endStep, double ret) {
        if (episodes == returns.length) {
            steps = Arrays.copyOf(steps, episodes * 2);
            returns = Arrays.copyOf(returns, episodes * 2);
        }
        steps[episodes] = endStep;
        returns[episodes] = ret;
        sum100 += ret - last100[episodes % 100];
        last100[episodes % 100] = ret;
        recentSum += ret - recent[episodes % recent.length];
        recent[episodes % recent.length] = ret;
        episodes++;
    }

    int episodes() { return episodes; }

    /** Mean return of the last 100 episodes (fewer at first); NaN before the first. */
    double mean100() { return episodes == 0 ? Double.NaN : sum100 / Math.min(episodes, 100); }

    /** Mean return of the last {@code window} episodes; -infinity until there are that many. */
    double recentMean() { return episodes >= recent.length ? recentSum / recent.length : Double.NEGATIVE_INFINITY; }

    /** Mean return of the last {@code n} episodes (fewer at first); NaN before the first. */
    double meanLast(int n) {
        int k = Math.min(n, episodes);
        double s = 0;
        for (int i = episodes - k; i < episodes; i++) s += returns[i];
        return k == 0 ? Double.NaN : s / k;
    }

    double[] endSteps() { return Arrays.copyOf(steps, episodes); }

    double[] returns() { return Arrays.copyOf(returns, episodes); }
}
