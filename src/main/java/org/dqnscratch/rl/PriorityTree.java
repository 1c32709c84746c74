package org.dqnscratch.rl;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The index of proportional prioritized replay (Schaul et al. 2016): a sum tree and a min tree
 * over one priority per replay slot. Setting a priority, the total, the smallest priority and
 * finding the slot at a point of the cumulative sum are O(log N) and allocate nothing.
 *
 * <p>Layout: a complete binary tree in an array, node 1 the root, node k's children 2k and 2k+1,
 * the leaves at {@code leaves + i} ({@code leaves} the capacity rounded up to a power of two).
 * Sums are doubles: over a million leaves a float sum loses the small priorities' mass. A leaf
 * that was never set holds 0 in the sum tree and +infinity in the min tree, so it is never drawn
 * and never the minimum.
 */
final class PriorityTree {
    final int capacity;
    private final int leaves;
    private final double[] sum, min;

    PriorityTree(int capacity) {
        if (capacity < 1 || capacity > 1 << 30) throw new IllegalArgumentException("a priority tree of " + capacity + " slots");
        this.capacity = capacity;
        this.leaves = Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1;
        this.sum = new double[2 * leaves];
        this.min = new double[2 * leaves];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
    }

    /** Sets slot {@code i}'s priority ({@code p} > 0 and finite; 0 removes the slot from sampling). */
    void set(int i, double p) {
        if (i < 0 || i >= capacity) throw new IndexOutOfBoundsException("slot " + i + " of " + capacity);
        if (!(p >= 0 && p < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("priority " + p + " of slot " + i);
        int k = leaves + i;
        sum[k] = p;
        min[k] = p > 0 ? p : Double.POSITIVE_INFINITY;
        for (k >>= 1; k >= 1; k >>= 1) {
            sum[k] = sum[2 * k] + sum[2 * k + 1];
            min[k] = Math.min(min[2 * k], min[2 * k + 1]);
        }
    }

    double get(int i) { return sum[leaves + i]; }

    /** The sum of all priorities. */
    double total() { return sum[1]; }

    /** The smallest priority set (> 0); +infinity when none is. */
    double min() { return min[1]; }

    /**
     * The slot whose share of the cumulative sum holds {@code mass}: slot i with
     * {@code prefix(i) <= mass < prefix(i) + p_i}, for {@code 0 <= mass < total()}. Rounding can put a
     * mass at the very end past the last positive slot; the descent never enters a subtree of sum 0,
     * so the slot returned always has a positive priority.
     */
    int find(double mass) {
        if (!(sum[1] > 0)) throw new IllegalStateException("no priority is set");
        int k = 1;
        while (k < leaves) {
            int left = 2 * k;
            if (mass < sum[left] || sum[left + 1] <= 0) {
                k = left;
            } else {
                mass -= sum[left];
                k = left + 1;
            }
        }
        return k - leaves;
    }

    /**
     * Stratified sampling: {@code out[j]} is drawn from the j-th of {@code batch} equal segments of
     * the total (as Schaul et al. and Dopamine do), so a batch spreads over the whole distribution.
     */
    void sample(RandomGenerator rng, int batch, int[] out) {
        double total = sum[1], segment = total / batch;
        for (int j = 0; j < batch; j++) {
            double mass = (j + rng.nextDouble()) * segment;
            out[j] = find(Math.min(mass, Math.nextDown(total)));
        }
    }
}
