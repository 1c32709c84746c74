package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The ops of a distributional (C51) Q-network, on log-probabilities [N * A, K] of K atoms per
 * (sample, action): log-softmax, the expected value (Q), the categorical projection of the TD
 * target, and the cross-entropy loss. The network's log-probabilities come from log-softmax rather
 * than softmax then log (CleanRL's c51.py clamps the probabilities to [1e-5, 1 - 1e-5] before its
 * log): the same loss where the clamp does not bite, and a gradient where it would.
 */
public final class Categorical {
    private Categorical() {}

    private static final Op LOG_SOFTMAX = (b, out, inp, unused) -> {
        if (inp.grad != null) b.log_softmax_backward(inp.grad, out.grad, out, out.dim(0), out.dim(1));
    };

    /** log-softmax over the last dimension of {@code logits} [rows, K]. */
    public static Tensor logSoftmax(Graph g, Tensor logits) {
        int rows = logits.dim(0), K = logits.dim(1);
        Tensor out = g.tensor(g.needsGrad(logits), rows, K);
        g.backend.log_softmax_forward(out, logits, rows, K);
        g.record(LOG_SOFTMAX, out, logits, null);
        return out;
    }

    /** Q [N, A] = expected value of each row of {@code logp} [N * A, K] on the support; no gradient. */
    public static Tensor expectation(Graph g, Tensor logp, Support support, int N, int A) {
        Tensor q = g.tensor(false, N, A);
        g.backend.categorical_q_forward(q, logp, support.vMin(), support.vMax(), N * A, support.atoms());
        return q;
    }

    /**
     * The target distribution [N, K] of C51, no gradient: the atoms of {@code logpNext} [N * A, K] at
     * {@code nextAction} moved to r + gamma (1 - terminated) z and projected onto the support.
     */
    public static Tensor projection(Graph g, Tensor logpNext, Tensor nextAction, Tensor reward, Tensor terminated,
                                    float gamma, Support support, int N, int A) {
        int K = support.atoms();
        Tensor m = g.tensor(false, N, K);
        g.backend.categorical_projection(m, logpNext, nextAction, reward, terminated, gamma, support.vMin(), support.vMax(), N, A, K);
        return m;
    }

    /**
     * The cross-entropy loss -sum_j target[n,j] log p(s_n, a_n)_j averaged over the batch, weighted
     * per sample when {@code weight} is not null (prioritized replay). The per-sample losses stay in
     * {@link #perSample}, prioritized replay's new priorities.
     */
    public static final class Loss implements Op {
        private final Tensor weight;
        private final Support support;
        /** The last forward's per-sample losses, and its target: a tape entry holds two inputs (logp, actions), the target is the third. */
        private Tensor perSample, target;

        public Loss(Support support, Tensor weight) {
            this.support = support;
            this.weight = weight;
        }

        /** The mean loss [1] of log-probabilities {@code logp} [N * A, K] at {@code actions} [N] against {@code target} [N, K]. */
        public Tensor forward(Graph g, Tensor logp, Tensor actions, Tensor target) {
            int K = support.atoms(), N = target.dim(0), A = logp.dim(0) / N;
            if (target.dim(1) != K || logp.dim(1) != K || logp.dim(0) != N * A || actions.size != N) {
                throw new IllegalArgumentException("categorical loss of " + logp + " at " + actions + " against " + target);
            }
            if (weight != null && weight.size != N) throw new IllegalArgumentException("weights " + weight + " for " + N + " samples");
            Tensor loss = g.tensor(g.needsGrad(logp), 1);
            perSample = g.tensor(false, N);
            g.backend.categorical_loss_forward(loss, perSample, logp, actions, target, weight, N, A, K);
            g.record(this, loss, logp, actions);
            this.target = target;
            return loss;
        }

        /** The last forward's per-sample cross-entropies [N]. */
        public Tensor perSample() { return perSample; }

        @Override public void backward(Backend b, Tensor loss, Tensor logp, Tensor actions) {
            int K = support.atoms(), N = target.dim(0);
            if (logp.grad != null) b.categorical_loss_backward(logp.grad, loss.grad, actions, target, weight, N, logp.dim(0) / N, K);
        }
    }
}
