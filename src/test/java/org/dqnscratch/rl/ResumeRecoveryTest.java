package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed at any moment can be resumed (issue 24, items 1 and 2): short CartPole runs, crashes simulated. */
class ResumeRecoveryTest {
    /** CartPole's default recipe, a checkpoint every 1000 steps, a short evaluation. */
    static DqnConfig cfg(long totalSteps) {
        DqnConfig c = Presets.get("cartpole", "default").config();
        c.totalSteps = totalSteps;
        c.checkpointEvery = 1000;
        c.gif = false;
        c.evalEpisodes = 2;
        return c;
    }

    static DqnTraining.Result resume(Path dir, long totalSteps, DqnTrainingTest.Log log) throws Exception {
        return DqnTraining.run(cfg(totalSteps), "default", dir, log, () -> false, new CpuBackend(), true);
    }

    /** A crash (or a full disk) while a row was appended cut metrics.csv's last row short: the resume drops it with a warning. */
    @Test
    void aHalfRowAtTheEndOfMetricsIsDroppedAtResume(@TempDir Path dir) throws Exception {
        DqnTraining.run(cfg(1000), "default", dir, new DqnTrainingTest.Log(), () -> false);
        Files.writeString(dir.resolve("metrics.csv"), "990,40,1", StandardOpenOption.APPEND);
        DqnTrainingTest.Log log = new DqnTrainingTest.Log();
        assertEquals(2000, resume(dir, 2000, log).steps());
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("dropped an incomplete last row") && l.contains("990,40,1")), log.lines.toString());
        List<String> warnings = new ArrayList<>();
        List<double[]> rows = MetricsCsv.read(dir.resolve("metrics.csv"), Double.MAX_VALUE, warnings::add, DqnTraining.COLUMNS);
        assertEquals(List.of(), warnings);
        for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i)[0] > rows.get(i - 1)[0], "steps increase");
        assertTrue(rows.get(rows.size() - 1)[0] > 1000, "the resumed run logged on");
    }
}
