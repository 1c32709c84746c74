package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/** [N, ...] viewed as [N, rest]: no copy, and no backward (the gradient is the same memory). */
public final class Flatten implements Module {
    @Override public Tensor forward(Graph g, Tensor x) {
        return g.view(x, x.dim(0), x.size / x.dim(0));
    }
}
