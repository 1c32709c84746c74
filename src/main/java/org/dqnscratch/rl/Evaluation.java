package org.dqnscratch.rl;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.dqnscratch.env.Env;

/** Episodes run with the greedy (or epsilon-greedy) policy, summarised as mean ± std. */
public record Evaluation(double[] returns) {
    public double mean() {
        double s = 0;
        for (double r : returns) s += r;
        return returns.length == 0 ? Double.NaN : s / returns.length;
    }

    /** Population standard deviation (numpy's default, as the tutorials print). */
    public double std() {
        double m = mean(), s = 0;
        for (double r : returns) s += (r - m) * (r - m);
        return returns.length == 0 ? Double.NaN : Math.sqrt(s / returns.length);
    }

    public int episodes() { return returns.length; }

    /** "mean ± std over N episodes", the last line every command prints. */
    @Override public String toString() {
        return String.format(java.util.Locale.ROOT, "%.2f ± %.2f over %d episodes", mean(), std(), returns.length);
    }

    /**
     * Runs {@code episodes} episodes, episode i reset with seed {@code seed + i}; actions are random
     * with probability {@code epsilon} (0: greedy). When {@code frames} is not null, the first episode
     * is rendered into it, one image per state.
     */
    public static Evaluation run(Env env, GreedyPolicy policy, int episodes, long seed, double epsilon, List<BufferedImage> frames) {
        return run(env, policy, episodes, seed, epsilon, frames, () -> false);
    }

    /**
     * As above, giving up as soon as {@code stop} says so: it is asked before each episode and at
     * each step within one (an Atari episode can be minutes of play); returns null when it gave up.
     * A stop request (Ctrl-C) must not wait for a long evaluation: its run still has to save.
     */
    public static Evaluation run(Env env, GreedyPolicy policy, int episodes, long seed, double epsilon, List<BufferedImage> frames,
                                 java.util.function.BooleanSupplier stop) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        int actions = env.actionSpace().n();
        double[] returns = new double[episodes];
        for (int i = 0; i < episodes; i++) {
            org.dqnscratch.io.FaultPause.at("evaluation episode");
            if (stop.getAsBoolean()) return null;
            float[] obs = env.reset(seed + i);
            boolean record = frames != null && i == 0;
            if (record) frames.add(env.render());
            double total = 0;
            while (true) {
                int a = epsilon > 0 && rng.nextDouble() < epsilon ? rng.nextInt(actions) : policy.act(obs);
                Env.Step st = env.step(a);
                total += st.reward();
                obs = st.observation();
                if (record) frames.add(env.render());
                // A lost life under --episodic-life ends the learner's episode, not the game that is evaluated.
                if (st.done() && !env.gameGoesOn()) break;
                if (st.done()) {
                    obs = env.reset();
                    if (record) frames.add(env.render());
                }
                if (stop.getAsBoolean()) return null;
            }
            returns[i] = total;
        }
        return new Evaluation(returns);
    }
}
