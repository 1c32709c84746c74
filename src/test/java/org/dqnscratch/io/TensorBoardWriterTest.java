package org.dqnscratch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event file's bytes, without Python: TensorBoardReadBackTest reads whole runs with TensorBoard itself. */
class TensorBoardWriterTest {
    /**
     * The bytes TensorBoard 2.21's own writer (tensorboard.summary.writer.record_writer.RecordWriter,
     * on event_pb2.Event messages serialized by Python's protobuf) gives for the same events: the file
     * version, a SessionLog START at 42, a row's scalars at 42 (epsilon 0.25, loss 0.125) and an
     * evaluation at 50, all at wall time 1700000000.5.
     */
    static final String TENSORBOARD_BYTES = "1800000000000000a37f4b220900002040fc54d9411a0d627261696e2e4576656e743a322b3531"
            + "100f000000000000006d532b090900002040fc54d941102a3a020801cdf8b27d3b000000000000001a23ac5c0900002040fc54d9"
            + "41102a2a2e0a150a0e6368617274732f657073696c6f6e150000803e0a150a0e6c6f737365732f74645f6c6f7373150000003ecc"
            + "56b4612600000000000000734fe3000900002040fc54d94110322a190a170a106576616c2f6d65616e5f72657475726e150000f74254"
            + "57b488";

    @Test
    void theBytesAreTensorBoardsOwn(@TempDir Path dir) throws IOException {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(dir, 41, () -> 1700000000.5)) {
            // A metrics row: its step and episode columns are not scalars, and a NaN loss would be left out.
            w.scalars(42, new String[] {"global_step", "episode", "charts/epsilon", "losses/td_loss", "charts/SPS"},
                    new double[] {42, 3, 0.25, 0.125, Double.NaN}, 2);
            w.scalars(45, new String[] {"losses/td_loss"}, new double[] {Double.NaN}, 0); // nothing to write: no event
            w.scalar(50, "eval/mean_return", 123.5);
            file = w.file();
        }
        assertEquals(TENSORBOARD_BYTES, HexFormat.of().formatHex(Files.readAllBytes(file)));
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents.1700000000."), file.toString());
    }

    /** The CRC-32C check value of "123456789" (RFC 3720), masked as TFRecord masks it. */
    @Test
    void maskedCrc() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int crc = 0xE3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, TensorBoardWriter.maskedCrc32c(check, 0, check.length));
        byte[] rec = TensorBoardWriter.record(check);
        assertArrayEquals(new byte[] {9, 0, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(rec, 8), "little-endian length");
        assertEquals(8 + 4 + 9 + 4, rec.length);
    }

    /** TensorBoard reads a directory's files in name order: a later writer's file sorts after the earlier ones, even within one second. */
    @Test
    void aNewFileSortsAfterTheDirectorysEarlierOnes(@TempDir Path dir) throws IOException {
        Path first, second;
        try (TensorBoardWriter w = new TensorBoardWriter(dir, 0, () -> 1700000000.0)) { first = w.file(); }
        try (TensorBoardWriter w = new TensorBoardWriter(dir, 100, () -> 1700000000.0)) { second = w.file(); }
        assertTrue(second.getFileName().toString().compareTo(first.getFileName().toString()) > 0, first + " then " + second);
        assertEquals(2, dir.toFile().list().length);
    }

    /** A full disk (a 64 KB tmpfs): the event that does not fit is one line naming the file. */
    @Test
    void aFullDiskIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount(dir.resolve("tmpfs"), "64k"); TensorBoardWriter w = new TensorBoardWriter(tmpfs.dir, 0)) {
            IOException e = assertThrows(IOException.class, () -> {
                for (long step = 1; step < 1_000_000; step++) w.scalar(step, "charts/epsilon", 1);
            });
            assertEquals("cannot write " + w.file() + ": No space left on device", e.getMessage());
        }
    }

    @Test
    void aWriteThatCannotHappenNamesTheFileInOneLine(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> new TensorBoardWriter(dir.resolve("missing"), 0));
        assertEquals("cannot list " + dir.resolve("missing") + ": No such file or directory", e.getMessage());
    }
}
