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

    public MetricsCsv(Path file, String... header) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.columns = header.length;
        out.write(String.join(",", header));
        out.newLine();
        out.flush();
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
