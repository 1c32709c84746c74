package org.dqnscratch.ray.remote;

import java.lang.reflect.InvocationTargetException;
import org.dqnscratch.ray.RemoteWork;

/**
 * A Ray actor (in a worker process of the cluster, our jar found through the job's code search
 * path) holding one {@link RemoteWork}: the only class Ray instantiates remotely. Its methods take
 * and return byte arrays and boxed numbers, which Ray passes without Java serialization.
 */
public final class RemoteActor {
    private final RemoteWork work;
    /** Why the work could not be made (then every call fails and {@link #where} says why), else null. */
    private final String failure;

    /**
     * Makes the work with {@code factory}'s {@code create(byte[] config, int index, int count, long incarnation)}:
     * incarnation 0, or this process's id when Ray restarted the actor (its state lost; it should not repeat itself).
     * A failure is kept, not thrown: Ray would restart the actor for ever, each time failing the same way.
     */
    public RemoteActor(String factory, byte[] config, Integer index, Integer count) {
        long incarnation = io.ray.api.Ray.getRuntimeContext().wasCurrentActorRestarted() ? ProcessHandle.current().pid() : 0;
        RemoteWork made = null;
        String why = null;
        try {
            made = (RemoteWork) Class.forName(factory).getMethod("create", byte[].class, int.class, int.class, long.class)
                    .invoke(null, config, index, count, incarnation);
        } catch (InvocationTargetException e) {
            why = String.valueOf(e.getCause());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            why = e.toString();
        }
        work = made;
        failure = why;
    }

    /**
     * The work's batch with this process's id after it (8 bytes): an actor Ray restarted between two calls
     * fails neither, and the learner sees the restart by the new id (it then sends the weights again).
     */
    public byte[] collect(Integer steps) {
        if (failure != null) throw new IllegalStateException("this actor could not start: " + failure);
        byte[] batch = work.collect(steps);
        byte[] out = java.util.Arrays.copyOf(batch, batch.length + 8);
        java.nio.ByteBuffer.wrap(out, batch.length, 8).putLong(ProcessHandle.current().pid());
        return out;
    }

    /** Returns the version taken, so that the learner may wait for it (tests do). */
    public Long weights(byte[] encoded, Long version) {
        if (failure != null) throw new IllegalStateException("this actor could not start: " + failure);
        work.weights(encoded, version);
        return version;
    }

    /** This actor's process id and node ("PID@NODE"), for the log and for tests that kill it; "failed: WHY" if it could not start. */
    public String where() {
        if (failure != null) return "failed: " + failure;
        return ProcessHandle.current().pid() + "@" + io.ray.api.Ray.getRuntimeContext().getCurrentNodeId();
    }
}
