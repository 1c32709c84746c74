package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * A distributional (C51) Q-network: a body whose last layer gives {@code actions * atoms} logits
 * per sample, read as a categorical distribution of returns over the support for each action.
 * {@link #forward} gives the Q values [N, A] (the distributions' means), so that acting and
 * evaluation treat it as any Q-network; {@link #logProbs} gives what the update trains. Adds no
 * level to parameter names (the body's are CleanRL's {@code network.*} without the prefix).
 */
public final class Distributional implements Module {
    private final Module body;
    public final int actions;
    public final Support support;

    public Distributional(Module body, int actions, Support support) {
        this.body = body;
        this.actions = actions;
        this.support = support;
    }

    /** log p(s, a)_j as [N * actions, atoms], with a gradient on a training graph. */
    public Tensor logProbs(Graph g, Tensor x) {
        Tensor logits = body.forward(g, x);
        int N = x.dim(0), K = support.atoms();
        if (logits.size != N * actions * K) throw new IllegalArgumentException("a C51 body must give " + actions + " x " + K + " logits per sample, got " + logits);
        return Categorical.logSoftmax(g, g.view(logits, N * actions, K));
    }

    /** Q(s, a) = sum_j p(s, a)_j z_j, [N, actions]. */
    @Override public Tensor forward(Graph g, Tensor x) { return Categorical.expectation(g, logProbs(g, x), support, x.dim(0), actions); }

    @Override public void declare(Parameters.Builder params, String prefix) { body.declare(params, prefix); }
}
