package org.dqnscratch.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A metrics log: one header line of column names (CleanRL's, such as
 * {@code charts/episodic_return}), then one line per row, flushed as it is written so a
 * crash loses at most the row being written.
 */
public final class MetricsCsv implements Closeable {
    private final BufferedWriter out;
    private final int columns;

    public MetricsCsv(Path file, String... header) throws IOException { this(file, java.util.List.of(), header); }

    /** A log that starts with {@code rows} already in it (a resumed run's history). */
    public MetricsCsv(Path file, java.util.List<double[]> rows, String... header) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.columns = header.length;
        out.write(String.join(",", header));
        out.newLine();
        for (double[] r : rows) row(r);
        out.flush();
    }

    /**
     * The rows of an existing log whose first column is at most {@code maxFirst} (a run resumed
     * from a checkpoint keeps the history up to it); empty cells read as NaN.
     */
    public static java.util.List<double[]> read(Path file, double maxFirst, String... header) throws IOException {
        java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(String.join(",", header))) {
            throw new IOException(file + ": not a metrics log with columns " + String.join(",", header));
        }
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) throw new IOException(file + ": a row of " + cells.length + " cells: " + line);
            double[] r = new double[cells.length];
            try {
                for (int i = 0; i < cells.length; i++) r[i] = cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": not a number in row: " + line);
            }
            if (r[0] <= maxFirst) rows.add(r);
        }
        return rows;
    }

    /** One row; NaN is written as an empty cell (no value yet, e.g. the loss before training starts). */
    public void row(double... values) throws IOException {
        if (values.length != columns) throw new IllegalArgumentException("expected " + columns + " values, got " + values.length);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            double v = values[i];
            if (Double.isNaN(v)) continue;
            if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
            else sb.append(String.format(Locale.ROOT, "%.6g", v));
        }
        out.write(sb.toString());
        out.newLine();
        out.flush();
    }

    @Override public void close() throws IOException { out.close(); }
}
