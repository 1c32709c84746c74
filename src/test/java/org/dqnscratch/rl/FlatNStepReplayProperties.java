package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * n-step returns on the flat replay against a naive computation over the whole step sequence:
 * episodes ending by termination and by truncation, windows cut by an episode's end, a window open
 * at the end (not stored yet), a checkpoint in the middle (the open window saved and restored).
 */
class FlatNStepReplayProperties {
    record Step(float obs, int action, float reward, float next, boolean terminated, boolean truncated) {}

    static List<Step> steps(long seed, int count) {
        Random r = new Random(seed);
        List<Step> out = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int end = r.nextInt(8); // 0: terminated, 1: truncated, else the episode goes on
            out.add(new Step(t, r.nextInt(3), r.nextInt(5) - 2, t + 0.5f, end == 0, end == 1));
        }
        return out;
    }

    /** The n-step transition of step t, or null when its window is still open at the end of the sequence. */
    static float[] naive(List<Step> steps, int t, int n, double gamma) {
        double ret = 0, g = 1;
        for (int k = 0; k < n; k++) {
            if (t + k >= steps.size()) return null;
            Step s = steps.get(t + k);
            ret += g * s.reward();
            g *= gamma;
            if (s.terminated()) return new float[] {steps.get(t).obs(), steps.get(t).action(), (float) ret, s.next(), 0f};
            if (s.truncated() || k == n - 1) return new float[] {steps.get(t).obs(), steps.get(t).action(), (float) ret, s.next(), (float) g};
        }
        throw new AssertionError();
    }

    static void add(ReplayBuffer rb, Step s) {
        rb.add(new float[] {s.obs()}, s.action(), s.reward(), new float[] {s.next()}, s.terminated(), s.truncated());
    }

    static List<float[]> stored(ReplayBuffer rb) {
        List<float[]> out = new ArrayList<>();
        float[] s = new float[1], a = new float[1], r = new float[1], term = new float[1], s2 = new float[1];
        for (int j = 0; j < rb.size(); j++) {
            rb.copy(j, 0, s, a, r, term, s2);
            out.add(new float[] {s[0], a[0], r[0], s2[0], 1f - term[0]});
        }
        return out;
    }

    @Property(tries = 200)
    void storedTransitionsAreTheNaiveNStepOnes(@ForAll @IntRange(min = 2, max = 5) int n, @ForAll @IntRange(min = 1, max = 60) int count,
                                               @ForAll long seed) {
        double gamma = 0.9;
        List<Step> steps = steps(seed, count);
        ReplayBuffer rb = new ReplayBuffer(1000, 1, null, n, gamma);
        steps.forEach(s -> add(rb, s));
        List<float[]> want = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            float[] tr = naive(steps, t, n, gamma);
            if (tr != null) want.add(tr);
        }
        List<float[]> got = stored(rb);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            for (int k = 0; k < 5; k++) assertEquals(want.get(i)[k], got.get(i)[k], 1e-5, "transition " + i + " field " + k);
        }
    }

    @Property(tries = 50)
    void aCheckpointKeepsTheOpenWindow(@ForAll @IntRange(min = 2, max = 5) int n, @ForAll @IntRange(min = 1, max = 40) int at,
                                       @ForAll long seed) throws IOException {
        List<Step> steps = steps(seed, 60);
        ReplayBuffer whole = new ReplayBuffer(1000, 1, null, n, 0.9), first = new ReplayBuffer(1000, 1, null, n, 0.9);
        steps.forEach(s -> add(whole, s));
        for (int t = 0; t < at; t++) add(first, steps.get(t));
        Path file = Files.createTempFile("nstep", ".bin");
        try {
            first.save(file);
            ReplayBuffer resumed = new ReplayBuffer(1000, 1, null, n, 0.9);
            resumed.load(file);
            for (int t = at; t < steps.size(); t++) add(resumed, steps.get(t));
            List<float[]> a = stored(whole), b = stored(resumed);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) assertTrue(java.util.Arrays.equals(a.get(i), b.get(i)), "transition " + i);
            ReplayBuffer otherN = new ReplayBuffer(1000, 1, null, n + 1, 0.9), oneStep = new ReplayBuffer(1000, 1);
            assertThrows(IOException.class, () -> otherN.load(file));
            IOException e = assertThrows(IOException.class, () -> oneStep.load(file));
            assertTrue(e.getMessage().contains("n-step transitions; this run's --n-step is 1"), e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 50)
    void truncatingTheEpisodesStoresTheOpenWindowAsATruncation(@ForAll @IntRange(min = 2, max = 5) int n, @ForAll long seed) {
        List<Step> steps = new ArrayList<>(steps(seed, 30));
        Step last = steps.get(steps.size() - 1);
        ReplayBuffer rb = new ReplayBuffer(1000, 1, null, n, 0.9), truncatedAtTheEnd = new ReplayBuffer(1000, 1, null, n, 0.9);
        steps.forEach(s -> add(rb, s));
        rb.truncateEpisodes();
        steps.set(steps.size() - 1, new Step(last.obs(), last.action(), last.reward(), last.next(), last.terminated(), !last.terminated()));
        steps.forEach(s -> add(truncatedAtTheEnd, s));
        List<float[]> a = stored(rb), b = stored(truncatedAtTheEnd);
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) assertTrue(java.util.Arrays.equals(a.get(i), b.get(i)), "transition " + i);
    }
}
