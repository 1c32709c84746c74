package org.dqnscratch.apex;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.EnvSpec;

/**
 * Actors as threads of this JVM: the embedded default, which needs no cluster. Batches go through a
 * bounded queue (two per actor): when the learner falls behind, actors wait for it instead of piling up
 * memory. An actor that throws is made anew (its batch under way is lost) and the run goes on; one
 * that fails {@link #GIVE_UP} times in a row without delivering a batch ends the run through {@link #poll}.
 */
public final class LocalFleet implements Fleet {
    /** Failures in a row, with no batch between them, after which an actor is not restarted again. */
    static final int GIVE_UP = 5;

    private final ActorFactory factory;
    private final Consumer<String> log;
    private BlockingQueue<byte[]> batches;
    private Thread[] threads = new Thread[0];
    private int[] restarts = new int[0];
    private volatile Weights latest;
    private volatile boolean stopping;
    private volatile RuntimeException fatal;

    /**
     * The default fleet of a run: {@link ApeXActor}s in the run's environments, seeded apart from each
     * other, from the evaluation's seeds, from a resumed run's first part and from their own earlier incarnations.
     */
    public static Fleet threads(DqnConfig cfg, EnvSpec spec, long fromStep, Consumer<String> log) {
        return new LocalFleet((i, count, incarnation) -> new ApeXActor(cfg, spec, i, count,
                ApeXActor.seed(cfg.seed, i, fromStep, incarnation)), log);
    }

    /** {@code log}: where restarts are reported (a line each). */
    public LocalFleet(ActorFactory factory, Consumer<String> log) {
        this.factory = factory;
        this.log = log;
    }

    @Override public void start(int count) {
        batches = new ArrayBlockingQueue<>(2 * count);
        threads = new Thread[count];
        restarts = new int[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            threads[i] = new Thread(() -> work(index, count), "apex-actor-" + i);
            threads[i].setDaemon(true); // a JVM that exits does not wait for actors
            threads[i].start();
        }
    }

    private void work(int index, int count) {
        int failuresInARow = 0;
        while (!stopping) {
            try {
                Actor actor = factory.make(index, count, restarts[index]);
                while (!stopping) {
                    byte[] batch = actor.collect(() -> latest);
                    batches.put(batch);
                    failuresInARow = 0;
                }
            } catch (InterruptedException e) {
                return; // close()
            } catch (RuntimeException | Error e) {
                if (stopping) return;
                if (++failuresInARow >= GIVE_UP) {
                    fatal = new IllegalStateException("Ape-X actor " + index + " failed " + GIVE_UP + " times in a row: " + e, e);
                    return;
                }
                restarts[index]++;
                log.accept("actor " + index + " failed (" + e + "): restarted, its batch under way lost");
            }
        }
    }

    @Override public byte[] poll(long timeoutMillis) throws InterruptedException {
        if (fatal != null) throw fatal;
        return batches.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override public void publish(Weights weights) { latest = weights; }

    @Override public int restarts(int index) { return restarts[index]; }

    @Override public void close() {
        stopping = true;
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
