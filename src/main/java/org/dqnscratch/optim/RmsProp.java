package org.dqnscratch.optim;

import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Tensor;

/**
 * torch.optim.RMSprop (plain, centered, with momentum), and the Nature-DQN variant that puts
 * eps inside the square root ({@link #nature}).
 */
public final class RmsProp extends Optimizer {
    private final float alpha, eps, momentum;
    private final boolean centered, epsInside;
    private final Tensor sq, gavg, mom;

    /** PyTorch defaults: alpha 0.99, eps 1e-8, not centered, no momentum. */
    public RmsProp(Parameters params, float lr) { this(params, lr, 0.99f, 1e-8f, 0f, false, false); }

    public RmsProp(Parameters params, float lr, float alpha, float eps, float momentum, boolean centered, boolean epsInside) {
        super(params, lr);
        if (alpha < 0 || alpha >= 1 || !(eps >= 0) || momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("RMSprop needs alpha in [0, 1), eps >= 0, momentum in [0, 1)");
        }
        this.alpha = alpha;
        this.eps = eps;
        this.momentum = momentum;
        this.centered = centered;
        this.epsInside = epsInside;
        this.sq = state();
        this.gavg = centered ? state() : null;
        this.mom = momentum != 0 ? state() : null;
    }

    /** Nature DQN (Mnih et al. 2015): lr 2.5e-4, decay 0.95, centered, 0.01 inside the root. */
    public static RmsProp nature(Parameters params, float lr) {
        return new RmsProp(params, lr, 0.95f, 0.01f, 0f, true, true);
    }

    @Override protected void update(Tensor p, Tensor g, int n) {
        backend.rmsprop_step(p, g, sq, gavg, mom, lr, alpha, eps, momentum, centered, epsInside, n);
    }

    @Override public java.util.Map<String, Tensor> moments() {
        java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        m.put("square_avg", sq);
        if (gavg != null) m.put("grad_avg", gavg);
        if (mom != null) m.put("momentum_buffer", mom);
        return m;
    }

    @Override public String toString() {
        return "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + (epsInside ? " inside sqrt" : "")
                + ", momentum=" + momentum + (centered ? ", centered" : "") + ")";
    }
}
