package org.dqnscratch.apex;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.dqnscratch.ray.RemoteWork;

/**
 * An {@link ApeXActor} inside a Ray actor ({@link RayFleet}): made from the run's config (JSON bytes,
 * {@link ActorConfig}) and the learner's step, it keeps the newest weights it was sent and hands them
 * to the actor, which takes them every --weights-every steps as in a thread. Seeded as
 * {@link LocalFleet} seeds its threads (an actor Ray restarted is told a new incarnation, its process id:
 * it explores anew).
 */
public final class RemoteApeX implements RemoteWork {
    private final ApeXActor actor;
    private volatile Fleet.Weights latest;

    private RemoteApeX(ApeXActor actor) { this.actor = actor; }

    /** What each actor is made from: the learner's step, then the config's JSON. */
    static byte[] config(org.dqnscratch.rl.DqnConfig cfg, long fromStep) {
        byte[] json = ActorConfig.encode(cfg);
        return ByteBuffer.allocate(8 + json.length).putLong(fromStep).put(json).array();
    }

    /** Called by {@code ray.remote.RemoteActor} in the actor's process. */
    public static RemoteWork create(byte[] config, int index, int count, long incarnation) {
        long fromStep = ByteBuffer.wrap(config).getLong();
        byte[] json = Arrays.copyOfRange(config, 8, config.length);
        return new RemoteApeX(ApeXActor.create(json, index, count, ApeXActor.seed(ActorConfig.decode(json).seed, index, fromStep, incarnation)));
    }

    @Override public byte[] collect(int steps) { return actor.collect(() -> latest); } // --actor-batch steps, as the config says

    @Override public void weights(byte[] encoded, long version) { latest = new Fleet.Weights(RayFleet.decode(encoded), version); }
}
