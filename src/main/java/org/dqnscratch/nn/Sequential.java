package org.dqnscratch.nn;

import java.util.List;
import org.dqnscratch.tensor.Tensor;

/**
 * Modules applied in order; parameter names "0.weight", "2.bias", ... as nn.Sequential. A Linear or
 * Conv2d followed by a Relu runs as one fused op ({@link ReluFusable#forwardRelu}): the Relu stays in
 * the list, so the indices, and the parameter names, are PyTorch's.
 */
public final class Sequential implements Module {
    private final Module[] layers;
    /** fused[i]: layer i runs with the Relu at i + 1, which is then skipped. */
    private final boolean[] fused;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        this.fused = new boolean[layers.length];
        for (int i = 0; i + 1 < layers.length; i++) fused[i] = layers[i] instanceof ReluFusable && layers[i + 1] instanceof Relu;
    }

    public static Sequential of(List<Module> layers) { return new Sequential(layers.toArray(Module[]::new)); }

    public List<Module> layers() { return List.of(layers); }

    @Override public Tensor forward(Graph g, Tensor x) {
        for (int i = 0; i < layers.length; i++) {
            if (fused[i]) x = ((ReluFusable) layers[i++]).forwardRelu(g, x);
            else x = layers[i].forward(g, x);
        }
        return x;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        for (int i = 0; i < layers.length; i++) layers[i].declare(params, prefix + i + ".");
    }
}
