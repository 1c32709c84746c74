package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Replay invariants: size, overwrite order, rows sampled whole, only live entries sampled, uniformity. */
class ReplayBufferProperties {
    /** Transition t is encoded in every field, so a sampled row tells which transition it came from. */
    static void addTransition(ReplayBuffer rb, int t, int obsSize) {
        float[] o = new float[obsSize], o2 = new float[obsSize];
        for (int k = 0; k < obsSize; k++) { o[k] = t + k / 100f; o2[k] = -(t + k / 100f); }
        rb.add(o, t % 5, t * 10f, o2, t % 3 == 0);
    }

    @Property(tries = 200)
    void sampledRowsAreWholeTransitionsFromTheLastCapacityAdded(@ForAll @IntRange(min = 1, max = 50) int capacity,
                                                                 @ForAll @IntRange(min = 1, max = 5) int obsSize,
                                                                 @ForAll @IntRange(min = 1, max = 200) int adds,
                                                                 @ForAll @IntRange(min = 1, max = 40) int batch,
                                                                 @ForAll long seed) {
        ReplayBuffer rb = new ReplayBuffer(capacity, obsSize);
        for (int t = 0; t < adds; t++) addTransition(rb, t, obsSize);
        assertEquals(Math.min(adds, capacity), rb.size());
        assertEquals(adds % capacity, rb.nextSlot(), "the next write overwrites the oldest");
        float[] s = new float[batch * obsSize], a = new float[batch], r = new float[batch], term = new float[batch], s2 = new float[batch * obsSize];
        rb.sample(new SplittableRandom(seed), batch, s, a, r, term, s2);
        for (int i = 0; i < batch; i++) {
            int t = Math.round(r[i] / 10f);
            assertTrue(t >= adds - capacity && t < adds, "transition " + t + " is no longer (or never was) in the buffer");
            assertEquals(t % 5, (int) a[i]);
            assertEquals(t % 3 == 0 ? 1f : 0f, term[i]);
            for (int k = 0; k < obsSize; k++) {
                assertEquals(t + k / 100f, s[i * obsSize + k]);
                assertEquals(-(t + k / 100f), s2[i * obsSize + k]);
            }
        }
    }

    @Test
    void samplingIsUniformOverLiveEntries() {
        int capacity = 10, draws = 100_000;
        ReplayBuffer rb = new ReplayBuffer(capacity, 1);
        for (int t = 0; t < 25; t++) addTransition(rb, t, 1);
        int[] counts = new int[25];
        float[] s = new float[1], a = new float[1], r = new float[1], term = new float[1], s2 = new float[1];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < draws; i++) {
            rb.sample(rng, 1, s, a, r, term, s2);
            counts[Math.round(r[0] / 10f)]++;
        }
        for (int t = 0; t < 25; t++) {
            if (t < 15) assertEquals(0, counts[t], "overwritten transition " + t + " sampled");
            else assertEquals(0.1, counts[t] / (double) draws, 0.005, "transition " + t);
        }
    }

    @Test
    void badUseIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(0, 4));
        ReplayBuffer rb = new ReplayBuffer(4, 1);
        assertThrows(IllegalStateException.class, () -> rb.sample(new SplittableRandom(1), 1, new float[1], new float[1], new float[1], new float[1], new float[1]));
    }
}
