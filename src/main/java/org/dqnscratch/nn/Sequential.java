package org.dqnscratch.nn;

import java.util.List;
import org.dqnscratch.tensor.Tensor;

/** Modules applied in order; parameter names "0.weight", "2.bias", ... as nn.Sequential. */
public final class Sequential implements Module {
    private final Module[] layers;

    public Sequential(Module... layers) { this.layers = layers.clone(); }

    public static Sequential of(List<Module> layers) { return new Sequential(layers.toArray(Module[]::new)); }

    public List<Module> layers() { return List.of(layers); }

    @Override public Tensor forward(Graph g, Tensor x) {
        for (Module m : layers) x = m.forward(g, x);
        return x;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        for (int i = 0; i < layers.length; i++) layers[i].declare(params, prefix + i + ".");
    }
}
