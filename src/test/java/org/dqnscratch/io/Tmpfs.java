package org.dqnscratch.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small tmpfs for full-disk cases, unmounted on close. Mounting needs root: elsewhere the test is
 * skipped with the reason, unless {@code DQN_REQUIRE_TMPFS=1} (CI runs as root), where it fails.
 */
public final class Tmpfs implements AutoCloseable {
    /** The mounted folder. */
    public final Path dir;

    private Tmpfs(Path dir) { this.dir = dir; }

    /** A tmpfs of {@code size} (mount's notation: 64k, 3m) at a new folder {@code dir}. */
    public static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectory(dir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()).redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (mount.waitFor() != 0) {
            String message = "cannot mount a tmpfs here (" + why + "): the full-disk case needs root (set DQN_REQUIRE_TMPFS=1 to fail instead)";
            if ("1".equals(System.getenv("DQN_REQUIRE_TMPFS"))) throw new AssertionError(message);
            assumeTrue(false, message);
        }
        return new Tmpfs(dir);
    }

    @Override public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor();
    }
}
