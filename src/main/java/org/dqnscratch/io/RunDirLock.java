package org.dqnscratch.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One process per run directory: a training run (new or {@code --resume}) holds an OS lock on
 * {@code RUN_DIR/.lock} until it ends, so two runs never mix their files. The file holds the
 * owner's PID and host (a run directory on a network drive may be locked from another machine),
 * for the error a second run gets. The OS drops the lock when its process dies, even by kill -9:
 * a lock file left behind never blocks, only a live owner does.
 */
public final class RunDirLock implements AutoCloseable {
    public static final String FILE = ".lock";

    /** Another live process holds the run directory; an IOException, so the command exits with code 2. */
    public static final class InUseException extends IOException {
        InUseException(String message) { super(message); }
    }

    private final Path file, real;
    private final FileChannel channel;

    private RunDirLock(Path file, Path real, FileChannel channel) {
        this.file = file;
        this.real = real;
        this.channel = channel;
    }

    /** Run directories locked by this JVM (a second lock from the same process would release the first: see acquire). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    /**
     * Locks {@code dir}, or throws {@link InUseException} having written nothing there.
     *
     * <p>The lock is a POSIX record lock, owned by the process: closing any descriptor of the file
     * in this process releases it. So the owner never opens the file again, and two runs in one JVM
     * are told apart by {@link #HELD} before the file is opened (synchronized: one at a time).
     */
    public static synchronized RunDirLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE), real = dir.toRealPath();
        if (HELD.contains(real)) throw inUse(dir, ProcessHandle.current().pid() + " " + host());
        byte[] me = (ProcessHandle.current().pid() + " " + host() + "\n").getBytes(StandardCharsets.UTF_8);
        while (true) {
            // The owner before us removes the file and then unlocks it, so the file we lock must still be
            // the one at the path: the file's identity (device, inode) before opening, after, and after locking.
            Object before = identity(file);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (before == null || !before.equals(identity(file))) {
                    ch.close(); // just created, or replaced while we opened it: look again
                    continue;
                }
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException elsewhereInThisJvm) {
                    lock = null;
                }
                if (lock == null) {
                    ch.close();
                    String owner = ownerLine(file);
                    if (owner == null) continue; // the owner has just ended
                    throw inUse(dir, owner);
                }
                if (!before.equals(identity(file))) {
                    ch.close(); // removed by the owner before us while we waited: a file no one else will open
                    continue;
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(me));
                ch.force(false);
                HELD.add(real);
                return new RunDirLock(file, real, ch);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    /** The lock file's "PID HOST" line (empty if its owner has not written it yet), or null once the file is gone. */
    private static String ownerLine(Path file) throws IOException {
        try {
            String line = "";
            for (int tries = 0; tries < 20 && line.isEmpty(); tries++) {
                if (tries > 0) Thread.sleep(10); // the owner writes it just after taking the lock
                line = Files.readString(file).trim();
            }
            return line;
        } catch (NoSuchFileException gone) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** {@code owner}: the lock file's "PID HOST" line, or empty. */
    private static InUseException inUse(Path dir, String owner) {
        String[] f = owner.split(" ", 2);
        return new InUseException(dir + " is in use by " + (f.length == 2 ? "process " + f[0] + " (on " + f[1] + "; " : "another process (")
                + "wait for it to end or stop it)");
    }

    /** What identifies the file at {@code file} (its device and inode), or null when there is none. */
    private static Object identity(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : file; // a platform without file keys: the path is all we can compare
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /** The host name without a DNS lookup (InetAddress.getLocalHost may wait seconds for one). */
    private static String host() {
        try {
            Path linux = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(linux)) return Files.readString(linux).trim();
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    /** Removes the lock file, then unlocks: a run waiting on the old file then finds it gone (see acquire). */
    @Override public void close() throws IOException {
        if (!channel.isOpen()) return;
        try {
            Files.deleteIfExists(file);
        } finally {
            channel.close();
            HELD.remove(real);
        }
    }

    /** A new run's directory in {@code parent}, named by its environment, preset, seed and start time (see below). */
    public static Path newRunDir(Path parent, String env, String preset, long seed) throws IOException {
        String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return newRunDir(parent, env + "__" + preset + "__s" + seed + "__" + stamp);
    }

    /**
     * Makes and returns a new directory in {@code parent}: {@code base}, else base-2, base-3...
     * Each name is claimed by creating it, which fails if it exists: two runs with the same seed
     * started in the same second never share a directory (a check for existence first would let both in).
     */
    public static Path newRunDir(Path parent, String base) throws IOException {
        // The system's messages are the bare path ("error: /proc/foo"): say what failed, where, and why.
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException("cannot create run directory " + parent + ": " + (Files.exists(parent) ? "it is a file" : AtomicFiles.reason(e)), e);
        }
        for (int i = 1; ; i++) {
            Path dir = parent.resolve(i == 1 ? base : base + "-" + i);
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another run's: try the next name
            } catch (IOException e) {
                throw new IOException("cannot create run directory " + dir + ": " + AtomicFiles.reason(e), e);
            }
        }
    }

    /** Deletes {@code dir} if it is empty (a new run that failed before writing anything); a run's files keep it. */
    public static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException notEmptyOrGone) {
            // it holds a run's files: keep it
        }
    }
}
