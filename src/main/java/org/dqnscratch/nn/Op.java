package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The backward half of a recorded operation. {@link Graph#record} stores the op with its
 * output and up to two inputs; {@link Graph#backward} calls this in reverse order. It
 * accumulates into {@code a.grad} / {@code b.grad} (and parameter gradients the op owns),
 * skipping any that is null.
 */
@FunctionalInterface
public interface Op {
    void backward(Backend backend, Tensor out, Tensor a, Tensor b);
}
