package org.dqnscratch.io;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A TensorBoard event file ({@code events.out.tfevents.*}) of scalars: TFRecord records (length,
 * masked CRC-32C of the length, data, masked CRC-32C of the data) holding {@code Event} protobuf
 * messages, the first one the file version {@code brain.Event:2}. The messages are encoded with
 * protobuf-java's {@link CodedOutputStream}, naming the field numbers of TensorBoard's
 * event.proto and summary.proto rather than generating classes for five fields.
 *
 * <p>Each event is written to the file as one write when it is logged (no buffer), so a crash
 * loses at most the event being written; TensorBoard's reader stops at a cut-short last record.
 *
 * <p>Every writer opens a new file, and starts it with a {@code SessionLog START} event at the
 * step after {@code afterStep}: TensorBoard reads a directory's event files in name order and,
 * on a START event, drops the points it has read at that step or later. A resumed run thus shows
 * the older files' points up to its checkpoint (the rows metrics.csv keeps) and its own after it,
 * without the points a crashed run logged past its checkpoint.
 */
public final class TensorBoardWriter implements Closeable {
    private static final String PREFIX = "events.out.tfevents.";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)\\..*");

    private final OutputStream out;
    private final Path file;
    private final DoubleSupplier clock;

    /** A jar without protobuf-java (the GPU carry strips it: scripts/gpu-carry.sh) writes no event files: a clear error, not a stack trace. */
    private static void requireProtobuf() {
        try {
            Class.forName("com.google.protobuf.CodedOutputStream", false, TensorBoardWriter.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--tensorboard needs protobuf-java, which this jar was built without: run with --tensorboard=false");
        }
    }

    /** A new event file in {@code dir} for a run that continues after step {@code afterStep} (0 for a new run). */
    public TensorBoardWriter(Path dir, long afterStep) throws IOException {
        this(dir, afterStep, () -> System.currentTimeMillis() / 1000.0);
    }

    /** As above, with the events' wall times (seconds since the epoch) from {@code clock}: tests fix it. */
    TensorBoardWriter(Path dir, long afterStep, DoubleSupplier clock) throws IOException {
        requireProtobuf();
        this.clock = clock;
        this.file = dir.resolve(fileName(dir, (long) clock.getAsDouble()));
        try {
            out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + AtomicFiles.reason(e), e);
        }
        event(0, o -> o.writeString(3, "brain.Event:2"));
        event(afterStep + 1, o -> o.writeByteArray(7, encode(s -> s.writeEnum(1, 1)))); // session_log { status: START }
    }

    /** The file this writer writes. */
    public Path file() { return file; }

    /**
     * The name TensorBoard's writers give (events.out.tfevents.SECONDS.HOST...; here the process id
     * for the host, which TensorBoard does not read), with SECONDS past every event file's already in
     * {@code dir}: TensorBoard reads the files in name order, and a resumed run's must come after
     * its earlier files even when it starts within the same second or after the clock was set back.
     */
    private static String fileName(Path dir, long now) throws IOException {
        long seconds = now;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) seconds = Math.max(seconds, Long.parseLong(m.group(1)) + 1);
            }
        } catch (IOException e) {
            throw new IOException("cannot list " + dir + ": " + AtomicFiles.reason(e), e);
        }
        return String.format(java.util.Locale.ROOT, "%s%010d.dqn-scratch.%d", PREFIX, seconds, ProcessHandle.current().pid());
    }

    /**
     * One event at {@code step} with the scalars {@code tags[i] = values[i]} for i from {@code from}
     * on (a metrics row's columns after its step and counters). NaN values (no loss before training
     * starts) are left out, as metrics.csv leaves their cells empty.
     */
    public void scalars(long step, String[] tags, double[] values, int from) throws IOException {
        if (tags.length != values.length) throw new IllegalArgumentException(tags.length + " tags for " + values.length + " values");
        List<byte[]> summaryValues = new ArrayList<>();
        for (int i = from; i < values.length; i++) {
            if (Double.isNaN(values[i])) continue;
            String tag = tags[i];
            float value = (float) values[i];
            summaryValues.add(encode(v -> {
                v.writeString(1, tag);      // Summary.Value.tag
                v.writeFloat(2, value);     // Summary.Value.simple_value
            }));
        }
        if (summaryValues.isEmpty()) return;
        event(step, o -> o.writeByteArray(5, encode(s -> { // Event.summary
            for (byte[] v : summaryValues) s.writeByteArray(1, v); // Summary.value, repeated
        })));
    }

    /** One scalar at {@code step}. */
    public void scalar(long step, String tag, double value) throws IOException {
        scalars(step, new String[] {tag}, new double[] {value}, 0);
    }

    /** The fields of one message, written in field order. */
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] encode(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** An Event (wall_time = 1, step = 2, then {@code what}), framed as one TFRecord and written at once. */
    private void event(long step, Fields what) throws IOException {
        double wallTime = clock.getAsDouble();
        byte[] data = encode(o -> {
            o.writeDouble(1, wallTime);
            if (step != 0) o.writeInt64(2, step); // proto3 leaves out a zero, so the bytes equal TensorBoard's own
            what.write(o);
        });
        try {
            out.write(record(data));
            out.flush();
        } catch (IOException e) { // a full disk: the system's message names no file
            throw new IOException("cannot write " + file + ": " + AtomicFiles.reason(e), e);
        }
    }

    /** A TFRecord: uint64 length, its masked CRC-32C, the data, the data's masked CRC-32C, little-endian. */
    static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /** TFRecord's CRC: CRC-32C rotated right by 15 bits plus a constant (so a CRC of data holding CRCs is not degenerate). */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    @Override public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + AtomicFiles.reason(e), e);
        }
    }
}
