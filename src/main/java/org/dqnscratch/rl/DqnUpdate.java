package org.dqnscratch.rl;

import org.dqnscratch.nn.Categorical;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.QOps;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * One DQN gradient step on a sampled batch, all on the backend:
 * <pre>
 *   y    = r + gamma * (1 - terminated) * Q_target(s', argmax_a Q(s', a))    (no gradient)
 *   loss = L(Q_online(s, a), y)
 *   zero grads; backward; clip; optimizer step
 * </pre>
 * where the argmax is taken with the target net (DQN) or the online net (Double DQN). A
 * distributional (C51) pair of networks ({@link Distributional}) learns distributions instead:
 * <pre>
 *   m    = projection of p_target(s', a*) moved to r + gamma * (1 - terminated) z    (no gradient)
 *   loss = mean of -sum_j m_j log p_online(s, a)_j
 * </pre>
 * with a* the argmax of the target's (or, Double DQN, the online network's) expected values.
 * Graphs are kept between calls, so in steady state an update allocates nothing.
 */
public final class DqnUpdate {
    public final Module online, target;
    public final Parameters onlineParams, targetParams;
    private final Optimizer optimizer;
    /** The TD loss of Q values, or null for a distributional pair of networks (then {@link #categorical}). */
    private final Loss loss;
    private final Categorical.Loss categorical;
    private final float gamma;
    private final boolean doubleDqn;
    private final Backend backend;
    private final Graph train, targetPass, onlineNext, qRead;
    private final float[] lossOut = new float[1];
    /** The mean Q(s, a) of the batch whose loss was last read back (CleanRL's losses/q_values); NaN before. */
    private float meanQ = Float.NaN;
    /** C51: the online network's log-probabilities of the last step's batch, whose expected values are its Q(s, a). */
    private Tensor lastLogp, lastActions;
    /** The last step's Q(s, a) and TD targets y, for prioritized replay's TD errors (C51: lastQ holds the per-sample losses). */
    private Tensor lastQ, lastY;
    private float[] qOut = new float[0], yOut = new float[0];

    public DqnUpdate(Module online, Parameters onlineParams, Module target, Parameters targetParams,
                     Optimizer optimizer, Loss loss, float gamma, boolean doubleDqn) {
        this(online, onlineParams, target, targetParams, optimizer, loss, null, gamma, doubleDqn);
    }

    /**
     * The update of a distributional (C51) pair of networks, both {@link Distributional} on the same
     * support, with the cross-entropy weighted per sample by {@code weight} (prioritized replay; may be null).
     */
    public static DqnUpdate categorical(Distributional online, Parameters onlineParams, Distributional target, Parameters targetParams,
                                        Optimizer optimizer, Tensor weight, float gamma, boolean doubleDqn) {
        if (!online.support.equals(target.support) || online.actions != target.actions) {
            throw new IllegalArgumentException("online and target networks differ: " + online.support + " vs " + target.support);
        }
        return new DqnUpdate(online, onlineParams, target, targetParams, optimizer, null, new Categorical.Loss(online.support, weight), gamma, doubleDqn);
    }

    private DqnUpdate(Module online, Parameters onlineParams, Module target, Parameters targetParams,
                      Optimizer optimizer, Loss loss, Categorical.Loss categorical, float gamma, boolean doubleDqn) {
        this.categorical = categorical;
        this.online = online;
        this.target = target;
        this.onlineParams = onlineParams;
        this.targetParams = targetParams;
        this.optimizer = optimizer;
        this.loss = loss;
        this.gamma = gamma;
        this.doubleDqn = doubleDqn;
        this.backend = onlineParams.backend;
        this.train = Graph.training(backend);
        this.targetPass = Graph.borrowing(train); // borrows only when the target is the online network itself
        this.onlineNext = Graph.borrowing(train); // noisy layers: the weights of the training pass on s, computed once
        this.qRead = Graph.inference(backend);
    }

    /**
     * Runs one update on a batch already on the backend ({@code actions} as floats).
     * Returns the loss when {@code readLoss} (one float copied back, and the batch's Q(s, a), see
     * {@link #meanQ}), else NaN.
     */
    public float step(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext, boolean readLoss) {
        return step(s, actions, reward, terminated, sNext, readLoss, null);
    }

    /**
     * As above; with {@code tdErrors} not null, also the TD errors {@code Q(s, a) - y} of the batch
     * (before this step's optimizer step), for prioritized replay: two reads of [B] floats, a wait for
     * the device on a GPU at every gradient step. A distributional update gives each sample's
     * cross-entropy instead (Rainbow's priority), one read.
     */
    public float step(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext, boolean readLoss, float[] tdErrors) {
        if (beforeStep != null) beforeStep.run();
        Tensor l = lossAndGradient(s, actions, reward, terminated, sNext);
        if (tdErrors != null) tdErrors(tdErrors);
        optimizer.step();
        if (!readLoss) return Float.NaN;
        backend.download(lossOut, 0, l);
        meanQ = readMeanQ(tdErrors != null);
        return lossOut[0];
    }

    /**
     * The mean of Q(s, a) over the batch of the last step that read its loss, before that step's
     * optimizer step (CleanRL's {@code losses/q_values}: {@code old_val.mean()}); for a distributional
     * network the expected values of its distributions. NaN before any.
     */
    public float meanQ() { return meanQ; }

    /** Reads back the B values of Q(s, a) (already there when the TD errors were read) and averages them. */
    private float readMeanQ(boolean qAlreadyRead) {
        Tensor q = lastQ;
        if (lastY == null) { // C51: lastQ holds the per-sample losses; the Q values are the expectations of lastLogp
            Distributional on = (Distributional) online;
            int N = lastActions.size;
            this.qRead.reset();
            q = QOps.gather(this.qRead, Categorical.expectation(this.qRead, lastLogp, on.support, N, on.actions), lastActions);
            qAlreadyRead = false;
        }
        int n = q.size;
        if (qOut.length != n) {
            qOut = new float[n];
            yOut = new float[n];
            qAlreadyRead = false;
        }
        if (!qAlreadyRead) backend.download(qOut, 0, q);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += qOut[i];
        return (float) (sum / n);
    }

    /**
     * The TD loss of a batch and its gradient in {@code onlineParams.grads} (before clipping), without
     * an optimizer step: what {@link TrainingProbe} inspects. The next {@link #step} zeroes the gradient again.
     */
    public float probe(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext) {
        Tensor l = lossAndGradient(s, actions, reward, terminated, sNext);
        backend.download(lossOut, 0, l);
        return lossOut[0];
    }

    private void tdErrors(float[] out) {
        int n = lastQ.size;
        if (lastY == null) { // C51: the per-sample losses
            backend.download(out, 0, lastQ);
            return;
        }
        if (qOut.length != n) {
            qOut = new float[n];
            yOut = new float[n];
        }
        backend.download(qOut, 0, lastQ);
        backend.download(yOut, 0, lastY);
        for (int i = 0; i < n; i++) out[i] = qOut[i] - yOut[i];
    }

    private Tensor lossAndGradient(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext) {
        return categorical != null ? categoricalLoss(s, actions, reward, terminated, sNext) : tdLoss(s, actions, reward, terminated, sNext);
    }

    private Tensor categoricalLoss(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext) {
        Distributional on = (Distributional) online, tg = (Distributional) target;
        int N = actions.size, A = on.actions;
        train.reset();
        lastLogp = on.logProbs(train, s); // first: the pass on s' below borrows its noisy weights
        targetPass.reset();
        Tensor logpNext = tg.logProbs(targetPass, sNext);
        Tensor qNext;
        if (doubleDqn) {
            onlineNext.reset();
            qNext = on.forward(onlineNext, sNext);
        } else {
            qNext = Categorical.expectation(targetPass, logpNext, tg.support, N, A);
        }
        Tensor m = Categorical.projection(targetPass, logpNext, QOps.argmax(targetPass, qNext), reward, terminated, gamma, tg.support, N, A);

        lastActions = actions;
        Tensor l = categorical.forward(train, lastLogp, actions, m);
        lastQ = categorical.perSample();
        lastY = null;
        optimizer.zeroGrad();
        train.backward(l);
        return l;
    }

    private Tensor tdLoss(Tensor s, Tensor actions, Tensor reward, Tensor terminated, Tensor sNext) {
        train.reset();
        Tensor qAll = online.forward(train, s); // first: the pass on s' below borrows its noisy weights
        targetPass.reset();
        Tensor qNextTarget = target.forward(targetPass, sNext);
        Tensor qNextOnline = null;
        if (doubleDqn) {
            onlineNext.reset();
            qNextOnline = online.forward(onlineNext, sNext);
        }
        Tensor y = QOps.tdTarget(targetPass, qNextTarget, qNextOnline, reward, terminated, gamma);

        Tensor q = QOps.gather(train, qAll, actions);
        lastQ = q;
        lastY = y;
        Tensor l = loss.forward(train, q, y);
        optimizer.zeroGrad();
        train.backward(l);
        return l;
    }

    /** Target network update: tau = 1 is the hard copy of DQN, tau < 1 Polyak averaging. */
    public void syncTarget(float tau) { targetParams.updateFrom(onlineParams, tau); }

    public Optimizer optimizer() { return optimizer; }

    // ---- noisy nets (issue 21) ------------------------------------------------------------------

    private Runnable beforeStep;

    /** Runs {@code r} at the start of every {@link #step} (a noisy run redraws its networks' noise there); null: nothing. */
    public void beforeEachStep(Runnable r) { beforeStep = r; }
}
