package org.dqnscratch.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A metrics log: one header line of column names (CleanRL's, such as
 * {@code charts/episodic_return}), then one line per row, flushed as it is written so a
 * crash loses at most the row being written.
 *
 * <p>A resumed run starts the log anew with the rows up to its checkpoint. That rewrite goes to
 * a temp file renamed over the old log (fsynced first): a crash or a full disk during it leaves
 * the old log whole, never an empty or half-written one that would block the next resume. A
 * crash while a row is appended can still cut that row short; {@link #read} drops such a last
 * row with a warning.
 */
public final class MetricsCsv implements Closeable {
    /** Tests only: called once the rewritten rows are in the temp file, before it replaces the log (a test throws here to simulate a crash). */
    static Consumer<String> crashHook = FaultPause::at; // by default a pause for a test's SIGKILL, when asked for (FaultPause)

    private final BufferedWriter out;
    private final int columns;
    private final Path file;

    public MetricsCsv(Path file, String... header) throws IOException { this(file, List.of(), header); }

    /** A log that starts with {@code rows} already in it (a resumed run's history), replacing {@code file} atomically. */
    public MetricsCsv(Path file, List<double[]> rows, String... header) throws IOException {
        this.columns = header.length;
        this.file = file;
        for (double[] r : rows) check(r);
        AtomicFiles.write(file, o -> {
            Writer w = new OutputStreamWriter(o, StandardCharsets.UTF_8);
            w.write(String.join(",", header) + "\n");
            for (double[] r : rows) w.write(format(r) + "\n");
            w.flush(); // into o, which AtomicFiles syncs; not closed, AtomicFiles owns it
            crashHook.accept("rows written");
        });
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * The rows of an existing log whose first column is at most {@code maxFirst} (a run resumed
     * from a checkpoint keeps the history up to it); empty cells read as NaN. A last row cut short
     * by a crash (no line end, too few cells, not a number) is dropped with a line to {@code warn};
     * so is a log that is missing or was left empty. A bad row elsewhere is an error, and so is a
     * {@code global_step} column that decreases or an {@code episode} column that does not count up by one.
     * A log with only the first columns of {@code header} (an older version's: columns are added at
     * the end) reads with the others empty.
     */
    public static List<double[]> read(Path file, double maxFirst, Consumer<String> warn, String... header) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            warn.accept("warning: " + file + " is missing; the log restarts with the resumed steps");
            return List.of();
        } catch (java.nio.charset.CharacterCodingException e) { // the JDK's message, "Input length = 1", names neither file nor cause
            throw new IOException(file + ": not UTF-8 text (a metrics log is CSV text; a binary file in its place?)", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + (Files.isDirectory(file) ? "is a directory" : AtomicFiles.reason(e)), e);
        }
        List<String> lines = text.lines().toList();
        boolean lastComplete = text.endsWith("\n");
        String head = String.join(",", header);
        if (lines.isEmpty() || lines.size() == 1 && !lastComplete && head.startsWith(lines.get(0))) {
            warn.accept("warning: " + file + " was left empty (a crash while it was written?); the log restarts with the resumed steps");
            return List.of();
        }
        // An older version's log has fewer columns (they are only ever added at the end): its rows read with the new ones empty.
        String[] found = lines.get(0).split(",", -1);
        int columns = found.length;
        if (columns > header.length || !Arrays.equals(found, Arrays.copyOf(header, columns))) {
            throw new IOException(file + ": not a metrics log with columns " + head);
        }
        // A log is written in order, one row per episode: a duplicated or reordered row (pasted logs, a
        // hand edit) would resume with a wrong episode count and return averages, so it is refused.
        int stepColumn = List.of(header).indexOf("global_step"), episodeColumn = List.of(header).indexOf("episode");
        double[] previous = null;
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean last = i == lines.size() - 1;
            double[] r = parse(line, columns);
            if (r != null && columns < header.length) {
                r = Arrays.copyOf(r, header.length);
                Arrays.fill(r, columns, header.length, Double.NaN);
            }
            if (r == null || last && !lastComplete) {
                if (!last) throw new IOException(file + ": a bad row (line " + (i + 1) + "): " + line);
                warn.accept("warning: " + file + ": dropped an incomplete last row (a crash while it was written?): " + line);
                break;
            }
            if (previous != null && stepColumn >= 0 && r[stepColumn] < previous[stepColumn]) {
                throw new IOException(file + ": line " + (i + 1) + ": global_step " + format(new double[] {r[stepColumn]})
                        + " is below the previous row's " + format(new double[] {previous[stepColumn]}) + " (rows out of order?)");
            }
            if (previous != null && episodeColumn >= 0 && r[episodeColumn] != previous[episodeColumn] + 1) {
                throw new IOException(file + ": line " + (i + 1) + ": episode " + format(new double[] {r[episodeColumn]}) + " after episode "
                        + format(new double[] {previous[episodeColumn]}) + " (episodes must count up by one: a duplicated or missing row?)");
            }
            previous = r;
            if (r[0] <= maxFirst) rows.add(r);
        }
        return rows;
    }

    /** A row's values, or null if it has the wrong number of cells or a cell that is not a number. */
    private static double[] parse(String line, int columns) {
        String[] cells = line.split(",", -1);
        if (cells.length != columns) return null;
        double[] r = new double[cells.length];
        try {
            for (int i = 0; i < cells.length; i++) r[i] = cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]);
        } catch (NumberFormatException e) {
            return null;
        }
        return r;
    }

    /** One row; NaN is written as an empty cell (no value yet, e.g. the loss before training starts). */
    public void row(double... values) throws IOException {
        check(values);
        try {
            out.write(format(values) + "\n"); // \n everywhere, as the rewrite writes it
            out.flush();
        } catch (IOException e) { // a full disk: the system's message names no file
            throw new IOException("cannot write " + file + ": " + AtomicFiles.reason(e), e);
        }
    }

    private void check(double[] values) {
        if (values.length != columns) throw new IllegalArgumentException("expected " + columns + " values, got " + values.length);
    }

    private static String format(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            double v = values[i];
            if (Double.isNaN(v)) continue;
            if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
            else sb.append(String.format(Locale.ROOT, "%.6g", v));
        }
        return sb.toString();
    }

    @Override public void close() throws IOException { out.close(); }
}
