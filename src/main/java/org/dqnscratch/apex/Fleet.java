package org.dqnscratch.apex;

import java.util.function.Consumer;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.EnvSpec;

/**
 * The learner's view of its actors, whatever runs them: threads in this JVM ({@link LocalFleet}, the
 * default) or, in phase 2, Ray actors on a cluster. Only {@code byte[]} (batches) and {@code float[]}
 * (weights) cross it, so an implementation that moves them between processes needs no serializer.
 */
public interface Fleet extends AutoCloseable {
    /** The learner's network parameters, flat, and their version (it rises with each publication). */
    record Weights(float[] values, long version) {}

    /** Where an actor gets the newest weights (null: none yet). */
    interface WeightSource {
        Weights latest();
    }

    /** One actor's work: each call acts for a while and returns one encoded {@link TransitionBatch}. */
    interface Actor {
        byte[] collect(WeightSource weights);
    }

    /** Makes actor {@code index} of {@code count}; {@code incarnation} counts its restarts (0 at first), so a restarted actor explores anew. */
    interface ActorFactory {
        Actor make(int index, int count, int incarnation);
    }

    /**
     * Makes the fleet of a run ({@link LocalFleet#threads}; phase 2 adds a Ray one): {@code fromStep} is the
     * learner's step (a resumed run's actors start from new seeds); {@code log} hears of restarts.
     */
    interface Maker {
        Fleet make(DqnConfig cfg, EnvSpec spec, long fromStep, Consumer<String> log);
    }

    /** Starts {@code count} actors. */
    void start(int count);

    /** The next batch any actor sent, waiting at most {@code timeoutMillis}; null when none came. */
    byte[] poll(long timeoutMillis) throws InterruptedException;

    /** Makes {@code weights} the ones actors take from now on. */
    void publish(Weights weights);

    /** How often actor {@code index} has been restarted after a failure. */
    int restarts(int index);

    /** Stops every actor and waits for them (a batch under way is dropped). */
    @Override void close();
}
