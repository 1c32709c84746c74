package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * A parameter a layer declares: its state_dict name, shape and fan sizes (for
 * initialisers). {@link Parameters#allocate} binds it to a view of the flat buffers.
 */
public final class Param {
    public enum Kind { WEIGHT, BIAS }

    public final String name;
    public final Kind kind;
    final int[] shape;
    /** Inputs and outputs feeding one unit: C*KH*KW and OC*KH*KW for a conv weight. */
    public final int fanIn, fanOut;
    private Tensor value;

    Param(String name, Kind kind, int[] shape, int fanIn, int fanOut) {
        this.name = name;
        this.kind = kind;
        this.shape = shape;
        this.fanIn = fanIn;
        this.fanOut = fanOut;
    }

    /** The parameter's values; {@code value().grad} is its gradient. */
    public Tensor value() {
        if (value == null) throw new IllegalStateException("parameter " + name + " used before Parameters.allocate");
        return value;
    }

    void bind(Tensor t) { value = t; }

    public int[] shape() { return shape.clone(); }
}
