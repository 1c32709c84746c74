package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dqnscratch.nn.Param;

/**
 * {@code --diagnose-every}: what a DQN run's health looks like, written to diagnostics.csv so a
 * collapse can be explained rather than guessed at. Every few thousand steps it draws transitions
 * from the replay (with its own generator, so training follows the same trajectory with or without
 * it) and records the Q-value scale, the TD loss and its gradient norm before clipping, the
 * fraction of hidden ReLUs that are dead on all those states, and how often each action is chosen,
 * by the greedy policy on those states and by the agent while training since the last row.
 * MLPs over flat observations only (CartPole, FrozenLake).
 */
final class TrainingProbe implements AutoCloseable {
    /** Minibatches of the training batch size drawn per row (64 x 16 = 1,024 states by default). */
    private static final int BATCHES = 16;

    private final BufferedWriter csv;
    private final QNetwork online;
    private final DqnUpdate update;
    private final TrainingBatch batch;
    private final GreedyPolicy q;
    private final Rng rng;
    private final int actions, layers;
    private final long[] trainActions;

    TrainingProbe(Path file, QNetwork online, DqnUpdate update, TrainingBatch batch, long seed) throws IOException {
        if (batch.flat == null) throw new IllegalArgumentException("--diagnose-every works on flat observations (CartPole, FrozenLake) only");
        this.online = online;
        this.update = update;
        this.batch = batch;
        this.actions = online.actions();
        // The shared hidden layers (with separate dueling streams the last one is each stream's own: not counted)
        this.layers = online.hidden().length - (online.head().separateStreams() ? 1 : 0);
        this.q = GreedyPolicy.of(online, online.params().backend, batch.a.length);
        this.rng = new Rng(seed ^ 0x5DEECE66DL);
        this.trainActions = new long[actions];
        this.csv = Files.newBufferedWriter(file);
        StringBuilder head = new StringBuilder("global_step,episode,mean_return_10,q_mean,q_max,q_gap,td_loss,grad_norm,weight_norm");
        for (int l = 0; l < layers; l++) head.append(",dead_relu_").append(l + 1);
        for (int a = 0; a < actions; a++) head.append(",greedy_action_").append(a);
        for (int a = 0; a < actions; a++) head.append(",train_action_").append(a);
        csv.write(head.append('\n').toString());
    }

    /** Counts an action the agent took while training (random or greedy). */
    void acted(int action) { trainActions[action]++; }

    /** One row: the network as it is now, on states drawn from the replay. */
    void record(long step, long episode, double meanReturn10) throws IOException {
        if (batch.flat.size() == 0) return;
        var backend = online.params().backend;
        int B = batch.a.length, obs = batch.flat.observationSize;
        List<Param> params = online.params().list();
        float[][] w = new float[layers][], bias = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = backend.toArray(params.get(2 * l).value());
            bias[l] = backend.toArray(params.get(2 * l + 1).value());
        }
        boolean[][] alive = new boolean[layers][];
        for (int l = 0; l < layers; l++) alive[l] = new boolean[bias[l].length];
        long[] greedy = new long[actions];
        double qSum = 0, qMax = Double.NEGATIVE_INFINITY, gapSum = 0, loss = 0, gradNorm = 0;
        for (int k = 0; k < BATCHES; k++) {
            batch.flat.sample(rng, B, batch.s, batch.a, batch.r, batch.term, batch.s2);
            float[] v = q.qValues(batch.s);
            for (int i = 0; i < B; i++) {
                int best = org.dqnscratch.tensor.CpuBackend.argmax(v, i * actions, actions);
                greedy[best]++;
                float hi = v[i * actions + best], lo = hi;
                for (int a = 0; a < actions; a++) lo = Math.min(lo, v[i * actions + a]);
                qSum += hi;
                qMax = Math.max(qMax, hi);
                gapSum += hi - lo;
                markAlive(batch.s, i * obs, obs, w, bias, alive);
            }
            backend.upload(batch.ts, batch.s, 0);
            backend.upload(batch.ta, batch.a, 0);
            backend.upload(batch.tr, batch.r, 0);
            backend.upload(batch.tterm, batch.term, 0);
            backend.upload(batch.ts2, batch.s2, 0);
            loss += update.probe(batch.ts, batch.ta, batch.tr, batch.tterm, batch.ts2);
            gradNorm += norm(backend.toArray(online.params().grads));
        }
        int n = BATCHES * B;
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%.2f,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g", step, episode,
                meanReturn10, qSum / n, qMax, gapSum / n, loss / BATCHES, gradNorm / BATCHES, norm(backend.toArray(online.params().values))));
        for (boolean[] units : alive) {
            int dead = 0;
            for (boolean u : units) if (!u) dead++;
            row.append(String.format(Locale.ROOT, ",%.3f", dead / (double) units.length));
        }
        for (long g : greedy) row.append(String.format(Locale.ROOT, ",%.3f", g / (double) n));
        long taken = 0;
        for (long t : trainActions) taken += t;
        for (long t : trainActions) row.append(String.format(Locale.ROOT, ",%.3f", taken == 0 ? 0 : t / (double) taken));
        java.util.Arrays.fill(trainActions, 0);
        csv.write(row.append('\n').toString());
        csv.flush();
    }

    /** The hidden layers' forward pass on one state (weights [out, in]); a unit with a positive pre-activation is alive. */
    private static void markAlive(float[] x, int off, int size, float[][] w, float[][] bias, boolean[][] alive) {
        float[] in = java.util.Arrays.copyOfRange(x, off, off + size);
        for (int l = 0; l < w.length; l++) {
            float[] out = new float[bias[l].length];
            for (int o = 0; o < out.length; o++) {
                float z = bias[l][o];
                for (int i = 0; i < in.length; i++) z += w[l][o * in.length + i] * in[i];
                if (z > 0) alive[l][o] = true;
                out[o] = Math.max(z, 0);
            }
            in = out;
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    @Override public void close() throws IOException { csv.close(); }
}
