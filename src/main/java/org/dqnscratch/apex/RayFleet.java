package org.dqnscratch.apex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.dqnscratch.ray.RayJar;
import org.dqnscratch.ray.RemoteFleet;
import org.dqnscratch.rl.DqnConfig;

/**
 * Ape-X actors on a Ray cluster ({@code --ray ADDRESS}): each a Ray actor in a process of the cluster
 * holding an {@link ApeXActor} ({@link RemoteApeX}), one CPU each, spread over the nodes. The learner
 * sees them as it sees {@link LocalFleet}'s threads: batches in, weights out (as bytes, through Ray's
 * object store, once per version). Ray restarts an actor that dies; its batch under way is lost.
 */
public final class RayFleet implements Fleet {
    private final DqnConfig cfg;
    private final long fromStep;
    private final Consumer<String> log;
    private final RayJar ray;
    private final RemoteFleet remote;
    private boolean started;
    private int[] restarts = new int[0];

    /**
     * The fleet maker of a run with --ray: Ray's runtime found, the cluster joined and the actors' CPUs
     * reserved now, before the run makes anything (no Ray, an unreachable address, a cluster too small:
     * one line). The actors themselves start with the run.
     */
    public static Joined on(DqnConfig cfg) {
        RayJar ray = RayJar.locate(cfg.rayJar.isEmpty() ? Optional.empty() : Optional.of(Path.of(cfg.rayJar)));
        return new Joined(ray, RemoteFleet.connect(ray, cfg.ray, cfg.actors));
    }

    /** A cluster joined for a run whose fleet is not made yet; closing it (also after the fleet closed) leaves the cluster. */
    public static final class Joined implements Fleet.Maker, AutoCloseable {
        private final RayJar ray;
        private final RemoteFleet remote;

        private Joined(RayJar ray, RemoteFleet remote) {
            this.ray = ray;
            this.remote = remote;
        }

        @Override public Fleet make(DqnConfig cfg, org.dqnscratch.rl.EnvSpec spec, long fromStep, Consumer<String> log) {
            return new RayFleet(cfg, fromStep, log, ray, remote);
        }

        @Override public void close() { remote.close(); }
    }

    private RayFleet(DqnConfig cfg, long fromStep, Consumer<String> log, RayJar ray, RemoteFleet remote) {
        this.cfg = cfg;
        this.fromStep = fromStep;
        this.log = log;
        this.ray = ray;
        this.remote = remote;
    }

    @Override public void start(int count) {
        byte[] config = RemoteApeX.config(cfg, fromStep);
        // The actors' JVMs: the heap of one emulator set and a network copy; the Vector API where the runtime has it.
        List<String> jvm = java.lang.module.ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()
                ? List.of("-Xmx1g", "--add-modules=jdk.incubator.vector") : List.of("-Xmx1g");
        if (count != cfg.actors) throw new IllegalArgumentException("the cluster was reserved for " + cfg.actors + " actors, not " + count);
        // An actor takes weights every --weights-every of its steps: newer ones are sent to it that often, not after every update.
        int batchesPerWeights = (int) Math.max(1, cfg.weightsEvery / ((long) cfg.actorBatch * cfg.actorEnvs));
        remote.start(new RemoteFleet.Spec(RemoteApeX.class.getName(), config, cfg.actorBatch, jvm, envVars(), batchesPerWeights));
        this.batchesPerWeights = batchesPerWeights;
        started = true;
        restarts = new int[count];
        if (pending != null) put();
        log.accept("Ray " + ray.version() + " at " + cfg.ray + ": " + remote.placement() + ", processes " + remote.pids());
    }

    /**
     * Atari actors' processes preload the JVM's signal-chaining library, as the launcher does for its
     * child (cli.Launcher.chainSignals: ALE's SDL resets the JVM's SIGSEGV handler, and the next implicit
     * null check would kill the process); it is the driver's JDK's path, so the nodes need that JDK there.
     */
    private java.util.Map<String, String> envVars() {
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        return cfg.atari() && java.nio.file.Files.isRegularFile(jsig) ? java.util.Map.of("LD_PRELOAD", jsig.toString()) : java.util.Map.of();
    }

    @Override public byte[] poll(long timeoutMillis) {
        RemoteFleet.Batch b = remote.next((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        for (int i = 0; i < restarts.length; i++) {
            int now = remote.restarts(i);
            if (now > restarts[i]) log.accept("actor " + i + " died: Ray restarted it, its batch under way lost");
            restarts[i] = now;
        }
        if (b == null) return null;
        if (++batchesSincePut >= batchesPerWeights && pending != null && pending.version() > published) put();
        return b.data();
    }

    /**
     * The learner publishes after every update; these weights go into Ray's object store (an encoding and a
     * 6.8 MB copy for the Nature CNN) only when actors could take them: at start, then once per
     * {@code batchesPerWeights} batches received.
     */
    @Override public void publish(Weights weights) {
        pending = weights;
        if (started && (published < 0 || batchesSincePut >= batchesPerWeights)) put();
    }

    private void put() {
        remote.publish(encode(pending.values()), pending.version());
        published = pending.version();
        batchesSincePut = 0;
    }

    private Weights pending;
    private long published = -1;
    private int batchesSincePut, batchesPerWeights = 1;

    @Override public int restarts(int index) { return restarts[index]; }

    @Override public void close() { remote.close(); }

    /** Floats as little-endian bytes: what crosses Ray without its serializer. */
    static byte[] encode(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static float[] decode(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
