package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's TensorBoard event files read back by TensorBoard itself (EventAccumulator, through
 * scripts/tensorboard-read.py): every scalar equals metrics.csv's cell at its step, and each
 * evaluation the run printed is there as eval/mean_return. Needs a Python with tensorboard:
 * $DQN_TENSORBOARD_PYTHON, else $VIRTUAL_ENV/bin/python, else python3; without one the tests are
 * skipped with the reason, unless {@code DQN_REQUIRE_TENSORBOARD=1} (CI installs it), where they fail.
 */
class TensorBoardReadBackTest {
    /** "step N: greedy evaluation M ± S ..." and "solved at step N (T s): greedy evaluation M ± S ...". */
    private static final Pattern EVALUATION = Pattern.compile("(?:step (\\d+):|solved at step (\\d+) \\([^)]*\\):) greedy evaluation (-?[0-9.]+) ±.*");

    private static String python;

    /** CartPole's default recipe, 3000 steps, an evaluation and a checkpoint every 1000. */
    private static DqnConfig cfg() {
        DqnConfig c = ResumeRecoveryTest.cfg(3000);
        c.evalEvery = 1000;
        return c;
    }

    @AfterEach
    void noHook() { TrainingCheckpoint.crashHook = stage -> {}; }

    @Test
    void everyScalarEqualsMetricsCsv(@TempDir Path dir) throws Exception {
        String py = python();
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        DqnTraining.run(cfg(), "default", dir, log, () -> false);
        List<Path> files = eventFiles(dir);
        assertEquals(1, files.size(), files.toString());
        System.out.println("TensorBoardReadBackTest: " + files.get(0).getFileName() + ": " + Files.size(files.get(0)) + " bytes, "
                + MetricsCsv.read(dir.resolve("metrics.csv"), Double.MAX_VALUE, w -> {}, DqnTraining.COLUMNS).size() + " rows");
        assertSameAsMetricsAndEvaluations(py, dir, evaluations(log.lines, Long.MAX_VALUE));
    }

    /**
     * A run killed after its last checkpoint (2000) had logged on to 3000, in the middle of writing
     * its last event, then resumed: TensorBoard shows each step once, the resumed run's points after
     * 2000 and none of the killed run's past it, as metrics.csv does.
     */
    @Test
    void aResumedRunShowsEachStepOnce(@TempDir Path dir) throws Exception {
        String py = python();
        AtomicInteger saves = new AtomicInteger();
        TrainingCheckpoint.crashHook = s -> {
            if (s.equals("files written") && saves.incrementAndGet() == 3) throw new IllegalStateException("killed"); // the final save, at 3000
        };
        DqnTrainingTest.Log first = new DqnTrainingTest.Log();
        assertThrows(IllegalStateException.class, () -> DqnTraining.run(cfg(), "default", dir, first, () -> false));
        TrainingCheckpoint.crashHook = s -> {};
        Path killed = eventFiles(dir).get(0);
        try (FileChannel c = FileChannel.open(killed, StandardOpenOption.WRITE)) {
            c.truncate(c.size() - 5); // the kill cut the last event short
        }
        assertTrue(evaluations(first.lines, Long.MAX_VALUE).containsKey(3000L), "the killed run logged past its checkpoint: " + first.lines);

        DqnTrainingTest.Log resumed = new DqnTrainingTest.Log();
        DqnTraining.run(cfg(), "default", dir, resumed, () -> false, new CpuBackend(), true);
        assertTrue(resumed.lines.contains("resuming from the checkpoint of step 2000"), resumed.lines.toString());
        assertEquals(2, eventFiles(dir).size(), "a new file for the resumed run");

        Map<Long, Double> evaluations = evaluations(first.lines, 2000);
        evaluations.putAll(evaluations(resumed.lines, Long.MAX_VALUE));
        Map<String, List<double[]>> seen = assertSameAsMetricsAndEvaluations(py, dir, evaluations);
        for (var tag : seen.entrySet()) {
            List<double[]> points = tag.getValue();
            for (int i = 1; i < points.size(); i++) {
                assertTrue(points.get(i)[0] > points.get(i - 1)[0], tag.getKey() + ": step " + (long) points.get(i)[0] + " after " + (long) points.get(i - 1)[0]);
            }
        }
    }

    @Test
    void offWithTensorboardFalse(@TempDir Path dir) throws Exception {
        DqnConfig c = ResumeRecoveryTest.cfg(600);
        c.tensorboard = false;
        DqnTraining.run(c, "default", dir, new DqnTrainingTest.Log(), () -> false);
        assertTrue(Files.isRegularFile(dir.resolve("metrics.csv")));
        assertEquals(List.of(), eventFiles(dir));
    }

    /**
     * TensorBoard's scalars of {@code dir} against metrics.csv (each non-empty cell after global_step
     * and episode, at its row's global_step) and the printed evaluations (eval/mean_return): the same
     * tags, steps and values; returns them. metrics.csv holds 6 significant digits, the messages 2
     * decimals, the event files float32: values agree to the coarser (a return or length of 200 is
     * 200 +- 0.001 here, so whole numbers still agree exactly).
     */
    private static Map<String, List<double[]>> assertSameAsMetricsAndEvaluations(String py, Path dir, Map<Long, Double> evaluations) throws Exception {
        Map<String, List<double[]>> expected = new TreeMap<>();
        for (double[] row : MetricsCsv.read(dir.resolve("metrics.csv"), Double.MAX_VALUE, w -> { throw new AssertionError(w); }, DqnTraining.COLUMNS)) {
            for (int c = 2; c < row.length; c++) {
                if (!Double.isNaN(row[c])) expected.computeIfAbsent(DqnTraining.COLUMNS[c], k -> new ArrayList<>()).add(new double[] {row[0], row[c]});
            }
        }
        assertTrue(!evaluations.isEmpty(), "the run evaluated");
        evaluations.forEach((step, mean) -> expected.computeIfAbsent("eval/mean_return", k -> new ArrayList<>()).add(new double[] {step, mean}));

        Map<String, List<double[]>> actual = read(py, dir);
        assertEquals(expected.keySet(), actual.keySet(), "tags");
        for (String tag : expected.keySet()) {
            List<double[]> e = expected.get(tag), a = actual.get(tag);
            assertEquals(e.size(), a.size(), tag + ": points");
            double relative = tag.startsWith("eval/") ? 0 : 5.01e-6, absolute = tag.startsWith("eval/") ? 0.00501 : 0;
            for (int i = 0; i < e.size(); i++) {
                double want = e.get(i)[1], got = a.get(i)[1];
                assertEquals((long) e.get(i)[0], (long) a.get(i)[0], tag + ": step of point " + i);
                assertEquals(want, got, relative * Math.abs(want) + absolute, tag + " at step " + (long) e.get(i)[0]);
            }
        }
        return actual;
    }

    /** The evaluations in a run's messages at steps up to {@code maxStep}: step to mean return, as printed. */
    private static Map<Long, Double> evaluations(List<String> lines, long maxStep) {
        Map<Long, Double> out = new TreeMap<>();
        for (String line : lines) {
            Matcher m = EVALUATION.matcher(line);
            if (!m.matches()) continue;
            long step = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
            if (step <= maxStep) out.put(step, Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static List<Path> eventFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
        }
    }

    /** scripts/tensorboard-read.py's output: tag to [step, value] points. */
    private static Map<String, List<double[]>> read(String py, Path dir) throws Exception {
        Process p = new ProcessBuilder(py, "scripts/tensorboard-read.py", dir.toString()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tensorboard-read.py failed: " + stderr);
        Map<String, List<double[]>> out = new TreeMap<>();
        JsonNode root = new ObjectMapper().readTree(stdout);
        for (var tag : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
            List<double[]> points = new ArrayList<>();
            for (JsonNode point : tag.getValue()) points.add(new double[] {point.get(0).asLong(), point.get(1).asDouble()});
            out.put(tag.getKey(), points);
        }
        return out;
    }

    /** A Python that imports tensorboard, or the test is skipped (failed under DQN_REQUIRE_TENSORBOARD=1). */
    private static synchronized String python() throws Exception {
        if (python != null) return python;
        List<String> candidates = new ArrayList<>();
        if (System.getenv("DQN_TENSORBOARD_PYTHON") != null) candidates.add(System.getenv("DQN_TENSORBOARD_PYTHON"));
        if (System.getenv("VIRTUAL_ENV") != null) candidates.add(Path.of(System.getenv("VIRTUAL_ENV"), "bin", "python").toString());
        candidates.add("python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import tensorboard").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) return python = c;
            } catch (IOException notThere) {
                // the next candidate
            }
        }
        String why = "no Python with tensorboard (tried " + String.join(", ", candidates) + "): pip install tensorboard, or set DQN_TENSORBOARD_PYTHON";
        if ("1".equals(System.getenv("DQN_REQUIRE_TENSORBOARD"))) throw new AssertionError("DQN_REQUIRE_TENSORBOARD=1 but " + why);
        System.err.println("TensorBoard read-back tests skipped: " + why);
        Assumptions.abort(why);
        return null;
    }
}
