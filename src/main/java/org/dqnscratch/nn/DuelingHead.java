package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Dueling head (Wang et al. 2016): Q = V + A - mean(A), with V and A two linear layers on
 * the same features. Parameters "value.*" and "advantage.*". With K atoms (a distributional
 * network, Rainbow) both streams give K values per action, combined atom by atom: the output is
 * [N, actions * K] logits, V has K outputs and A actions * K.
 */
public final class DuelingHead implements Module, Op {
    private final Linear value, advantage;
    public final int actions, atoms;

    public DuelingHead(int in, int actions) { this(in, actions, 1); }

    public DuelingHead(int in, int actions, int atoms) {
        this.value = new Linear(in, atoms);
        this.advantage = new Linear(in, actions * atoms);
        this.actions = actions;
        this.atoms = atoms;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        value.declare(params, prefix + "value.");
        advantage.declare(params, prefix + "advantage.");
    }

    @Override public Tensor forward(Graph g, Tensor x) {
        Tensor v = value.forward(g, x);
        Tensor adv = advantage.forward(g, x);
        int N = x.dim(0);
        Tensor q = g.tensor(g.needsGrad(v, adv), N, actions * atoms);
        g.backend.dueling_forward(q, v, adv, N, actions, atoms);
        g.record(this, q, v, adv);
        return q;
    }

    @Override public void backward(Backend backend, Tensor q, Tensor v, Tensor adv) {
        backend.dueling_backward(v.grad, adv.grad, q.grad, q.dim(0), actions, atoms);
    }
}
