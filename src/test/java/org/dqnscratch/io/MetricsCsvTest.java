package org.dqnscratch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The metrics log survives crashes: an atomic rewrite at resume, a half last row dropped instead of refused. */
class MetricsCsvTest {
    static final String OLD = "step,ret\n1,10\n2,20\n3,30\n";

    @AfterEach
    void noHook() { MetricsCsv.crashHook = stage -> {}; }

    /** A crash during the rewrite (after the rows went to the temp file, before the rename) leaves the old log as it was. */
    @Test
    void crashDuringTheRewriteLeavesTheOldLogIntact(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, OLD);
        MetricsCsv.crashHook = stage -> { throw new IllegalStateException("killed at " + stage); };
        assertThrows(IllegalStateException.class, () -> new MetricsCsv(f, List.of(new double[] {1, 10}), "step", "ret"));
        assertEquals(OLD, Files.readString(f));
    }

    @Test
    void theRewriteKeepsTheRowsGivenThenAppends(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, OLD);
        List<double[]> kept = MetricsCsv.read(f, 2, line -> { throw new AssertionError(line); }, "step", "ret");
        try (MetricsCsv csv = new MetricsCsv(f, kept, "step", "ret")) {
            csv.row(3, Double.NaN);
        }
        assertEquals("step,ret\n1,10\n2,20\n3,\n", Files.readString(f));
    }

    /** A log of an older version, before a column was added at the end: its rows read with that column empty; the rewrite has it. */
    @Test
    void anOlderLogWithFewerColumnsReadsWithTheNewOnesEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, OLD);
        List<double[]> kept = MetricsCsv.read(f, 2, line -> { throw new AssertionError(line); }, "step", "ret", "q");
        assertEquals(2, kept.size());
        assertArrayEquals(new double[] {2, 20, Double.NaN}, kept.get(1));
        try (MetricsCsv csv = new MetricsCsv(f, kept, "step", "ret", "q")) {
            csv.row(3, 30, 1.5);
        }
        assertEquals("step,ret,q\n1,10,\n2,20,\n3,30,1.50000\n", Files.readString(f));
        // not a prefix of the columns: refused as before
        Files.writeString(f, "step,q\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> MetricsCsv.read(f, 2, line -> {}, "step", "ret", "q"));
        assertTrue(e.getMessage().contains("not a metrics log with columns step,ret,q"), e.getMessage());
        Files.writeString(f, "step,ret,q,extra\n1,2,3,4\n");
        assertThrows(IOException.class, () -> MetricsCsv.read(f, 2, line -> {}, "step", "ret", "q"));
    }

    /** What a crash or a full disk leaves while a row is appended: the row cut anywhere. It is dropped with one warning. */
    @ParameterizedTest
    @ValueSource(strings = {"4", "4,", "4,4", "4,40\n4,4", "4,x\n", "4,40,1\n"})
    void anIncompleteLastRowIsDroppedWithAWarning(String tail, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, OLD + tail);
        List<String> warnings = new ArrayList<>();
        List<double[]> rows = MetricsCsv.read(f, 100, warnings::add, "step", "ret");
        int whole = tail.startsWith("4,40\n") ? 4 : 3;
        assertEquals(whole, rows.size());
        assertArrayEquals(new double[] {3, 30}, rows.get(2));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("dropped an incomplete last row"), warnings.get(0));
    }

    @Test
    void anEmptyOrMissingLogIsAWarningNotAnError(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        for (String contents : new String[] {"", "step,r", null}) {
            Path f = dir.resolve("metrics" + warnings.size() + ".csv");
            if (contents != null) Files.writeString(f, contents);
            assertEquals(List.of(), MetricsCsv.read(f, 100, warnings::add, "step", "ret"));
        }
        assertEquals(3, warnings.size(), warnings.toString());
    }

    @Test
    void aBadRowBeforeTheLastOrAnotherHeaderIsStillAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, "step,ret\n1,10\n2\n3,30\n");
        IOException e = assertThrows(IOException.class, () -> MetricsCsv.read(f, 100, w -> {}, "step", "ret"));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Files.writeString(f, "a,b\n1,10\n");
        assertThrows(IOException.class, () -> MetricsCsv.read(f, 100, w -> {}, "step", "ret"));
    }

    /**
     * A duplicated or reordered row was accepted at resume (the episode count and return averages
     * then went wrong): global_step must not decrease and episode must count up by one per row.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "10,1,5\\n20,2,5\\n20,2,5\\n30,3,5\\n | line 4: episode 2 after episode 2",
        "10,1,5\\n30,2,5\\n20,3,5\\n | line 4: global_step 20 is below the previous row's 30",
        "10,1,5\\n20,3,5\\n | line 3: episode 3 after episode 1",
        "10,1,5\\n20,2,5\\n15,1,5\\n | line 4: global_step 15 is below"})
    void rowsOutOfOrderAreAnErrorNamingFileAndLine(String rows, String expected, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, "global_step,episode,ret\n" + rows.replace("\\n", "\n"));
        IOException e = assertThrows(IOException.class, () -> MetricsCsv.read(f, 100, w -> {}, "global_step", "episode", "ret"));
        assertTrue(e.getMessage().startsWith(f + ": " + expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void rowsInOrderAreRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, "global_step,episode,ret\n10,1,5\n20,2,5\n20,3,5\n30,4,5\n");
        assertEquals(4, MetricsCsv.read(f, 100, w -> {}, "global_step", "episode", "ret").size());
    }

    /** A full disk while a row was appended said only "No space left on device", naming no file. */
    @Test
    void aFailedAppendNamesTheLog(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.csv");
        MetricsCsv csv = new MetricsCsv(f, "step", "ret");
        // The disk fills up after the log was opened: its writer now fails as the system's does.
        java.lang.reflect.Field out = MetricsCsv.class.getDeclaredField("out");
        out.setAccessible(true);
        ((java.io.Writer) out.get(csv)).close();
        out.set(csv, new java.io.BufferedWriter(new java.io.Writer() {
            @Override public void write(char[] b, int off, int len) throws IOException { throw new IOException("No space left on device"); }
            @Override public void flush() {}
            @Override public void close() {}
        }, 1));
        IOException e = assertThrows(IOException.class, () -> csv.row(1, 2));
        assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
    }
}
