package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * Multiplies the input by a constant before the body (pixels 0..255 to [0, 1]), adding no
 * level to parameter names, so the body's state_dict keys stay as PyTorch's.
 */
public final class ScaledInput implements Module {
    private final Scale scale;
    private final Module body;

    public ScaledInput(float factor, Module body) {
        this.scale = new Scale(factor);
        this.body = body;
    }

    @Override public Tensor forward(Graph g, Tensor x) { return body.forward(g, scale.forward(g, x)); }

    @Override public void declare(Parameters.Builder params, String prefix) { body.declare(params, prefix); }
}
