package org.dqnscratch.apex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.dqnscratch.io.AtomicFiles;

/** Per-actor figures as the learner saw them arrive, for actors.csv: what each actor contributed, and how fresh its weights were. */
final class ActorStats {
    private final long start = System.nanoTime();
    private final float[] epsilon;
    private final long[] steps, transitions, batches, version;
    private final int[] restarts;

    ActorStats(int actors) {
        epsilon = new float[actors];
        steps = new long[actors];
        transitions = new long[actors];
        batches = new long[actors];
        version = new long[actors];
        restarts = new int[actors];
        for (int i = 0; i < actors; i++) epsilon[i] = (float) ApeXActor.epsilon(i, actors);
    }

    void received(TransitionBatch b, int restartsSoFar) {
        int i = b.actor();
        epsilon[i] = b.epsilon();
        steps[i] += b.envSteps();
        transitions[i] += b.transitions();
        batches[i]++;
        version[i] = b.weightsVersion();
        restarts[i] = restartsSoFar;
    }

    /** One row per actor: its epsilon, environment steps received and their rate, transitions, batches, last weights version, restarts. */
    void write(Path file) throws IOException {
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder csv = new StringBuilder("actor,epsilon,env_steps,env_steps_per_s,transitions_sent,batches,weights_version,restarts\n");
        for (int i = 0; i < steps.length; i++) {
            csv.append(String.format(Locale.ROOT, "%d,%.6g,%d,%.1f,%d,%d,%d,%d%n", i, epsilon[i], steps[i], steps[i] / seconds, transitions[i],
                    batches[i], version[i], restarts[i]));
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}
