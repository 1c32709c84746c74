package org.dqnscratch.ray;

/**
 * What a remote actor does, Ray-free: made in the actor's process by a public static
 * {@code create(byte[] config, int index, int count, long incarnation)} method of a class named to the
 * fleet (incarnation: 0, or after a restart by Ray a number of the new process's own)
 * (see {@link RemoteFleet.Spec}), then asked for batches and given weights, only ever as
 * {@code byte[]}: Ray passes byte arrays as they are (a {@code float[]} argument went through its
 * serializer about 15 times slower, measured here: 6.8 MB of weights to two actors 1.4-1.9 s as
 * floats, 80-210 ms as bytes, 40-130 ms through the object store).
 */
public interface RemoteWork {
    /** Runs the actor for {@code steps} steps and returns what it collected, encoded. */
    byte[] collect(int steps);

    /** New network weights (encoded by the learner) of version {@code version}, for the next steps. */
    void weights(byte[] encoded, long version);
}
