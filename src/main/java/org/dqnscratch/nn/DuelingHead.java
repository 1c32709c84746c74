package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Dueling head (Wang et al. 2016): Q = V + A - mean(A), with V and A two linear layers on
 * the same features. Parameters "value.*" and "advantage.*".
 */
public final class DuelingHead implements Module, Op {
    private final Module value, advantage;
    public final int actions;

    public DuelingHead(int in, int actions) { this(new Linear(in, 1), new Linear(in, actions), actions); }

    /** With other layers for the two streams (noisy ones): value to 1 output, advantage to {@code actions}. */
    public DuelingHead(Module value, Module advantage, int actions) {
        this.value = value;
        this.advantage = advantage;
        this.actions = actions;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        value.declare(params, prefix + "value.");
        advantage.declare(params, prefix + "advantage.");
    }

    @Override public Tensor forward(Graph g, Tensor x) {
        Tensor v = value.forward(g, x);
        Tensor adv = advantage.forward(g, x);
        int N = x.dim(0);
        Tensor q = g.tensor(g.needsGrad(v, adv), N, actions);
        g.backend.dueling_forward(q, v, adv, N, actions);
        g.record(this, q, v, adv);
        return q;
    }

    @Override public void backward(Backend backend, Tensor q, Tensor v, Tensor adv) {
        backend.dueling_backward(v.grad, adv.grad, q.grad, q.dim(0), actions);
    }
}
