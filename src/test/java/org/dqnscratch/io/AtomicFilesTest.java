package org.dqnscratch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write names the file the caller asked for and why, never the temp file or nothing at all. */
class AtomicFilesTest {
    /** A full disk said only "No space left on device". */
    @Test
    void aFailedWriteNamesTheTargetAndTheReasonAndLeavesNoTempFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("metrics.csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, o -> {
            o.write(1);
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + target + ": No space left on device", e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "no temp file left");
        }
    }

    /** A temp file that cannot be created was reported under its own name (".x.gif123.tmp"), with no reason. */
    @Test
    void aFolderThatCannotHoldTheFileIsNamedWithTheTarget(@TempDir Path dir) throws Exception {
        Path notAFolder = dir.resolve("file");
        Files.writeString(notAFolder, "x");
        Path target = notAFolder.resolve("x.gif");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, o -> o.write(1)));
        assertEquals("cannot write " + target + ": " + AtomicFiles.reason((IOException) e.getCause()), e.getMessage());
    }

    @Test
    void aDirectoryIsNotReplaced(@TempDir Path dir) throws Exception {
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(dir, o -> o.write(1)));
        assertEquals("cannot write " + dir + ": is a directory", e.getMessage());
    }

    @Test
    void reasonsAreTheSystemsWords() {
        assertEquals("No such file or directory", AtomicFiles.reason(new java.nio.file.NoSuchFileException("/a")));
        assertEquals("Permission denied", AtomicFiles.reason(new java.nio.file.AccessDeniedException("/a")));
        assertEquals("Read-only file system", AtomicFiles.reason(new java.nio.file.FileSystemException("/a", null, "Read-only file system")));
        assertEquals("No space left on device", AtomicFiles.reason(new IOException("No space left on device")));
    }
}
