package org.dqnscratch.rl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.random.RandomGenerator;

/**
 * Proportional prioritized replay (Schaul et al. 2016) over the slots of a replay memory: slot i
 * is drawn with probability {@code P(i) = p_i^alpha / sum_k p_k^alpha}, where p_i is
 * {@code |TD error| + eps} from the last gradient step that sampled it, and a new transition gets
 * the largest p seen so far (so it is sampled at least once soon). The loss of a sampled transition
 * is weighted by {@code w_i = (N P(i))^-beta / max_j w_j = (p_i^alpha / min_k p_k^alpha)^-beta},
 * which undoes the sampling's bias as beta goes to 1.
 */
final class Priorities {
    final PriorityTree tree;
    final double alpha, eps;
    /** The largest p = |TD error| + eps seen (1 before any): what a new transition gets. */
    private double maxPriority = 1;

    Priorities(int slots, double alpha, double eps) {
        this.tree = new PriorityTree(slots);
        this.alpha = alpha;
        this.eps = eps;
    }

    /** Slot {@code slot} now holds a new transition. */
    void added(int slot) { tree.set(slot, Math.pow(maxPriority, alpha)); }

    /** Slot {@code slot} holds nothing that may be drawn (evicted, or not yet complete). */
    void removed(int slot) { tree.set(slot, 0); }

    /**
     * Slot {@code slot}'s priority is {@code p} = |TD error| + eps computed elsewhere (an Ape-X actor
     * with its copy of the network), instead of the largest seen.
     */
    void set(int slot, double p) {
        if (!(p > 0 && p < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("priority " + p + " of slot " + slot);
        maxPriority = Math.max(maxPriority, p);
        tree.set(slot, Math.pow(p, alpha));
    }

    /** Draws {@code batch} slots (stratified) into {@code slots}, and their importance weights with exponent {@code beta}. */
    void sample(RandomGenerator rng, int batch, int[] slots, float[] weights, double beta) {
        tree.sample(rng, batch, slots);
        double min = tree.min();
        for (int j = 0; j < batch; j++) weights[j] = (float) Math.pow(tree.get(slots[j]) / min, -beta);
    }

    /** The sampled slots' new priorities from their TD errors (a slot drawn twice keeps the last). */
    void update(int[] slots, float[] tdErrors, int batch) {
        for (int j = 0; j < batch; j++) {
            double p = Math.abs((double) tdErrors[j]) + eps;
            if (!(p < Double.POSITIVE_INFINITY)) throw new IllegalStateException("a TD error of " + tdErrors[j] + " (diverged)");
            maxPriority = Math.max(maxPriority, p);
            tree.set(slots[j], Math.pow(p, alpha));
        }
    }

    /** The priorities of slots 0..{@code slots}-1 and the largest seen: a checkpoint's part of the replay. */
    void save(DataOutputStream out, int slots) throws IOException {
        out.writeDouble(alpha);
        out.writeDouble(maxPriority);
        for (int i = 0; i < slots; i++) out.writeDouble(tree.get(i));
    }

    void load(DataInputStream in, int slots) throws IOException {
        double a = in.readDouble(), max = in.readDouble();
        if (a != alpha) throw new IOException("priorities saved with --per-alpha " + a + ", this run has " + alpha);
        if (!(max >= eps && max < Double.POSITIVE_INFINITY)) throw new IOException("a largest priority of " + max);
        double[] p = new double[slots];
        for (int i = 0; i < slots; i++) {
            p[i] = in.readDouble();
            if (!(p[i] >= 0 && p[i] < Double.POSITIVE_INFINITY)) throw new IOException("priority " + p[i] + " of slot " + i);
        }
        for (int i = 0; i < tree.capacity; i++) tree.set(i, i < slots ? p[i] : 0);
        maxPriority = max;
    }
}
