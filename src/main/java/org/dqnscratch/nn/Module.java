package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/** A layer or a network: a forward pass that records its backward on the graph. */
public interface Module {
    Tensor forward(Graph g, Tensor x);

    /** Declares this module's parameters, names prefixed with {@code prefix} (PyTorch state_dict style). */
    default void declare(Parameters.Builder params, String prefix) {}
}
