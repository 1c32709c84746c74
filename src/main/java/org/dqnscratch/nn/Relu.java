package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/** y = max(x, 0), any shape. */
public final class Relu implements Module, Op {
    @Override public Tensor forward(Graph g, Tensor x) {
        boolean grad = g.needsGrad(x);
        Tensor y = switch (x.rank()) {
            case 1 -> g.tensor(grad, x.dim(0));
            case 2 -> g.tensor(grad, x.dim(0), x.dim(1));
            case 4 -> g.tensor(grad, x.dim(0), x.dim(1), x.dim(2), x.dim(3));
            default -> throw new IllegalArgumentException("Relu supports rank 1, 2 or 4, got " + x);
        };
        g.backend.relu_forward(y, x, x.size);
        g.record(this, y, x, null);
        return y;
    }

    @Override public void backward(Backend backend, Tensor y, Tensor x, Tensor unused) {
        if (x.grad != null) backend.relu_backward(x.grad, y.grad, y, y.size);
    }
}
