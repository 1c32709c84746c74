package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * y = x * factor: turns pixel values 0..255 into [0, 1] on the device (factor 1/255). Meant
 * for observations, which take no gradient, so it records nothing.
 */
public final class Scale implements Module {
    public final float factor;

    public Scale(float factor) { this.factor = factor; }

    @Override public Tensor forward(Graph g, Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("Scale expects NCHW input, got " + x);
        if (g.needsGrad(x)) throw new IllegalArgumentException("Scale is for observations, which take no gradient");
        Tensor y = g.tensor(false, x.dim(0), x.dim(1), x.dim(2), x.dim(3));
        g.backend.scale_forward(y, x, factor, x.size);
        return y;
    }
}
