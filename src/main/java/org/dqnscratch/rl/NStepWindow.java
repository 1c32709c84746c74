package org.dqnscratch.rl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The last up to n transitions of the episode under way, not yet stored, for n-step returns on a
 * flat replay (SB3's and CleanRL's n-step buffers): once n are held, the oldest leaves as the n-step
 * transition (s_t, a_t, r_t + g r_t+1 + ... + g^(n-1) r_t+n-1, s_t+n) with discount g^n; at an
 * episode's end every one held leaves with the rewards up to the end, discount g^k for the k rewards
 * summed after a truncation (the state still bootstraps) and 0 after a termination.
 */
public final class NStepWindow {
    /** Where a finished n-step transition goes. */
    public interface Sink {
        void store(float[] obs, int obsOffset, int action, float reward, float[] nextObservation, float discount);
    }

    final int n;
    private final double gamma;
    private final int observationSize;
    private final float[] obs, rewards, lastNext;
    private final int[] actions;
    /** Index of the oldest held transition in the ring of n, and how many are held. */
    private int first, count;

    public NStepWindow(int n, double gamma, int observationSize) {
        if (n < 2) throw new IllegalArgumentException("an n-step window needs n >= 2, got " + n);
        this.n = n;
        this.gamma = gamma;
        this.observationSize = observationSize;
        this.obs = new float[n * observationSize];
        this.rewards = new float[n];
        this.actions = new int[n];
        this.lastNext = new float[observationSize];
    }

    /** Takes one environment step; hands the n-step transitions it completes to {@code sink}. */
    public void add(float[] observation, int action, float reward, float[] nextObservation, boolean terminated, boolean truncated, Sink sink) {
        int at = (first + count) % n;
        System.arraycopy(observation, 0, obs, at * observationSize, observationSize);
        actions[at] = action;
        rewards[at] = reward;
        count++;
        System.arraycopy(nextObservation, 0, lastNext, 0, observationSize);
        if (terminated || truncated) {
            while (count > 0) emitOldest(nextObservation, terminated, sink);
        } else if (count == n) {
            emitOldest(nextObservation, false, sink);
        }
    }

    /** Ends the episode under way as a truncation at its last state (a resume whose environments start new episodes). */
    void truncate(Sink sink) {
        while (count > 0) emitOldest(lastNext, false, sink);
    }

    int held() { return count; }

    private void emitOldest(float[] next, boolean terminated, Sink sink) {
        double ret = 0, g = 1;
        for (int k = 0; k < count; k++) {
            ret += g * rewards[(first + k) % n];
            g *= gamma;
        }
        sink.store(obs, first * observationSize, actions[first], (float) ret, next, terminated ? 0f : (float) g);
        first = (first + 1) % n;
        count--;
    }

    void save(DataOutputStream d) throws IOException {
        d.writeInt(count);
        for (float v : lastNext) d.writeFloat(v);
        for (int k = 0; k < count; k++) {
            int i = (first + k) % n;
            for (int j = 0; j < observationSize; j++) d.writeFloat(obs[i * observationSize + j]);
            d.writeInt(actions[i]);
            d.writeFloat(rewards[i]);
        }
    }

    void load(DataInputStream d, String file) throws IOException {
        int c = d.readInt();
        if (c < 0 || c >= n) throw new IOException(file + ": " + c + " transitions in an n-step window of " + n);
        for (int j = 0; j < observationSize; j++) lastNext[j] = d.readFloat();
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < observationSize; j++) obs[i * observationSize + j] = d.readFloat();
            actions[i] = d.readInt();
            rewards[i] = d.readFloat();
        }
        first = 0;
        count = c;
    }
}
