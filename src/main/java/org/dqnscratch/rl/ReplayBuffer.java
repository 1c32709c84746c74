package org.dqnscratch.rl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;
import org.dqnscratch.io.AtomicFiles;

/**
 * Uniform experience replay: a ring buffer over primitive arrays. When full, the oldest
 * transition is overwritten. {@link #sample} fills caller-owned batch arrays, so steady-state
 * training allocates nothing here. With n-step returns (n > 1) the transitions stored are n-step
 * ones, made by an {@link NStepWindow} from the steps added, each with its own discount (g^k, or 0
 * after a termination); a sample's {@code term} is then 1 - that discount, for a TD target with gamma 1.
 */
public final class ReplayBuffer implements Replay {
    private static final long MAGIC = 0x44514E464C415452L; // "DQNFLATR"
    private static final long MAGIC_NSTEP = 0x44514E464C41544EL; // "DQNFLATN": with discounts and the n-step window
    public final int capacity, observationSize;
    private final float[] obs, nextObs, rewards;
    private final int[] actions;
    private final boolean[] terminated;
    private int next, size;
    /** Prioritized replay's priorities per slot; null: uniform sampling. */
    final Priorities priorities;
    /** With n-step returns: the steps not yet stored, and each stored transition's discount (else both null). */
    private final NStepWindow window;
    private final float[] discounts;

    public ReplayBuffer(int capacity, int observationSize) { this(capacity, observationSize, null); }

    /** With {@code priorities} (one per slot): {@link #samplePrioritized}. */
    ReplayBuffer(int capacity, int observationSize, Priorities priorities) { this(capacity, observationSize, priorities, 1, 1); }

    /** Uniform, with {@code nStep} > 1 n-step returns discounted by {@code gamma}. */
    public ReplayBuffer(int capacity, int observationSize, int nStep, double gamma) { this(capacity, observationSize, null, nStep, gamma); }

    /** With {@code nStep} > 1, n-step returns discounted by {@code gamma}. */
    ReplayBuffer(int capacity, int observationSize, Priorities priorities, int nStep, double gamma) {
        if (capacity < 1) throw new IllegalArgumentException("replay capacity must be >= 1, got " + capacity);
        if ((long) capacity * observationSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("replay of " + capacity + " x " + observationSize + " floats is too large");
        }
        this.capacity = capacity;
        this.observationSize = observationSize;
        this.obs = new float[capacity * observationSize];
        this.nextObs = new float[capacity * observationSize];
        this.rewards = new float[capacity];
        this.actions = new int[capacity];
        this.terminated = new boolean[capacity];
        this.priorities = priorities;
        this.window = nStep > 1 ? new NStepWindow(nStep, gamma, observationSize) : null;
        this.discounts = nStep > 1 ? new float[capacity] : null;
        if (priorities != null && priorities.tree.capacity != capacity) throw new IllegalArgumentException("priorities for " + priorities.tree.capacity + " slots");
    }

    /** Stores one transition; {@code terminated} (not truncated) marks a terminal next state. A 1-step replay's only. */
    public void add(float[] observation, int action, float reward, float[] nextObservation, boolean terminated) {
        if (window != null) throw new IllegalStateException("an n-step replay needs to know where episodes are truncated: add(..., truncated)");
        store(observation, 0, action, reward, nextObservation, terminated ? 0f : 1f);
    }

    /**
     * One environment step; {@code terminated} marks a terminal next state, {@code truncated} an
     * episode cut short (a time limit: the state still bootstraps). With n-step returns it is
     * stored once its n-step return is known.
     */
    public void add(float[] observation, int action, float reward, float[] nextObservation, boolean terminated, boolean truncated) {
        if (window == null) store(observation, 0, action, reward, nextObservation, terminated ? 0f : 1f);
        else window.add(observation, action, reward, nextObservation, terminated, truncated, this::store);
    }

    /**
     * Stores a transition made elsewhere (an Ape-X actor's, see {@link NStepWindow}) with its priority:
     * observations at offsets, {@code discount} as this replay keeps it (1-step: 1, or 0 at a
     * termination; n-step: g^k, or 0), {@code priority} = |TD error| + eps (prioritized replay only).
     */
    public void add(float[] observation, int obsOffset, int action, float reward, float[] nextObservation, int nextOffset, float discount,
                    double priority) {
        int slot = next;
        store(observation, obsOffset, action, reward, nextObservation, nextOffset, discount);
        if (priorities != null) priorities.set(slot, priority);
    }

    /** Stores a transition; discount 0 is a terminal next state. */
    private void store(float[] observation, int obsOffset, int action, float reward, float[] nextObservation, float discount) {
        store(observation, obsOffset, action, reward, nextObservation, 0, discount);
    }

    private void store(float[] observation, int obsOffset, int action, float reward, float[] nextObservation, int nextOffset, float discount) {
        System.arraycopy(observation, obsOffset, obs, next * observationSize, observationSize);
        System.arraycopy(nextObservation, nextOffset, nextObs, next * observationSize, observationSize);
        actions[next] = action;
        rewards[next] = reward;
        this.terminated[next] = discount == 0f;
        if (discounts != null) discounts[next] = discount;
        if (priorities != null) priorities.added(next);
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    /** With n-step returns, the steps of the episode under way are stored as if it were truncated there. */
    @Override public void truncateEpisodes() {
        if (window != null) window.truncate(this::store);
    }

    public int size() { return size; }

    /** The slot the next {@link #add} writes (the oldest entry once full). */
    int nextSlot() { return next; }

    /**
     * Draws {@code batch} indices uniformly with replacement and gathers them into
     * {@code s [batch*obs]}, {@code a}, {@code r}, {@code term} (1 terminal, 0 not) and {@code s2}.
     */
    public void sample(RandomGenerator rng, int batch, float[] s, float[] a, float[] r, float[] term, float[] s2) {
        if (size == 0) throw new IllegalStateException("sample from an empty replay buffer");
        for (int i = 0; i < batch; i++) {
            int j = rng.nextInt(size);
            copy(j, i, s, a, r, term, s2);
        }
    }

    /** Writes the whole buffer (ring position included) to a file atomically; a checkpoint's replay. */
    @Override public void save(Path file) throws IOException {
        AtomicFiles.write(file, o -> {
            DataOutputStream d = new DataOutputStream(new BufferedOutputStream(o, 1 << 16));
            d.writeLong(window == null ? MAGIC : MAGIC_NSTEP);
            d.writeInt(capacity);
            d.writeInt(observationSize);
            d.writeInt(next);
            d.writeInt(size);
            for (int i = 0; i < size; i++) { // only the filled slots: a young replay saves small
                for (int k = 0; k < observationSize; k++) d.writeFloat(obs[i * observationSize + k]);
                for (int k = 0; k < observationSize; k++) d.writeFloat(nextObs[i * observationSize + k]);
                d.writeInt(actions[i]);
                d.writeFloat(rewards[i]);
                d.writeBoolean(terminated[i]);
                if (discounts != null) d.writeFloat(discounts[i]);
            }
            d.writeBoolean(priorities != null);
            if (priorities != null) priorities.save(d, size);
            if (window != null) {
                d.writeInt(window.n);
                window.save(d);
            }
            d.flush(); // into o, which AtomicFiles syncs and closes
        });
    }

    /** Reads a file written by {@link #save} from a buffer of the same shape; on failure this buffer is left empty. */
    @Override public void load(Path file) throws IOException {
        try (DataInputStream d = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            long magic = d.readLong();
            if (magic != MAGIC && magic != MAGIC_NSTEP) throw new IOException(file + " is not a replay file");
            if ((magic == MAGIC_NSTEP) != (window != null)) {
                throw new IOException(file + " holds a replay of " + (magic == MAGIC ? "1-step" : "n-step") + " transitions; this run's --n-step is "
                        + (window == null ? 1 : window.n));
            }
            int cap = d.readInt(), os = d.readInt(), nx = d.readInt(), sz = d.readInt();
            if (cap != capacity || os != observationSize) {
                throw new IOException(file + " holds a replay of capacity " + cap + " x " + os + "; expected " + capacity + " x " + observationSize);
            }
            if (sz < 0 || sz > capacity || nx < 0 || nx >= capacity || sz < capacity && nx != sz % capacity) {
                throw new IOException(file + " has inconsistent counters (next " + nx + ", size " + sz + ")");
            }
            size = 0; // empty until the whole file has been read
            for (int i = 0; i < sz; i++) {
                for (int k = 0; k < observationSize; k++) obs[i * observationSize + k] = d.readFloat();
                for (int k = 0; k < observationSize; k++) nextObs[i * observationSize + k] = d.readFloat();
                actions[i] = d.readInt();
                rewards[i] = d.readFloat();
                terminated[i] = d.readBoolean();
                if (discounts != null) discounts[i] = d.readFloat();
            }
            boolean prioritized = d.readBoolean();
            if (prioritized != (priorities != null)) {
                throw new IOException(file + " holds a " + (prioritized ? "prioritized" : "uniform") + " replay; this run's is " + (prioritized ? "uniform" : "prioritized (--per)"));
            }
            if (prioritized) priorities.load(d, sz);
            if (window != null) {
                int n = d.readInt();
                if (n != window.n) throw new IOException(file + " holds " + n + "-step transitions; this run's --n-step is " + window.n);
                window.load(d, file.toString());
            }
            if (d.read() != -1) throw new IOException(file + " has data after the replay");
            next = nx;
            size = sz;
        } catch (EOFException e) {
            next = size = 0;
            throw new IOException(file + " is truncated");
        } catch (IOException e) {
            next = size = 0;
            throw e;
        }
    }

    /**
     * Prioritized: draws {@code batch} slots in proportion to their priorities (stratified) into
     * {@code slots} and gathers them as {@link #sample} does, with their importance weights
     * (exponent {@code beta}) in {@code weights}.
     */
    void samplePrioritized(RandomGenerator rng, int batch, float[] s, float[] a, float[] r, float[] term, float[] s2, int[] slots,
                           float[] weights, double beta) {
        if (size == 0) throw new IllegalStateException("sample from an empty replay buffer");
        priorities.sample(rng, batch, slots, weights, beta);
        for (int i = 0; i < batch; i++) copy(slots[i], i, s, a, r, term, s2);
    }

    /** Copies stored transition {@code j} into batch row {@code i}. */
    void copy(int j, int i, float[] s, float[] a, float[] r, float[] term, float[] s2) {
        System.arraycopy(obs, j * observationSize, s, i * observationSize, observationSize);
        System.arraycopy(nextObs, j * observationSize, s2, i * observationSize, observationSize);
        a[i] = actions[j];
        r[i] = rewards[j];
        term[i] = discounts != null ? 1f - discounts[j] : terminated[j] ? 1f : 0f;
    }
}
