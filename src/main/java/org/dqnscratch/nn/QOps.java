package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/** The Q-learning ops on [N, A] action values: gather, max/argmax, TD targets. */
public final class QOps {
    private QOps() {}

    private static final Op GATHER = (b, out, q, actions) -> {
        if (q.grad != null) b.gather_backward(q.grad, out.grad, actions, q.dim(0), q.dim(1));
    };

    private static final Op MAX = (b, out, q, arg) -> {
        if (q.grad != null) b.max_backward(q.grad, out.grad, arg, q.dim(0), q.dim(1));
    };

    /** out[n] = q[n, actions[n]]: the value of the action taken. Actions are [N] floats. */
    public static Tensor gather(Graph g, Tensor q, Tensor actions) {
        int N = q.dim(0), A = q.dim(1);
        if (actions.size != N) throw new IllegalArgumentException("gather: " + actions + " for " + q);
        Tensor out = g.tensor(g.needsGrad(q), N);
        g.backend.gather_forward(out, q, actions, N, A);
        g.record(GATHER, out, q, actions);
        return out;
    }

    /** max over actions, [N]; the gradient flows to the first argmax. */
    public static Tensor max(Graph g, Tensor q) {
        int N = q.dim(0), A = q.dim(1);
        Tensor out = g.tensor(g.needsGrad(q), N);
        Tensor arg = g.tensor(false, N);
        g.backend.max_forward(out, arg, q, N, A);
        g.record(MAX, out, q, arg);
        return out;
    }

    /** Greedy actions: argmax over actions into a fresh [N] tensor of the graph. */
    public static Tensor argmax(Graph g, Tensor q) {
        Tensor arg = g.tensor(false, q.dim(0));
        g.backend.max_forward(null, arg, q, q.dim(0), q.dim(1));
        return arg;
    }

    /**
     * TD target, no gradient: y = r + gamma * (1 - terminated) * Q_target(s', a*), a* from
     * the target net (plain DQN) or from {@code qNextOnline} (Double DQN) when not null.
     */
    public static Tensor tdTarget(Graph g, Tensor qNextTarget, Tensor qNextOnline, Tensor reward,
                                  Tensor terminated, float gamma) {
        int N = qNextTarget.dim(0), A = qNextTarget.dim(1);
        Tensor y = g.tensor(false, N);
        g.backend.td_target(y, qNextTarget, qNextOnline, reward, terminated, gamma, N, A);
        return y;
    }
}
