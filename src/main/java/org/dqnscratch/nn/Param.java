package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * A parameter a layer declares: its state_dict name, shape and fan sizes (for
 * initialisers). {@link Parameters#allocate} binds it to a view of the flat buffers.
 */
public final class Param {
    /**
     * WEIGHT, BIAS: initialised by the chosen {@link Init}. NOISY_MU: a noisy layer's weight_mu or bias_mu,
     * always U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (Fortunato et al.'s factorized init, whatever --init says);
     * CONSTANT: filled with {@link #fill} (a noisy layer's sigma).
     */
    public enum Kind { WEIGHT, BIAS, NOISY_MU, CONSTANT }

    public final String name;
    public final Kind kind;
    final int[] shape;
    /** Inputs and outputs feeding one unit: C*KH*KW and OC*KH*KW for a conv weight. */
    public final int fanIn, fanOut;
    /** The value of every element of a CONSTANT parameter at initialisation (NaN for the other kinds). */
    public final float fill;
    private Tensor value;

    Param(String name, Kind kind, int[] shape, int fanIn, int fanOut) { this(name, kind, shape, fanIn, fanOut, Float.NaN); }

    Param(String name, Kind kind, int[] shape, int fanIn, int fanOut, float fill) {
        this.fill = fill;
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
