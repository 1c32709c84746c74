package org.dqnscratch.optim;

import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Tensor;

/** torch.optim.SGD with optional (Nesterov) momentum, no dampening. */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final Tensor buf;

    public Sgd(Parameters params, float lr, float momentum, boolean nesterov) {
        super(params, lr);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.buf = momentum == 0 ? null : state();
    }

    @Override protected void update(Tensor p, Tensor g, int n) {
        backend.sgd_step(p, g, buf, lr, momentum, nesterov, steps == 1, n);
    }

    @Override public java.util.Map<String, Tensor> moments() { return buf == null ? java.util.Map.of() : java.util.Map.of("momentum_buffer", buf); }

    @Override public String toString() { return "SGD(lr=" + lr + ", momentum=" + momentum + (nesterov ? ", nesterov" : "") + ")"; }
}
