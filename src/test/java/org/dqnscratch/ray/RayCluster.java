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

    /** The virtualenv's bin folder (ray, python), or null when Ray was found elsewhere. */
    private static Path bin(RayJar jar) {
        Path bin = jar.jar().getParent().getParent().getParent().getParent().getParent().getParent().resolve("bin"); // venv/lib/pythonX/site-packages/ray/jars
        return Files.isExecutable(bin.resolve("ray")) ? bin : null;
    }

    /**
     * Runs {@code code} in the Python of Ray's virtualenv with {@code GCS}, a {@code ray._raylet.GcsClient} of this
     * cluster (what a test needs of Ray's own view), and {@code sys.argv[1]} = {@code arg}; its output.
     */
    public String python(String code, String arg) throws IOException, InterruptedException {
        Path bin = bin(jar);
        String python = bin == null ? "python3" : bin.resolve("python").toString();
        String prelude = "import sys\nfrom ray._raylet import GcsClient\nGCS = GcsClient(address='" + address + "')\n";
        Process p = new ProcessBuilder(python, "-c", prelude + code, arg).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("python failed: " + out);
        return out.trim();
    }

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
        Path bin = bin(jar);
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/ray-cluster.sh", "start", dir.toString(), Integer.toString(nodes), Integer.toString(port))
                .redirectErrorStream(true);
        if (bin != null) pb.environment().put("PATH", bin + ":" + System.getenv("PATH")); // the raylet starts workers with this PATH's java
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
