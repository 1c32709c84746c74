package org.dqnscratch.ray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The remote fleet on a real two-node Ray cluster of our own (head + a second `ray start`, one
 * session, stopped by id): actors spread over both nodes, batches from each, weights reaching all,
 * environment variables set in the actors' processes,
 * an actor process killed and restarted by Ray, and one-line errors for an unreachable address and
 * for more actors than the cluster can place.
 */
class RayFleetTest {
    static final int PORT = 6391;
    private static RayCluster cluster;

    @BeforeAll
    static void cluster() throws Exception { cluster = RayCluster.start(2, PORT); }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** A batch of EchoWork's, read back. */
    record Echo(int actor, int count, int steps, int batches, long version, long weightsSum, long pid, String config) {
        static Echo of(byte[] b) {
            ByteBuffer r = ByteBuffer.wrap(b);
            Echo e = new Echo(r.getInt(), r.getInt(), r.getInt(), r.getInt(), r.getLong(), r.getLong(), r.getLong(), null);
            byte[] rest = new byte[r.remaining()];
            r.get(rest);
            return new Echo(e.actor, e.count, e.steps, e.batches, e.version, e.weightsSum, e.pid, new String(rest));
        }
    }

    private static RemoteFleet fleet(int count) {
        RemoteFleet f = RemoteFleet.connect(cluster.jar, cluster.address, count);
        f.start(new RemoteFleet.Spec(EchoWork.class.getName(), "cfg".getBytes(), 7, RayCluster.jvmOptions(), Map.of("DQN_ECHO", "yes"), 1));
        return f;
    }

    /** Polls until {@code want} holds for a batch of every actor, or fails after a minute. */
    private static Map<Integer, Echo> until(RemoteFleet f, int count, java.util.function.Predicate<Echo> want) {
        Map<Integer, Echo> seen = new HashMap<>();
        long end = System.nanoTime() + 60_000_000_000L;
        while (seen.size() < count) {
            assertTrue(System.nanoTime() < end, "no batches " + want + " from every actor within a minute: " + seen);
            RemoteFleet.Batch b = f.next(1000);
            if (b == null) continue;
            Echo e = Echo.of(b.data());
            assertEquals(b.actor(), e.actor());
            if (want.test(e)) seen.put(e.actor(), e);
        }
        return seen;
    }

    @Test
    void actorsSpreadOverBothNodesAndGetTheNewestWeights() {
        try (RemoteFleet f = fleet(2)) {
            assertTrue(f.placement().startsWith("2 actors on 2 node(s)"), f.placement());
            f.publish(new byte[] {1, 2, 3}, 5);
            Map<Integer, Echo> first = until(f, 2, e -> true);
            for (Echo e : first.values()) {
                assertEquals(2, e.count());
                assertEquals(7, e.steps());
                assertEquals("cfg|yes", e.config(), "the config, and the environment variable the actors' processes were given");
                assertEquals(5, e.version(), "the weights published before the first batch come before it");
                assertEquals(6, e.weightsSum());
            }
            f.publish(new byte[] {4, 4}, 6);
            until(f, 2, e -> e.version() == 6 && e.weightsSum() == 8);
        }
    }

    @Test
    void aKilledActorIsRestartedWithTheWeights() throws Exception {
        try (RemoteFleet f = fleet(2)) {
            f.publish(new byte[] {9}, 1);
            long victim = until(f, 2, e -> true).get(0).pid();
            assertEquals(victim, f.pids().get(0));
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim)).start();
            assertEquals(0, kill.waitFor());
            // Batches of the new process of actor 0, the weights sent to it again (its first batch may come before them,
            // when Ray restarted it between two calls, so that none failed).
            Echo back = until(f, 2, e -> e.actor() == 1 || e.pid() != victim && e.version() == 1).get(0);
            assertNotEquals(victim, back.pid());
            assertEquals(1, back.version());
            assertEquals(9, back.weightsSum());
            assertEquals(1, f.restarts(0), "restarts of actor 0");
            assertEquals(back.pid(), f.pids().get(0));
            assertEquals(0, f.restarts(1));
        }
    }

    @Test
    void badInputIsOneLine() {
        RayException unreachable = assertThrows(RayException.class, () -> RemoteFleet.connect(cluster.jar, "127.0.0.1:1", 1));
        assertTrue(unreachable.getMessage().startsWith("cannot reach a Ray cluster at 127.0.0.1:1 ("), unreachable.getMessage());
        assertTrue(!unreachable.getMessage().contains("\n"), unreachable.getMessage());

        RayException format = assertThrows(RayException.class, () -> RemoteFleet.connect(cluster.jar, "localhost", 1));
        assertTrue(format.getMessage().contains("expected HOST:PORT"), format.getMessage());

        System.setProperty("dqn.ray.placementTimeout", "5");
        try {
            RayException tooMany = assertThrows(RayException.class, () -> RemoteFleet.connect(cluster.jar, cluster.address, 5)); // 3 CPUs: 2 + 1
            assertTrue(tooMany.getMessage().contains("cannot place 5 actors of one CPU each"), tooMany.getMessage());
            assertTrue(tooMany.getMessage().contains("3 CPUs on 2 node(s)"), tooMany.getMessage());
        } finally {
            System.clearProperty("dqn.ray.placementTimeout");
        }
        try (RemoteFleet f = fleet(1)) { // and the cluster is usable after those
            f.publish(new byte[] {1}, 1);
            until(f, 1, e -> e.version() == 1);
        }
    }

    /** A cluster whose head says it runs another Ray version (its metadata rewritten for the test, then restored) is refused in one line. */
    @Test
    void aClusterOfAnotherRayVersionIsRefused() throws Exception {
        String metadata = cluster.python("print(GCS.internal_kv_get(b'CLUSTER_METADATA', namespace=b'cluster').decode())", "");
        assertTrue(metadata.contains("\"ray_version\": \"" + cluster.jar.version() + "\""), "the cluster's own record: " + metadata);
        String put = "GCS.internal_kv_put(b'CLUSTER_METADATA', sys.argv[1].encode(), True, namespace=b'cluster')";
        cluster.python(put, "{\"ray_version\": \"2.0.0\", \"python_version\": \"3.11.7\"}");
        try {
            RayException other = assertThrows(RayException.class, () -> RemoteFleet.connect(cluster.jar, cluster.address, 1));
            String ours = cluster.jar.version();
            assertEquals("the Ray cluster at " + cluster.address + " runs Ray 2.0.0, this driver's Ray runtime is " + ours
                    + ": use one version on both (`pip install ray==2.0.0` where this command runs, or --ray-jar a Ray 2.0.0 ray_dist.jar, "
                    + "or a cluster started with Ray " + ours + ")", other.getMessage());
        } finally {
            cluster.python(put, metadata);
        }
        try (RemoteFleet f = fleet(1)) { // the same version again: joined
            f.publish(new byte[] {1}, 1);
            until(f, 1, e -> e.version() == 1);
        }
    }
}
