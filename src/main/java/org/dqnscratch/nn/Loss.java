package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/** Mean-reduced regression losses on [N] predictions and targets, PyTorch semantics. */
public abstract sealed class Loss implements Op {
    /** nn.MSELoss(). */
    public static Loss mse() { return new Mse(); }

    /** nn.SmoothL1Loss(beta=beta); beta 1 is the Huber loss with delta 1. */
    public static Loss smoothL1(float beta) { return new SmoothL1(beta); }

    /** Returns a [1] tensor holding the loss; the target takes no gradient. */
    public final Tensor forward(Graph g, Tensor pred, Tensor target) {
        if (pred.size != target.size) throw new IllegalArgumentException("loss of " + pred + " against " + target);
        Tensor loss = g.tensor(g.needsGrad(pred), 1);
        compute(g.backend, loss, pred, target);
        g.record(this, loss, pred, target);
        return loss;
    }

    abstract void compute(Backend backend, Tensor loss, Tensor pred, Tensor target);

    public abstract String name();

    static final class Mse extends Loss {
        @Override void compute(Backend b, Tensor loss, Tensor pred, Tensor target) { b.mse_forward(loss, pred, target, pred.size); }
        @Override public void backward(Backend b, Tensor loss, Tensor pred, Tensor target) {
            if (pred.grad != null) b.mse_backward(pred.grad, loss.grad, pred, target, pred.size);
        }
        @Override public String name() { return "mse"; }
    }

    static final class SmoothL1 extends Loss {
        final float beta;
        SmoothL1(float beta) {
            if (!(beta > 0)) throw new IllegalArgumentException("SmoothL1 beta must be > 0, got " + beta);
            this.beta = beta;
        }
        @Override void compute(Backend b, Tensor loss, Tensor pred, Tensor target) {
            b.smooth_l1_forward(loss, pred, target, beta, pred.size);
        }
        @Override public void backward(Backend b, Tensor loss, Tensor pred, Tensor target) {
            if (pred.grad != null) b.smooth_l1_backward(pred.grad, loss.grad, pred, target, beta, pred.size);
        }
        @Override public String name() { return beta == 1f ? "huber" : "smooth_l1(beta=" + beta + ")"; }
    }
}
