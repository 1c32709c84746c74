package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dqnscratch.env.Rng;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The prioritized replay's sum and min trees against naive sums, minima and prefix searches; sampling frequencies. */
class PriorityTreeProperties {
    /** Random sets (some to 0) over a tree of any capacity: total, min and find agree with a plain array. */
    @Property(tries = 300)
    void totalMinAndFindAgreeWithTheLeaves(@ForAll @IntRange(min = 1, max = 300) int capacity, @ForAll @IntRange(min = 1, max = 600) int sets,
                                          @ForAll long seed) {
        PriorityTree tree = new PriorityTree(capacity);
        double[] p = new double[capacity];
        Rng rng = new Rng(seed);
        for (int n = 0; n < sets; n++) {
            int i = rng.nextInt(capacity);
            p[i] = rng.nextInt(8) == 0 ? 0 : Math.pow(10, rng.nextDouble() * 13 - 9); // 1e-9..1e4: small terms lost in large sums
            tree.set(i, p[i]);
        }
        double total = 0, min = Double.POSITIVE_INFINITY;
        for (double x : p) {
            total += x;
            if (x > 0) min = Math.min(min, x);
        }
        assertEquals(total, tree.total(), 1e-12 * total);
        assertEquals(min, tree.min());
        for (int i = 0; i < capacity; i++) assertEquals(p[i], tree.get(i));
        if (total == 0) {
            assertThrows(IllegalStateException.class, () -> tree.find(0));
            return;
        }
        // At each slot's start and just inside its end, find returns that slot; a mass past the end, the last positive slot.
        // The tree adds pairwise, this loop left to right: their prefixes differ by rounding of up to ~capacity ulps of
        // the total (CI once drew a 1e-4 slot after 1e5 of mass: 1e-6 of that slot is below one ulp of the prefix). So the test
        // points stay that bound inside the slot; a slot thinner than the bound need only be found within the bound.
        double rounding = 1e-12 * total;
        double prefix = 0;
        int last = -1;
        for (int i = 0; i < capacity; i++) {
            if (p[i] > 4 * rounding) {
                double inside = Math.max(p[i] * 1e-6, rounding);
                assertEquals(i, tree.find(prefix + inside), "start of slot " + i);
                assertEquals(i, tree.find(prefix + p[i] - inside), "end of slot " + i);
            } else if (p[i] > 0) {
                double mass = prefix + p[i] / 2;
                int found = tree.find(mass);
                double start = 0;
                for (int j = 0; j < found; j++) start += p[j];
                assertTrue(p[found] > 0 && start <= mass + rounding && start + p[found] >= mass - rounding,
                        "thin slot " + i + " found as slot " + found);
            }
            if (p[i] > 0) last = i;
            prefix += p[i];
        }
        assertEquals(last, tree.find(Math.nextDown(tree.total())));
        assertEquals(last, tree.find(tree.total() * 1.0000001), "rounding past the total lands on a positive slot");
    }

    /** A stratified batch takes one slot from each of its equal segments of the total. */
    @Property(tries = 100)
    void stratifiedSamplesFallInTheirSegments(@ForAll @IntRange(min = 1, max = 200) int capacity, @ForAll @IntRange(min = 1, max = 64) int batch,
                                              @ForAll long seed) {
        PriorityTree tree = new PriorityTree(capacity);
        Rng rng = new Rng(seed);
        double[] start = new double[capacity + 1];
        for (int i = 0; i < capacity; i++) {
            double p = 0.1 + rng.nextDouble();
            tree.set(i, p);
            start[i + 1] = start[i] + p;
        }
        int[] out = new int[batch];
        tree.sample(rng, batch, out);
        double segment = tree.total() / batch;
        for (int j = 0; j < batch; j++) {
            int i = out[j];
            // slot i spans [start[i], start[i+1]); it must overlap segment j
            assertTrue(start[i + 1] > j * segment * (1 - 1e-9) && start[i] < (j + 1) * segment * (1 + 1e-9),
                    "sample " + j + " (slot " + i + ") outside its segment");
        }
    }

    /** Sampling frequencies follow P(i) = p_i / total: a chi-square test over 200,000 draws (p ~ 1e-6 of a false alarm). */
    @Test
    void drawsFollowThePriorities() {
        int n = 37;
        PriorityTree tree = new PriorityTree(n);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) tree.set(i, p[i] = i % 5 == 4 ? 0 : 1 + i % 7);
        Rng rng = new Rng(2016);
        long[] count = new long[n];
        int draws = 200_000, batch = 32;
        int[] out = new int[batch];
        for (int d = 0; d < draws; d += batch) {
            tree.sample(rng, batch, out);
            for (int i : out) count[i]++;
        }
        double chi2 = 0;
        int dof = -1;
        long total = draws / batch * batch;
        for (int i = 0; i < n; i++) {
            if (p[i] == 0) {
                assertEquals(0, count[i], "slot " + i + " has priority 0");
                continue;
            }
            double expected = total * p[i] / tree.total();
            chi2 += (count[i] - expected) * (count[i] - expected) / expected;
            dof++;
        }
        // 29 degrees of freedom: P(chi2 > 70) ~ 3e-5. Stratification makes the counts tighter than multinomial, not looser.
        assertTrue(chi2 < 70, "chi-square " + chi2 + " over " + dof + " degrees of freedom");
    }

    @Test
    void badSlotsAndPrioritiesAreRefused() {
        PriorityTree tree = new PriorityTree(5);
        assertThrows(IndexOutOfBoundsException.class, () -> tree.set(5, 1));
        assertThrows(IllegalArgumentException.class, () -> tree.set(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> tree.set(0, -1));
        assertThrows(IllegalArgumentException.class, () -> tree.set(0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new PriorityTree(0));
    }
}
