package org.dqnscratch.ray;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * N actors ({@link RemoteWork}) running in processes of a Ray cluster, as the learner sees them: the
 * next batch any of them collected, weights published to all. An actor that dies is restarted by
 * Ray (its in-flight batch lost, its weights sent again); closing the fleet stops them all.
 */
public interface RemoteFleet extends AutoCloseable {
    /**
     * What every actor is made from.
     *
     * @param factory    the class whose {@code create(byte[], int, int, long)} makes each actor's {@link RemoteWork}
     * @param config     what every actor is made from (with its index and the count)
     * @param steps      steps each actor takes per batch
     * @param jvmOptions options of the actors' JVMs (heap, modules)
     * @param envVars    environment variables of the actors' processes (Ray's runtime env; empty: none)
     * @param weightsEvery an actor is sent newer weights at most once per this many of its batches (the first at once)
     */
    record Spec(String factory, byte[] config, int steps, List<String> jvmOptions, java.util.Map<String, String> envVars, int weightsEvery) {}

    /** A batch actor {@code actor} collected. */
    record Batch(int actor, byte[] data) {}

    /**
     * The next batch of any actor, waiting at most {@code timeoutMs}; null if none came (or an actor died
     * and was restarted). The first call sends the actors off, with the weights published before it.
     */
    Batch next(int timeoutMs);

    /**
     * Makes {@code encoded} weights of {@code version} the ones actors are sent (put into Ray's object store
     * once), each ahead of its next batch when it is due new weights ({@link Spec#weightsEvery}).
     */
    void publish(byte[] encoded, long version);

    /** Restarts of actor {@code actor} seen so far: batches that came from a new process of it. */
    int restarts(int actor);

    /** Where the actors run: one line, for the log. */
    String placement();

    /** The actors' process ids as last seen, in actor order (a test kills one). */
    List<Long> pids();

    /** Stops the actors and leaves the cluster (it goes on running). */
    @Override void close();

    /** Starts the actors, on the CPUs {@link #connect} reserved for them; one-line {@link RayException}s. */
    void start(Spec spec);

    /**
     * Joins the Ray cluster at {@code address} (HOST:PORT, what `ray start --head` printed) with Ray's
     * runtime {@code ray} and reserves one CPU for each of {@code count} actors, spread over its nodes:
     * a cluster that is unreachable, of another Ray version or too small is refused here, one line,
     * before anything else is made.
     */
    static RemoteFleet connect(RayJar ray, String address, int count) {
        try {
            Class<?> c = RayLoader.of(ray.jar()).loadClass(RayLoader.REMOTE + "RayActors");
            return (RemoteFleet) c.getConstructor(String.class, int.class, String.class, String.class)
                    .newInstance(address, count, String.join(java.io.File.pathSeparator, RayLoader.codeSearchPath()), ray.version());
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new RayException("cannot join the Ray cluster at " + address + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new RayException("cannot load Ray from " + ray.jar() + ": " + e, e);
        }
    }
}
