package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Mean-reduced regression losses on [N] predictions and targets, PyTorch semantics; optionally
 * weighted per sample ({@link #weightedBy}: prioritized replay's importance weights), as
 * {@code (w * loss(pred, target, reduction='none')).mean()}.
 */
public abstract sealed class Loss implements Op {
    /** Per-sample weights [N] (no gradient), or null. */
    final Tensor weight;

    Loss(Tensor weight) { this.weight = weight; }

    /** nn.MSELoss(). */
    public static Loss mse() { return new Mse(null); }

    /** nn.SmoothL1Loss(beta=beta); beta 1 is the Huber loss with delta 1. */
    public static Loss smoothL1(float beta) { return new SmoothL1(beta, null); }

    /** This loss with sample i weighted by {@code weight[i]}; the tensor is read at each forward and backward, so it can be refilled between steps. */
    public abstract Loss weightedBy(Tensor weight);

    /** Returns a [1] tensor holding the loss; the target takes no gradient. */
    public final Tensor forward(Graph g, Tensor pred, Tensor target) {
        if (pred.size != target.size) throw new IllegalArgumentException("loss of " + pred + " against " + target);
        if (weight != null && weight.size != pred.size) throw new IllegalArgumentException("weights " + weight + " for the loss of " + pred);
        Tensor loss = g.tensor(g.needsGrad(pred), 1);
        compute(g.backend, loss, pred, target);
        g.record(this, loss, pred, target);
        return loss;
    }

    abstract void compute(Backend backend, Tensor loss, Tensor pred, Tensor target);

    public abstract String name();

    static final class Mse extends Loss {
        Mse(Tensor weight) { super(weight); }
        @Override public Loss weightedBy(Tensor w) { return new Mse(w); }
        @Override void compute(Backend b, Tensor loss, Tensor pred, Tensor target) { b.mse_forward(loss, pred, target, weight, pred.size); }
        @Override public void backward(Backend b, Tensor loss, Tensor pred, Tensor target) {
            if (pred.grad != null) b.mse_backward(pred.grad, loss.grad, pred, target, weight, pred.size);
        }
        @Override public String name() { return "mse"; }
    }

    static final class SmoothL1 extends Loss {
        final float beta;
        SmoothL1(float beta, Tensor weight) {
            super(weight);
            if (!(beta > 0)) throw new IllegalArgumentException("SmoothL1 beta must be > 0, got " + beta);
            this.beta = beta;
        }
        @Override public Loss weightedBy(Tensor w) { return new SmoothL1(beta, w); }
        @Override void compute(Backend b, Tensor loss, Tensor pred, Tensor target) {
            b.smooth_l1_forward(loss, pred, target, weight, beta, pred.size);
        }
        @Override public void backward(Backend b, Tensor loss, Tensor pred, Tensor target) {
            if (pred.grad != null) b.smooth_l1_backward(pred.grad, loss.grad, pred, target, weight, beta, pred.size);
        }
        @Override public String name() { return beta == 1f ? "huber" : "smooth_l1(beta=" + beta + ")"; }
    }
}
