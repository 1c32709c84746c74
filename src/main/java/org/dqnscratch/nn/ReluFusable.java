package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * A layer that can run with the ReLU that follows it as one op: the bias and the ReLU applied in its
 * GEMM's epilogue (Backend.matmul_relu_forward, conv2d_relu_forward), so the pre-activation is never
 * stored nor read again. {@link Sequential} fuses a layer of this kind with a following {@link Relu}.
 */
public interface ReluFusable extends Module {
    /**
     * relu(forward(x)), the same floats as the two modules one after the other, forward and backward;
     * recorded as one op whose backward masks the output's gradient in place (y > 0 exactly where the
     * pre-activation is), then runs the layer's own backward.
     */
    Tensor forwardRelu(Graph g, Tensor x);
}
