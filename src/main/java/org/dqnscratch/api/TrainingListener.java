package org.dqnscratch.api;

import java.io.PrintStream;
import java.util.Locale;
import org.dqnscratch.rl.DqnTraining;

/**
 * What a training run tells its caller, and how the caller stops it early. Every method has a
 * default that does nothing (or never stops), so a listener overrides only what it needs.
 * The methods are called on the thread that called {@link Dqn#train}.
 */
public interface TrainingListener {
    /** Every 256 environment steps: step, steps/s, mean return of the last 100 episodes, epsilon, loss. */
    default void progress(DqnTraining.Status status) {}

    /** A line for the user: the run directory, evaluations, solve checks, saved checkpoints. */
    default void message(String line) {}

    /**
     * Asked at every step (and within evaluations): true stops the run early. It then saves its
     * checkpoint, and {@link Dqn#train} returns the best network evaluated so far (or the last one
     * if none was), with {@link Agent#trainingResult()} saying it was interrupted.
     */
    default boolean stopRequested() { return false; }

    /** A listener that does nothing. */
    TrainingListener QUIET = new TrainingListener() {};

    /** A listener that prints the messages, and a progress line every {@code everySteps} steps (0: none), to {@code out}. */
    static TrainingListener printing(PrintStream out, long everySteps) {
        return new TrainingListener() {
            @Override public void progress(DqnTraining.Status s) {
                if (everySteps > 0 && s.step() % everySteps < 256) {
                    out.printf(Locale.ROOT, "step %d/%d: %d episodes, %.0f steps/s, mean return (last 100) %.2f, epsilon %.3f, loss %.3g%n",
                            s.step(), s.totalSteps(), s.episodes(), s.stepsPerSecond(), s.meanReturn100(), s.epsilon(), s.loss());
                }
            }

            @Override public void message(String line) { out.println(line); }
        };
    }
}
