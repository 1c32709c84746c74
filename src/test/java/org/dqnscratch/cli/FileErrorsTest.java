package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the system refuses are one line naming the user's file and the reason. Before:
 * {@code error: /proc/foo}, {@code error: /proc/.x.gif9825883831159921117.tmp}, "checkpoint not
 * found" for a directory, {@code error: Input length = 1} for a binary metrics.csv.
 */
class FileErrorsTest {
    @TempDir static Path shared;
    static Path run;

    @BeforeAll
    static void train() throws Exception {
        CliTest.Run r = run("cartpole", "--total-steps", "400", "--learning-starts", "200", "--stop-when-solved=false", "--eval-episodes", "1",
                "--eval-every", "0", "--gif=false", "--progress=false", "--run-dir", shared.resolve("runs").toString());
        assertEquals(0, r.code(), r.toString());
        try (Stream<Path> s = Files.list(shared.resolve("runs"))) {
            run = s.findFirst().orElseThrow();
        }
    }

    @Test
    void aRunDirectoryThatCannotBeCreated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertOneLineError(run("cartpole", "--progress=false", "--run-dir", file.toString()), "cannot create run directory " + file + ": it is a file");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux's /proc");
        assertOneLineError(run("cartpole", "--progress=false", "--run-dir", "/proc/foo"), "cannot create run directory /proc/foo: No such file or directory");
    }

    @Test
    void aGifThatCannotBeWritten(@TempDir Path dir) throws Exception {
        String best = run.resolve("best.safetensors").toString();
        assertOneLineError(run("eval", best, "--episodes", "1", "--gif", dir.toString()), "--gif " + dir + " is a directory, not a file");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux's /proc");
        assertOneLineError(run("eval", best, "--episodes", "1", "--gif", "/proc/x.gif"), "cannot write /proc/x.gif: No such file or directory");
    }

    @Test
    void aDirectoryForACheckpointSaysSo() {
        assertOneLineError(run("eval", run.toString()), "checkpoint " + run + " is a directory (give a file in it, such as best.safetensors)");
    }

    @Test
    void aBinaryOrFolderMetricsCsvOnResume(@TempDir Path dir) throws Exception {
        Path copy = ResumeInputsTest.copyOf(run, dir);
        Path csv = copy.resolve("metrics.csv");
        Files.write(csv, new byte[] {'g', 'l', (byte) 0xff, (byte) 0xfe, 0, 10});
        assertOneLineError(resume(copy), csv + ": not UTF-8 text (a metrics log is CSV text; a binary file in its place?)");
        Files.delete(csv);
        Files.createDirectory(csv);
        assertOneLineError(resume(copy), "cannot read " + csv + ": is a directory");
    }

    /** A missing metrics.csv is not an error (a crash can leave a run so): a warning naming it, and the log restarts. */
    @Test
    void aMissingMetricsCsvIsAWarningNamingIt(@TempDir Path dir) throws Exception {
        Path copy = ResumeInputsTest.copyOf(run, dir);
        Files.delete(copy.resolve("metrics.csv"));
        CliTest.Run r = resume(copy);
        assertEquals(0, r.code(), r.toString());
        org.junit.jupiter.api.Assertions.assertTrue(r.out().contains("warning: " + copy.resolve("metrics.csv") + " is missing; the log restarts"), r.out());
    }

    /** Any other file error the system reports with the bare path gets its reason added. */
    @Test
    void bareFileErrorsGetTheirReason() {
        assertEquals("/x/y: No such file or directory", Main.message(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("/x: Permission denied", Main.message(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("/x: Is a directory", Main.message(new java.nio.file.FileSystemException("/x", null, "Is a directory")));
    }

    private static CliTest.Run resume(Path copy) {
        return run("cartpole", "--resume", copy.toString(), "--total-steps", "500", "--progress=false");
    }
}
