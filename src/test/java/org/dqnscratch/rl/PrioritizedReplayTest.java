package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.dqnscratch.env.Rng;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prioritized replay over the flat replay: weights against the paper's formula computed naively, new transitions, alpha 0, checkpoints. */
class PrioritizedReplayTest {
    static ReplayBuffer buffer(int capacity, double alpha) { return new ReplayBuffer(capacity, 2, new Priorities(capacity, alpha, 1e-6)); }

    static void add(ReplayBuffer rb, int t) { rb.add(new float[] {t, 0}, t % 2, t, new float[] {t, 1}, false); }

    /** w_i = (N P(i))^-beta / max_j (N P(j))^-beta with P(i) = p_i^alpha / sum_k p_k^alpha, over the N stored transitions. */
    @Property(tries = 200)
    void weightsAreThePapersFormula(@ForAll @IntRange(min = 1, max = 60) int capacity, @ForAll @IntRange(min = 1, max = 150) int adds,
                                    @ForAll @DoubleRange(min = 0, max = 1) double alpha, @ForAll @DoubleRange(min = 0, max = 1) double beta,
                                    @ForAll long seed) {
        ReplayBuffer rb = buffer(capacity, alpha);
        Rng rng = new Rng(seed);
        double[] p = new double[capacity];
        double largest = 1; // a new transition gets the largest |TD error| + eps seen, 1 before any
        int[] slot = new int[1];
        for (int t = 0; t < adds; t++) {
            add(rb, t);
            p[t % capacity] = largest;
            if (rng.nextBoolean()) { // a gradient step sampled some stored transition: |TD error| + eps
                int at = rng.nextInt(Math.min(t + 1, capacity));
                float td = (float) (rng.nextDouble() * 3 - 1.5);
                slot[0] = at;
                rb.priorities.update(slot, new float[] {td}, 1);
                p[at] = Math.abs((double) td) + 1e-6;
                largest = Math.max(largest, p[at]);
            }
        }
        int n = rb.size(), B = 16;
        double sum = 0, maxW = 0;
        for (int i = 0; i < n; i++) sum += Math.pow(p[i], alpha);
        for (int i = 0; i < n; i++) maxW = Math.max(maxW, Math.pow(n * Math.pow(p[i], alpha) / sum, -beta));
        float[] s = new float[2 * B], a = new float[B], r = new float[B], term = new float[B], s2 = new float[2 * B], w = new float[B];
        int[] slots = new int[B];
        rb.samplePrioritized(rng, B, s, a, r, term, s2, slots, w, beta);
        for (int j = 0; j < B; j++) {
            int i = slots[j];
            assertTrue(i >= 0 && i < n, "slot " + i + " of " + n + " stored");
            assertEquals(i, (int) s[2 * j] % capacity, "the row is the sampled slot's transition");
            double expected = Math.pow(n * Math.pow(p[i], alpha) / sum, -beta) / maxW;
            assertEquals(expected, w[j], 2e-6 * Math.max(1, expected), "weight of slot " + i);
        }
    }

    /** The largest priority seen is what a new transition gets. */
    @Test
    void newTransitionsGetTheLargestPrioritySeen() {
        ReplayBuffer rb = buffer(8, 0.5);
        for (int t = 0; t < 3; t++) add(rb, t);
        assertEquals(1.0, rb.priorities.tree.get(2));
        rb.priorities.update(new int[] {0, 1}, new float[] {-3f, 0.5f}, 2);
        add(rb, 3);
        assertEquals(Math.sqrt(3 + 1e-6), rb.priorities.tree.get(3), 1e-12);
        assertEquals(Math.sqrt(0.5 + 1e-6), rb.priorities.tree.get(1), 1e-12);
    }

    /** Alpha 0: every stored transition is equally likely (chi-square over 64,000 draws) and every weight is 1, whatever the TD errors. */
    @Test
    void alphaZeroIsUniform() {
        int n = 50;
        ReplayBuffer rb = buffer(64, 0);
        for (int t = 0; t < n; t++) add(rb, t);
        Rng rng = new Rng(7);
        int B = 32;
        int[] slots = new int[B];
        float[] s = new float[2 * B], a = new float[B], r = new float[B], term = new float[B], s2 = new float[2 * B], w = new float[B], td = new float[B];
        long[] count = new long[n];
        for (int round = 0; round < 2000; round++) {
            rb.samplePrioritized(rng, B, s, a, r, term, s2, slots, w, 0.7);
            for (int j = 0; j < B; j++) {
                count[slots[j]]++;
                assertEquals(1f, w[j]);
                td[j] = (float) rng.nextGaussian() * 10;
            }
            rb.priorities.update(slots, td, B);
        }
        double expected = 2000.0 * B / n, chi2 = 0;
        for (long c : count) chi2 += (c - expected) * (c - expected) / expected;
        assertTrue(chi2 < 95, "chi-square " + chi2 + " over 49 degrees of freedom"); // P(chi2 > 95) ~ 1e-4
    }

    /** A checkpoint keeps the priorities and the largest seen; a uniform run cannot load a prioritized replay, nor the reverse. */
    @Test
    void prioritiesSurviveACheckpoint(@TempDir Path dir) throws IOException {
        ReplayBuffer rb = buffer(16, 0.6);
        for (int t = 0; t < 20; t++) add(rb, t);
        rb.priorities.update(new int[] {3, 9}, new float[] {2f, -0.25f}, 2);
        rb.save(dir.resolve("r.bin"));
        ReplayBuffer back = buffer(16, 0.6);
        back.load(dir.resolve("r.bin"));
        for (int i = 0; i < 16; i++) assertEquals(rb.priorities.tree.get(i), back.priorities.tree.get(i));
        add(back, 20);
        assertEquals(Math.pow(2 + 1e-6, 0.6), back.priorities.tree.get(4), 1e-12, "the largest priority seen came back too");
        IOException e = assertThrows(IOException.class, () -> new ReplayBuffer(16, 2).load(dir.resolve("r.bin")));
        assertTrue(e.getMessage().contains("holds a prioritized replay; this run's is uniform"), e.getMessage());
        assertThrows(IOException.class, () -> buffer(16, 0.5).load(dir.resolve("r.bin")), "another --per-alpha");
    }

    @Test
    void betaRisesToOneAtTheEnd() {
        DqnConfig c = new DqnConfig();
        c.perBeta = 0.4;
        c.totalSteps = 1000;
        assertEquals(0.4, c.perBetaAt(0));
        assertEquals(0.7, c.perBetaAt(500), 1e-12);
        assertEquals(1.0, c.perBetaAt(1000));
        assertEquals(1.0, c.perBetaAt(5000));
    }
}
