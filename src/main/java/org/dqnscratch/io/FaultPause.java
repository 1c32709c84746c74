package org.dqnscratch.io;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test machinery, not a feature: lets a test kill a real training process at an exact step of a
 * write. With the environment variable {@code DQN_FAULT_PAUSE=stage[:count[:seconds]]} the
 * process, when it reaches {@code stage} for the {@code count}-th time (default 1), prints one
 * line to stderr, {@code fault pause: STAGE #COUNT (pid PID)}, and sleeps {@code seconds}
 * (default: an hour, i.e. until the test kills it), then goes on. FaultInjectionTest sends SIGKILL
 * once the line is out, so each window of the checkpoint protocol is hit deterministically.
 *
 * <p>Stages: those of TrainingCheckpoint's save ({@code files written}, {@code directory renamed},
 * {@code pointer switched}, {@code last copied}, {@code old deleted}), MetricsCsv's rewrite
 * ({@code rows written}), AtomicFiles' {@code temp opened NAME} (the temp file of NAME created,
 * nothing written yet) and {@code temp written NAME} (synced, not yet renamed over NAME) and {@code evaluation episode} (the start of each evaluation episode).
 * The variable is read once; unset, {@link #at} does nothing but compare a null.
 */
public final class FaultPause {
    private FaultPause() {}

    private static final String STAGE;
    private static final int COUNT;
    private static final long MILLIS;
    private static final AtomicInteger SEEN = new AtomicInteger();

    static {
        String spec = System.getenv("DQN_FAULT_PAUSE");
        String stage = null;
        int count = 1;
        long millis = 3_600_000;
        if (spec != null && !spec.isBlank()) {
            String[] parts = spec.split(":");
            stage = parts[0];
            if (parts.length > 1) count = Integer.parseInt(parts[1].strip());
            if (parts.length > 2) millis = Math.round(Double.parseDouble(parts[2].strip()) * 1000);
        }
        STAGE = stage;
        COUNT = count;
        MILLIS = millis;
    }

    /** Called at {@code stage}: pauses there when DQN_FAULT_PAUSE names it and this is its count-th time. */
    public static void at(String stage) {
        if (STAGE == null || !STAGE.equals(stage) || SEEN.incrementAndGet() != COUNT) return;
        System.err.println("fault pause: " + stage + " #" + COUNT + " (pid " + ProcessHandle.current().pid() + ")");
        System.err.flush();
        try {
            Thread.sleep(MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
