package org.dqnscratch.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes that never leave a half-written file behind: temp file in the same folder, fsync, rename. */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically. A failure is one IOException naming {@code target}, the
     * file the user asked for, and why ("cannot write runs/x/metrics.csv: No space left on device"):
     * the system's own message names the temp file, or nothing at all.
     */
    public static void write(Path target, Writer writer) throws IOException {
        if (Files.isDirectory(target)) throw new IOException("cannot write " + target + ": is a directory");
        try {
            replace(target, writer);
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        }
    }

    /**
     * Why a file operation failed, in the system's words ("No such file or directory", "Permission
     * denied", "No space left on device"), without the path: Java's exceptions for the common errors
     * carry the path alone as their message, which reads like no reason at all.
     */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof java.nio.file.FileAlreadyExistsException) return "File exists";
        if (e instanceof java.nio.file.NotDirectoryException) return "Not a directory";
        if (e instanceof java.nio.file.DirectoryNotEmptyException) return "Directory not empty";
        if (e instanceof java.nio.charset.CharacterCodingException) return "not UTF-8 text";
        if (e instanceof java.nio.file.FileSystemException) return e.getClass().getSimpleName();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void replace(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            // temp files are created owner-only; the result should read like any other file (rw-r--r--)
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                FaultPause.at("temp opened " + target.getFileName()); // tests only: a kill before anything is written
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            FaultPause.at("temp written " + target.getFileName()); // tests only: a kill between the temp file and the rename
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (dir != null) syncDirectory(dir); // the rename itself survives a power cut only once the folder is synced
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Flushes a folder's entries (files created, renamed or deleted in it) to disk. Linux and macOS
     * allow it; where a folder cannot be opened (Windows) the file system orders renames itself.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
            // not supported for folders here
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) throw e;
            // some systems refuse to sync a folder (EINVAL); nothing more can be done there
        }
    }
}
