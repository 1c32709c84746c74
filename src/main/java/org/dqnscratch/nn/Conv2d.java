package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;

/** 2-D convolution on NCHW input, weight [OC, C, K, K], one stride and padding for both axes. */
public final class Conv2d implements ReluFusable, Op {
    public final int in, out, kernel, stride, pad;
    private Param weight, bias;
    /** Geometry of the last input seen (kept to avoid a new record per call). */
    private ConvGeometry last;

    public Conv2d(int in, int out, int kernel, int stride, int pad) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("Conv2d(" + in + ", " + out + ", k=" + kernel + ", s=" + stride + ", p=" + pad + ")");
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        int kk = kernel * kernel;
        weight = params.weight(prefix + "weight", in * kk, out * kk, out, in, kernel, kernel);
        bias = params.bias(prefix + "bias", in * kk, out * kk, out);
    }

    public ConvGeometry geometry(int N, int H, int W) {
        ConvGeometry g = last;
        if (g == null || g.N() != N || g.H() != H || g.W() != W) {
            g = new ConvGeometry(N, in, H, W, out, kernel, kernel, stride, pad);
            last = g;
        }
        return g;
    }

    @Override public Tensor forward(Graph g, Tensor x) { return forward(g, x, false); }

    @Override public Tensor forwardRelu(Graph g, Tensor x) { return forward(g, x, true); }

    private Tensor forward(Graph g, Tensor x, boolean relu) {
        if (x.rank() != 4 || x.dim(1) != in) throw new IllegalArgumentException("Conv2d(" + in + ", ...) got " + x);
        ConvGeometry geo = geometry(x.dim(0), x.dim(2), x.dim(3));
        Tensor w = weight.value();
        Tensor y = g.tensor(g.needsGrad(x, w), geo.N(), out, geo.OH(), geo.OW());
        if (relu) g.backend.conv2d_relu_forward(y, x, w, bias.value(), geo);
        else g.backend.conv2d_forward(y, x, w, bias.value(), geo);
        g.record(relu ? withRelu : this, y, x, null);
        return y;
    }

    /** The backward of {@link #forwardRelu}: dy becomes the pre-activation's gradient, then this layer's backward. */
    private final Op withRelu = (backend, y, x, unused) -> {
        backend.relu_backward_inplace(y.grad, y, y.size);
        backward(backend, y, x, unused);
    };

    @Override public void backward(Backend backend, Tensor y, Tensor x, Tensor unused) {
        Tensor w = weight.value();
        ConvGeometry geo = geometry(x.dim(0), x.dim(2), x.dim(3));
        backend.conv2d_backward(x.grad, w.grad, bias.value().grad, y.grad, x, w, geo);
    }
}
