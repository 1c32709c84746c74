package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Dueling head (Wang et al. 2016): Q = V + A - mean(A), with V and A two linear layers on
 * the same features. Parameters "value.*" and "advantage.*". With K atoms (a distributional
 * network, Rainbow) both streams give K values per action, combined atom by atom: the output is
 * [N, actions * K] logits, V has K outputs and A actions * K. The streams may be deeper than one
 * layer (Rainbow's: each its own hidden layer, {@link #withStreams}).
 */
public final class DuelingHead implements Module, Op {
    private final Module value, advantage;
    public final int actions, atoms;

    public DuelingHead(int in, int actions) { this(in, actions, 1); }

    public DuelingHead(int in, int actions, int atoms) { this(new Linear(in, atoms), new Linear(in, actions * atoms), actions, atoms); }

    /**
     * A head over two given streams: {@code value} must give {@code atoms} outputs per sample,
     * {@code advantage} {@code actions * atoms}; their parameters are named "value.*" and "advantage.*".
     */
    public static DuelingHead withStreams(Module value, Module advantage, int actions, int atoms) {
        return new DuelingHead(value, advantage, actions, atoms);
    }

    private DuelingHead(Module value, Module advantage, int actions, int atoms) {
        this.value = value;
        this.advantage = advantage;
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
        if (v.size != N * atoms || adv.size != N * actions * atoms) {
            throw new IllegalArgumentException("dueling streams gave " + v + " and " + adv + " for " + actions + " actions x " + atoms + " atoms");
        }
        Tensor q = g.tensor(g.needsGrad(v, adv), N, actions * atoms);
        g.backend.dueling_forward(q, v, adv, N, actions, atoms);
        g.record(this, q, v, adv);
        return q;
    }

    @Override public void backward(Backend backend, Tensor q, Tensor v, Tensor adv) {
        backend.dueling_backward(v.grad, adv.grad, q.grad, q.dim(0), actions, atoms);
    }
}
