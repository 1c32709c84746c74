package org.dqnscratch.io;

import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The learning curve as a PNG: each episode's return and the mean of the last 100, over steps. */
public final class LearningCurve {
    private LearningCurve() {}

    static {
        // In-memory image streams: the file cache registers a JVM shutdown hook, which fails when
        // we write while shutting down (Ctrl-C saves the run's files from a shutdown hook).
        javax.imageio.ImageIO.setUseCache(false);
    }

    /** {@code steps[i]} is the global step at which episode i ended with return {@code returns[i]}. */
    public static void write(Path file, String title, double[] episodeEndSteps, double[] episodeReturns, double solveAt) throws IOException {
        int n = episodeReturns.length;
        // XChart needs at least one point: an empty run draws a single zero
        double[] steps = n == 0 ? new double[1] : episodeEndSteps, returns = n == 0 ? new double[1] : episodeReturns;
        double[] mean = new double[steps.length];
        double window = 0;
        for (int i = 0; i < n; i++) {
            window += returns[i];
            if (i >= 100) window -= returns[i - 100];
            mean[i] = window / Math.min(i + 1, 100);
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("environment step").yAxisTitle("episodic return").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        XYSeries raw = chart.addSeries("episode return", steps, returns);
        raw.setMarker(SeriesMarkers.NONE);
        raw.setLineColor(new java.awt.Color(160, 190, 230));
        XYSeries avg = chart.addSeries("mean of last 100", steps, mean);
        avg.setMarker(SeriesMarkers.NONE);
        avg.setLineColor(new java.awt.Color(20, 70, 160));
        if (solveAt > 0 && Double.isFinite(solveAt) && n > 0) {
            XYSeries line = chart.addSeries("solved at " + fmt(solveAt), new double[] {steps[0], steps[n - 1]}, new double[] {solveAt, solveAt});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(new java.awt.Color(200, 60, 60));
        }
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, out -> out.write(png));
    }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }
}
