package org.dqnscratch.optim;

import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Tensor;

/** torch.optim.Adam: bias-corrected moments, eps outside the square root. */
public final class Adam extends Optimizer {
    private final float beta1, beta2, eps;
    private final Tensor m, v;

    public Adam(Parameters params, float lr) { this(params, lr, 0.9f, 0.999f, 1e-8f); }

    public Adam(Parameters params, float lr, float beta1, float beta2, float eps) {
        super(params, lr);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps >= 0)) {
            throw new IllegalArgumentException("Adam needs betas in [0, 1) and eps >= 0");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = state();
        this.v = state();
    }

    @Override protected void update(Tensor p, Tensor g, int n) {
        // This step's bias corrections, once, in double (torch.optim.Adam computes them from its
        // Python-number step count): every backend gets the same two floats.
        double bc1 = 1 - Math.pow(beta1, steps), bc2 = 1 - Math.pow(beta2, steps);
        backend.adam_step(p, g, m, v, (float) (lr / bc1), (float) Math.sqrt(bc2), beta1, beta2, eps, n);
    }

    @Override public java.util.Map<String, Tensor> moments() { return java.util.Map.of("exp_avg", m, "exp_avg_sq", v); }

    @Override public String toString() { return "Adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ")"; }
}
