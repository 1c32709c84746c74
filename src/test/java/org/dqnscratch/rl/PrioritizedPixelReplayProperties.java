package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.dqnscratch.env.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prioritized replay over the uint8 pixel replay: a transition has a priority exactly while uniform
 * sampling could draw it (kept, its n-step window closed), over any mix of streams, episode ends
 * (terminated or truncated), evictions and truncateEpisodes; a prioritized draw is the same n-step
 * view as the uniform replay's for that transition; priorities survive a save and load.
 */
class PrioritizedPixelReplayProperties {
    static final int STACK = PixelReplayProperties.STACK, FRAME = PixelReplayProperties.FRAME;

    static PixelReplay prioritized(int capacity, int streams, int n, double alpha) {
        PixelReplay rb = new PixelReplay(capacity, STACK, FRAME, streams);
        rb.prioritize(new Priorities(rb.transitionSlots(), alpha, 1e-6), n);
        return rb;
    }

    /** Slot of transition t of a stream, as the replay lays them out (stream * perStream + t mod perStream). */
    static int slot(PixelReplay rb, int stream, long t) {
        int perStream = rb.transitionSlots() / rb.streams;
        return stream * perStream + (int) (t % perStream);
    }

    static void assertPrioritiesAreTheSampleableTransitions(PixelReplay rb, int n) {
        boolean[] expected = new boolean[rb.transitionSlots()];
        for (int st = 0; st < rb.streams; st++) {
            long from = rb.oldest(st), to = from + rb.sampleable(st, n);
            for (long t = from; t < to; t++) expected[slot(rb, st, t)] = true;
        }
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], rb.priorities().tree.get(k) > 0, "slot " + k + (expected[k] ? " is sampleable but has no priority" : " has a priority but is not sampleable"));
        }
    }

    @Property(tries = 300)
    void aTransitionHasAPriorityExactlyWhileItCanBeSampled(@ForAll @IntRange(min = 1, max = 40) int capacity,
                                                           @ForAll @IntRange(min = 1, max = 3) int streams,
                                                           @ForAll @IntRange(min = 1, max = 4) int n,
                                                           @ForAll @IntRange(min = 0, max = 300) int adds,
                                                           @ForAll @IntRange(min = 1, max = 30) int maxEpisode,
                                                           @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        PixelReplay rb = prioritized(capacity, streams, n, 0.6);
        PixelReplayProperties.FakeEnv[] envs = new PixelReplayProperties.FakeEnv[streams];
        for (int st = 0; st < streams; st++) envs[st] = new PixelReplayProperties.FakeEnv(st, STACK, FRAME, maxEpisode, rng);
        int B = 8;
        int[] slots = new int[B];
        float[] w = new float[B], td = new float[B], a = new float[B], r = new float[B], d = new float[B];
        float[] s = new float[B * STACK * FRAME], s2 = new float[B * STACK * FRAME];
        for (int i = 0; i < adds; i++) {
            int st = rng.nextInt(streams);
            PixelReplayProperties.T t = envs[st].step();
            rb.add(st, t.obs(), t.action(), t.reward(), t.next(), t.terminated(), t.truncated());
            if (rng.nextInt(10) == 0 && rb.sampleable(n) > 0) { // a gradient step: sample, then new priorities
                rb.samplePrioritized(new Rng(rng.nextLong()), B, 0.9, s, a, r, d, s2, slots, w, 0.5);
                for (int j = 0; j < B; j++) td[j] = (float) rng.nextDouble(-3, 3);
                rb.priorities().update(slots, td, B);
            }
            if (rng.nextInt(20) == 0) assertPrioritiesAreTheSampleableTransitions(rb, n);
        }
        assertPrioritiesAreTheSampleableTransitions(rb, n);
        rb.truncateEpisodes(); // a resume without the episodes: the open windows close
        assertPrioritiesAreTheSampleableTransitions(rb, n);
    }

    /** A prioritized draw of slot k is the n-step view uniform sampling gives for that transition. */
    @Property(tries = 100)
    void aDrawIsTheTransitionsNStepView(@ForAll @IntRange(min = 4, max = 40) int capacity, @ForAll @IntRange(min = 1, max = 3) int streams,
                                        @ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 200) int adds,
                                        @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        PixelReplay rb = prioritized(capacity, streams, n, 0.6);
        PixelReplayProperties.FakeEnv[] envs = new PixelReplayProperties.FakeEnv[streams];
        for (int st = 0; st < streams; st++) envs[st] = new PixelReplayProperties.FakeEnv(st, STACK, FRAME, 9, rng);
        for (int i = 0; i < adds; i++) {
            int st = rng.nextInt(streams);
            PixelReplayProperties.T t = envs[st].step();
            rb.add(st, t.obs(), t.action(), t.reward(), t.next(), t.terminated(), t.truncated());
        }
        if (rb.sampleable(n) == 0) return;
        int B = 16, len = STACK * FRAME;
        int[] slots = new int[B];
        float[] w = new float[B], a = new float[B], r = new float[B], d = new float[B], s = new float[B * len], s2 = new float[B * len];
        rb.samplePrioritized(new Rng(seed), B, 0.9, s, a, r, d, s2, slots, w, 0.4);
        float[] a1 = new float[1], r1 = new float[1], d1 = new float[1], x = new float[len], x2 = new float[len];
        for (int j = 0; j < B; j++) {
            int st = slots[j] / (rb.transitionSlots() / streams);
            long t = -1;
            for (long u = rb.oldest(st); u < rb.added(st); u++) if (slot(rb, st, u) == slots[j]) t = u;
            assertTrue(t >= 0, "slot " + slots[j] + " holds no kept transition");
            rb.transition(st, t, n, 0.9, 0, x, a1, r1, d1, x2);
            assertArrayEquals(x, java.util.Arrays.copyOfRange(s, j * len, (j + 1) * len));
            assertArrayEquals(x2, java.util.Arrays.copyOfRange(s2, j * len, (j + 1) * len));
            assertEquals(a1[0], a[j]);
            assertEquals(r1[0], r[j]);
            assertEquals(d1[0], d[j]);
            assertEquals(1f, w[j], "no update yet: every priority is the initial one, every weight 1");
        }
    }

    @Test
    void prioritiesSurviveASaveAndLoad(@TempDir Path dir) throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        PixelReplay rb = prioritized(30, 2, 3, 0.5);
        PixelReplayProperties.FakeEnv[] envs = {new PixelReplayProperties.FakeEnv(0, STACK, FRAME, 7, rng), new PixelReplayProperties.FakeEnv(1, STACK, FRAME, 7, rng)};
        for (int i = 0; i < 80; i++) {
            int st = i % 2;
            PixelReplayProperties.T t = envs[st].step();
            rb.add(st, t.obs(), t.action(), t.reward(), t.next(), t.terminated(), t.truncated());
        }
        int[] slots = new int[4];
        float[] w = new float[4], a = new float[4], r = new float[4], d = new float[4], s = new float[4 * STACK * FRAME], s2 = new float[4 * STACK * FRAME];
        rb.samplePrioritized(new Rng(1), 4, 0.9, s, a, r, d, s2, slots, w, 0.4);
        rb.priorities().update(slots, new float[] {5f, -0.1f, 0.2f, 1f}, 4);
        rb.save(dir.resolve("r.bin"));
        PixelReplay back = prioritized(30, 2, 3, 0.5);
        back.load(dir.resolve("r.bin"));
        for (int k = 0; k < rb.transitionSlots(); k++) assertEquals(rb.priorities().tree.get(k), back.priorities().tree.get(k), "slot " + k);
        assertPrioritiesAreTheSampleableTransitions(back, 3);
        IOException e = assertThrows(IOException.class, () -> new PixelReplay(30, STACK, FRAME, 2).load(dir.resolve("r.bin")));
        assertTrue(e.getMessage().contains("holds a prioritized replay; this run's is uniform"), e.getMessage());
    }
}
