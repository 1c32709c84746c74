package org.dqnscratch.apex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.dqnscratch.io.AtomicFiles;

/**
 * Per-actor figures as the learner saw them arrive, for actors.csv: what each actor contributed, how
 * fresh its weights were, what was lost. Written with every checkpoint and at the end (a killed run
 * keeps its last); a resumed run's counts go on from the file's, its rate is of the part since the resume.
 */
final class ActorStats {
    static final String HEADER = "actor,epsilon,env_steps,env_steps_per_s,transitions_sent,batches,weights_version,restarts,batches_lost";
    private final long start = System.nanoTime();
    private final float[] epsilon;
    private final long[] steps, stepsBefore, transitions, batches, version, lost;
    private final int[] restarts, restartsBefore;

    ActorStats(int actors) {
        epsilon = new float[actors];
        steps = new long[actors];
        stepsBefore = new long[actors];
        transitions = new long[actors];
        batches = new long[actors];
        version = new long[actors];
        lost = new long[actors];
        restarts = new int[actors];
        restartsBefore = new int[actors];
        for (int i = 0; i < actors; i++) epsilon[i] = (float) ApeXActor.epsilon(i, actors);
    }

    /**
     * The figures of {@code file} (a resumed run's actors.csv, columns found by name: an older file lacks
     * some), for the actors it has of {@code actors}; fresh ones when there is no such file.
     */
    static ActorStats continuing(Path file, int actors) throws IOException {
        ActorStats s = new ActorStats(actors);
        if (!Files.isRegularFile(file)) return s;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return s;
        List<String> names = Arrays.asList(lines.get(0).split(","));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            try {
                int i = Integer.parseInt(f[0]);
                if (i < 0 || i >= actors || f.length != names.size()) continue;
                s.stepsBefore[i] = s.steps[i] = column(f, names, "env_steps");
                s.transitions[i] = column(f, names, "transitions_sent");
                s.batches[i] = column(f, names, "batches");
                s.version[i] = column(f, names, "weights_version");
                s.restartsBefore[i] = s.restarts[i] = (int) column(f, names, "restarts");
                s.lost[i] = column(f, names, "batches_lost");
            } catch (NumberFormatException e) {
                // a row this version did not write: its actor starts from zero
            }
        }
        return s;
    }

    private static long column(String[] row, List<String> names, String name) {
        int c = names.indexOf(name);
        return c < 0 ? 0 : Long.parseLong(row[c]);
    }

    /** {@code restartsSoFar}: the fleet's count for this run part; {@code lostBefore}: batches of this actor lost just before {@code b}. */
    void received(TransitionBatch b, int restartsSoFar, long lostBefore) {
        int i = b.actor();
        epsilon[i] = b.epsilon();
        steps[i] += b.envSteps();
        transitions[i] += b.transitions();
        batches[i]++;
        version[i] = b.weightsVersion();
        restarts[i] = restartsBefore[i] + restartsSoFar;
        lost[i] += lostBefore;
    }

    /**
     * One row per actor: its epsilon, environment steps received and their rate (since this part of the run
     * began), transitions, batches, last weights version, restarts, batches lost while it lived on.
     */
    void write(Path file) throws IOException {
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < steps.length; i++) {
            csv.append(String.format(Locale.ROOT, "%d,%.6g,%d,%.1f,%d,%d,%d,%d,%d%n", i, epsilon[i], steps[i], (steps[i] - stepsBefore[i]) / seconds,
                    transitions[i], batches[i], version[i], restarts[i], lost[i]));
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}
