package org.dqnscratch.ray.remote;

import io.ray.api.ActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.PlacementGroups;
import io.ray.api.Ray;
import io.ray.api.WaitResult;
import io.ray.api.exception.RayActorException;
import io.ray.api.exception.RayTaskException;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementStrategy;
import io.ray.api.runtimecontext.NodeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.dqnscratch.ray.RayException;
import org.dqnscratch.ray.RemoteFleet;

/**
 * The learner's side of a {@link RemoteFleet} on a Ray cluster (loaded by {@code RayLoader}, so it
 * sees Ray's own classes). The actors are reserved as one placement group of one CPU per actor,
 * spread over the nodes (SPREAD: on separate nodes where it can, else together), so a cluster too
 * small is told at once rather than leaving actors pending forever. Each actor always has one
 * {@code collect} under way; when one returns, the next is asked for at once (after new weights if
 * there are any: an actor runs its calls in order). Weights go into the object store once per version
 * and each actor is sent a reference. An actor that dies is restarted by Ray (max restarts
 * unlimited, its state lost): the call that failed is counted and dropped, the actor gets the
 * newest weights again, and collects on.
 */
public final class RayActors implements RemoteFleet {
    private static final int CONNECT_TIMEOUT_MS = 3000, START_TIMEOUT_MS = 120_000;
    /** Failed calls of one actor in a row (no batch between) after which the run stops: a fault that a restart does not cure. */
    static final int GIVE_UP = 5;


    private final List<ActorHandle<RemoteActor>> actors = new ArrayList<>();
    private final List<ObjectRef<byte[]>> inFlight = new ArrayList<>();
    private final Map<ObjectRef<byte[]>, Integer> actorOf = new IdentityHashMap<>();
    private int steps;
    private PlacementGroup group;
    private boolean initialized;
    private ObjectRef<byte[]> weights;
    private long version = -1;
    private final long[] sentVersion;
    private final int[] restarts, failuresInARow, batchesSinceWeights;
    /** Each actor's process id, from its start and then from each batch's trailer (a new one: Ray restarted it). */
    private final long[] pids;
    private int weightsEvery = 1;
    private String placement;

    private final String address;
    private final int count;

    /**
     * Joins the cluster at {@code address} and reserves the actors' CPUs (see {@link RemoteFleet#connect});
     * {@code driverVersion}: the Ray version of the runtime this JVM loaded ("unknown": not checked).
     */
    public RayActors(String address, int count, String codeSearchPath, String driverVersion) {
        if (count < 1) throw new RayException("--actors must be at least 1, got " + count);
        reachable(address);
        this.address = address;
        this.count = count;
        this.sentVersion = new long[count];
        this.restarts = new int[count];
        this.failuresInARow = new int[count];
        this.batchesSinceWeights = new int[count];
        this.pids = new long[count];
        java.util.Arrays.fill(sentVersion, -1);
        withRaysLoader(() -> {
            System.setProperty("ray.address", address);
            System.setProperty("ray.job.code-search-path", codeSearchPath);
            // Ray's bundled log4j would report its own configuration on the console, line by line: ours is quiet.
            if (System.getProperty("log4j2.configurationFile") == null) {
                System.setProperty("log4j2.configurationFile", String.valueOf(RayActors.class.getResource("log4j2-quiet.xml")));
            }
            sameVersion(address, driverVersion);
            Ray.init();
            initialized = true;
            List<Map<String, Double>> bundles = new ArrayList<>();
            for (int i = 0; i < count; i++) bundles.add(Map.of("CPU", 1.0));
            group = PlacementGroups.createPlacementGroup(new PlacementGroupCreationOptions.Builder()
                    .setBundles(bundles).setStrategy(PlacementStrategy.SPREAD).build());
            // How long the cluster may take to reserve the actors' CPUs before the run is refused (tests shorten it).
            int placementTimeout = Integer.getInteger("dqn.ray.placementTimeout", 30);
            if (!group.wait(placementTimeout)) {
                throw new RayException(String.format(Locale.ROOT, "the Ray cluster at %s cannot place %d actors of one CPU each within %d s "
                        + "(it has %s): use fewer --actors or add nodes", address, count, placementTimeout, cpus()));
            }
        });
    }

    @Override public void start(Spec spec) {
        withRaysLoader(() -> {
            try {
                Class.forName(spec.factory());
            } catch (ClassNotFoundException e) {
                throw new RayException("no actor factory " + spec.factory());
            }
            this.steps = spec.steps();
            this.weightsEvery = Math.max(1, spec.weightsEvery());
            io.ray.api.runtimeenv.RuntimeEnv env = null;
            if (!spec.envVars().isEmpty()) {
                env = new io.ray.api.runtimeenv.RuntimeEnv.Builder().build();
                env.set(io.ray.api.runtimeenv.types.RuntimeEnvName.ENV_VARS, spec.envVars());
            }
            for (int i = 0; i < count; i++) {
                var creator = Ray.actor(RemoteActor::new, spec.factory(), spec.config(), i, count)
                        .setPlacementGroup(group, i).setResource("CPU", 1.0).setMaxRestarts(-1).setJvmOptions(spec.jvmOptions());
                actors.add((env == null ? creator : creator.setRuntimeEnv(env)).remote());
            }
            Map<String, Integer> perNode = new TreeMap<>();
            for (int i = 0; i < actors.size(); i++) {
                String where;
                try {
                    where = actors.get(i).task(RemoteActor::where).remote().get(START_TIMEOUT_MS);
                } catch (io.ray.api.exception.RayTimeoutException e) {
                    throw new RayException("actor " + i + " did not start within " + START_TIMEOUT_MS / 1000 + " s on the Ray cluster at "
                            + address + " (see its workers' logs: session_latest/logs/java-worker-*.log in the cluster's temp dir)");
                }
                if (where.startsWith("failed: ")) {
                    throw new RayException("actor " + i + " could not start on the Ray cluster at " + address + ": " + where.substring(8));
                }
                perNode.merge(where.replaceFirst("^\\d+@", ""), 1, Integer::sum);
                pids[i] = Long.parseLong(where.replaceFirst("@.*", ""));
            }
            placement = count + " actors on " + perNode.size() + " node(s) " + perNode.values();
            // No collect yet: the first ones go out with the first next(), after the weights published before it.
        });
    }

    /**
     * Runs {@code r} with Ray's class loader as the thread's context loader (Ray looks classes up through it);
     * a failure closes what was made (actors, their reservation, our connection) and is one {@link RayException}.
     */
    private void withRaysLoader(Runnable r) {
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(RayActors.class.getClassLoader());
        try {
            r.run();
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            if (e instanceof RayException) throw e;
            throw new RayException("Ray failed at " + address + ": " + oneLine(e), e);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /** An unreachable address fails here in seconds, with its cause, not in Ray's retries (minutes). */
    private static void reachable(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) throw new RayException("--ray " + address + ": expected HOST:PORT, the address `ray start --head` printed (e.g. 127.0.0.1:6379)");
        String host = address.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new RayException("--ray " + address + ": the port is not a number");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new RayException("cannot reach a Ray cluster at " + address + " (" + e.getMessage() + "): start one with "
                    + "`ray start --head --port=" + port + "`, or give the address it printed");
        }
    }

    /**
     * Refuses a cluster of another Ray version than this driver's runtime, in one line naming both: a
     * driver and a cluster of different versions fail in Ray's own ways (a protocol error, a worker that
     * cannot load its classes) or not at once. The cluster's version is what its head wrote into its GCS
     * (key CLUSTER_METADATA of namespace "cluster", the record Python's ray.init checks); read with Ray's
     * runtime classes, by reflection (they are not in the ray-api we compile against). A cluster whose
     * version cannot be read is not refused here.
     */
    private static void sameVersion(String address, String driverVersion) {
        if ("unknown".equals(driverVersion)) return;
        String cluster = clusterVersion(address);
        if (cluster == null || cluster.equals(driverVersion)) return;
        throw new RayException("the Ray cluster at " + address + " runs Ray " + cluster + ", this driver's Ray runtime is " + driverVersion
                + ": use one version on both (`pip install ray==" + cluster + "` where this command runs, or --ray-jar a Ray " + cluster
                + " ray_dist.jar, or a cluster started with Ray " + driverVersion + ")");
    }

    /** The cluster's Ray version, or null where it cannot be read. */
    private static String clusterVersion(String address) {
        try {
            Class.forName("io.ray.runtime.util.JniUtils").getMethod("loadLibrary", String.class, boolean.class)
                    .invoke(null, "core_worker_library_java", true);
            Class<?> gcs = Class.forName("io.ray.runtime.gcs.GcsClient");
            Object client = gcs.getConstructor(String.class, String.class, String.class).newInstance(address, "", "");
            try {
                Object json = gcs.getMethod("getInternalKV", String.class, String.class).invoke(client, "cluster", "CLUSTER_METADATA");
                return json == null ? null : rayVersionIn((String) json);
            } finally {
                gcs.getMethod("destroy").invoke(client);
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** The "ray_version" of Ray's cluster metadata (JSON), or null. */
    static String rayVersionIn(String metadata) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"ray_version\"\\s*:\\s*\"([^\"]+)\"").matcher(metadata);
        return m.find() ? m.group(1) : null;
    }

    private static String cpus() {
        double total = 0;
        int nodes = 0;
        for (NodeInfo n : Ray.getRuntimeContext().getAllNodeInfo()) {
            if (!n.isAlive) continue;
            nodes++;
            total += n.resources.getOrDefault("CPU", 0.0);
        }
        return String.format(Locale.ROOT, "%.0f CPUs on %d node(s), some perhaps in use", total, nodes);
    }

    /** Asks actor {@code i} for its next batch, with newer weights first if it is due them. */
    private void ask(int i) {
        ActorHandle<RemoteActor> a = actors.get(i);
        // Newer weights when due: at once for an actor that has none (new, or restarted), else every weightsEvery batches
        // (each sending is a copy of the network to that actor's node: 6.8 MB for the Nature CNN).
        if (weights != null && sentVersion[i] != version && (sentVersion[i] < 0 || batchesSinceWeights[i] >= weightsEvery)) {
            a.task(RemoteActor::weights, weights, version).remote();
            sentVersion[i] = version;
            batchesSinceWeights[i] = 0;
        }
        ObjectRef<byte[]> ref = a.task(RemoteActor::collect, steps).remote();
        inFlight.add(ref);
        actorOf.put(ref, i);
    }

    @Override public Batch next(int timeoutMs) {
        if (inFlight.isEmpty()) for (int i = 0; i < actors.size(); i++) ask(i); // the first call
        WaitResult<byte[]> r = Ray.wait(inFlight, 1, timeoutMs);
        if (r.getReady().isEmpty()) return null;
        ObjectRef<byte[]> ref = r.getReady().get(0);
        inFlight.remove(ref);
        int i = actorOf.remove(ref);
        try {
            byte[] data = ref.get();
            long pid = java.nio.ByteBuffer.wrap(data, data.length - 8, 8).getLong();
            if (pid != pids[i]) { // a new process: Ray restarted the actor (its state, weights included, lost)
                pids[i] = pid;
                restarts[i]++;
                sentVersion[i] = -1;
            }
            failuresInARow[i] = 0;
            batchesSinceWeights[i]++;
            ask(i);
            return new Batch(i, java.util.Arrays.copyOf(data, data.length - 8));
        } catch (RayActorException | RayTaskException e) {
            // The actor died (Ray restarts it; its next batch, from a new process, counts the restart) or its call threw:
            // the batch is lost, and a new process needs the weights again.
            if (++failuresInARow[i] >= GIVE_UP) {
                throw new RayException("Ape-X actor " + i + " failed " + GIVE_UP + " times in a row on the Ray cluster: " + oneLine(e));
            }
            sentVersion[i] = -1;
            ask(i);
            return null;
        }
    }

    @Override public void publish(byte[] encoded, long version) {
        this.weights = Ray.put(encoded);
        this.version = version;
    }

    @Override public int restarts(int actor) { return restarts[actor]; }

    @Override public String placement() { return placement; }

    @Override public List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (long p : pids) out.add(p);
        return Collections.unmodifiableList(out);
    }

    /** Kills the actors, frees their reservation and leaves the cluster (it goes on running); also after a failed start. */
    @Override public void close() {
        if (!initialized) return;
        initialized = false;
        for (ActorHandle<RemoteActor> a : actors) {
            try {
                a.kill(true);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        try {
            if (group != null) PlacementGroups.removePlacementGroup(group.getId());
        } finally {
            Ray.shutdown();
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
