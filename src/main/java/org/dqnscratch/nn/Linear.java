package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/** y[N,OC] = x[N,C] . W^T + b, with W stored [OC, C] as in PyTorch. */
public final class Linear implements ReluFusable, Op {
    public final int in, out;
    private Param weight, bias;

    public Linear(int in, int out) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear(" + in + ", " + out + ")");
        this.in = in;
        this.out = out;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        weight = params.weight(prefix + "weight", in, out, out, in);
        bias = params.bias(prefix + "bias", in, out, out);
    }

    @Override public Tensor forward(Graph g, Tensor x) { return forward(g, x, false); }

    @Override public Tensor forwardRelu(Graph g, Tensor x) { return forward(g, x, true); }

    private Tensor forward(Graph g, Tensor x, boolean relu) {
        if (x.rank() != 2 || x.dim(1) != in) throw new IllegalArgumentException("Linear(" + in + ", " + out + ") got " + x);
        int N = x.dim(0);
        Tensor w = weight.value(), b = bias.value();
        Tensor y = g.tensor(g.needsGrad(x, w), N, out);
        if (relu) g.backend.matmul_relu_forward(y, x, w, b, N, in, out);
        else g.backend.matmul_forward(y, x, w, b, N, in, out);
        g.record(relu ? withRelu : this, y, x, null);
        return y;
    }

    /** The backward of {@link #forwardRelu}: dy becomes the pre-activation's gradient, then this layer's backward. */
    private final Op withRelu = (backend, y, x, unused) -> {
        backend.relu_backward_inplace(y.grad, y, y.size);
        backward(backend, y, x, unused);
    };

    @Override public void backward(Backend backend, Tensor y, Tensor x, Tensor unused) {
        Tensor w = weight.value(), b = bias.value();
        backend.matmul_backward(x.grad, w.grad, b.grad, y.grad, x, w, x.dim(0), in, out);
    }
}
