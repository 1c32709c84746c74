package org.dqnscratch.ray;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local Ray cluster of a test's own (scripts/ray-cluster.sh: a head and a second node offering the
 * resource "node2", one session stopped by id). Needs Ray installed (pip install ray, its virtualenv
 * active); without it tests are skipped with the reason unless {@code DQN_REQUIRE_RAY=1} (CI installs it).
 */
public final class RayCluster implements AutoCloseable {
    public final String address;
    public final RayJar jar;
    private final Path dir;

    private RayCluster(String address, RayJar jar, Path dir) {
        this.address = address;
        this.jar = jar;
        this.dir = dir;
    }

    /** The installed Ray, or the test is skipped (failed under DQN_REQUIRE_RAY=1). */
    public static RayJar rayOrSkip() {
        try {
            return RayJar.locate(Optional.empty());
        } catch (RayException e) {
            if ("1".equals(System.getenv("DQN_REQUIRE_RAY"))) throw e;
            assumeTrue(false, e.getMessage());
            return null;
        }
    }

    /** Starts a cluster of {@code nodes} (1 or 2) on {@code port}, its temp dir short (Ray's socket paths are limited). */
    public static RayCluster start(int nodes, int port) throws IOException, InterruptedException {
        RayJar jar = rayOrSkip();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "rdq");
        Path bin = jar.jar().getParent().getParent().getParent().getParent().getParent().getParent().resolve("bin"); // venv/lib/pythonX/site-packages/ray/jars
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/ray-cluster.sh", "start", dir.toString(), Integer.toString(nodes), Integer.toString(port))
                .redirectErrorStream(true);
        if (Files.isExecutable(bin.resolve("ray"))) pb.environment().put("PATH", bin + ":" + System.getenv("PATH")); // the raylet starts workers with this PATH's java
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("ray-cluster.sh start failed: " + out);
        return new RayCluster("127.0.0.1:" + port, jar, dir);
    }

    @Override public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "scripts/ray-cluster.sh", "stop", dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) { // Ray's logs and sockets
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    public static List<String> jvmOptions() { return List.of("-Xmx512m"); }
}
