package org.dqnscratch.tensor;

import java.util.Arrays;

/**
 * A shape over a backend buffer: {@code size} floats starting at {@code offset}.
 *
 * <p>Several tensors may view one buffer (the flat parameter buffer holds every weight of a
 * network; each layer's weight is a view into it). Tensors hold no arithmetic: that goes
 * through {@link Backend}. A tensor that takes part in backprop carries its gradient in
 * {@link #grad}, a tensor of the same shape (for parameters, a view into the flat gradient
 * buffer).
 */
public final class Tensor {
    /** Marker for a backend's storage: a {@code float[]} on the CPU, a {@code cl_mem} on OpenCL. */
    public interface Storage {
        /** Capacity in floats. */
        int capacity();
    }

    public final Storage storage;
    public final int offset;
    public final int size;
    private final int[] shape;
    /** Gradient of the scalar being differentiated with respect to this tensor, or null. */
    public Tensor grad;
    /** Name for checkpoints and error messages (PyTorch state_dict key for parameters). */
    public String name;

    public Tensor(Storage storage, int offset, int... shape) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.size = sizeOf(shape);
        if (offset < 0 || offset + size > storage.capacity()) {
            throw new IllegalArgumentException("view " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit in a buffer of " + storage.capacity() + " floats");
        }
    }

    public static int sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    public int rank() { return shape.length; }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int[] shape() { return shape.clone(); }

    /** True when this tensor has exactly these dimensions (no allocation, unlike comparing arrays). */
    public boolean hasShape(int d0) { return shape.length == 1 && shape[0] == d0; }
    public boolean hasShape(int d0, int d1) { return shape.length == 2 && shape[0] == d0 && shape[1] == d1; }
    public boolean hasShape(int d0, int d1, int d2, int d3) {
        return shape.length == 4 && shape[0] == d0 && shape[1] == d1 && shape[2] == d2 && shape[3] == d3;
    }

    /** The same elements under another shape with the same size (flatten is this). */
    public Tensor view(int... newShape) {
        if (sizeOf(newShape) != size) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        }
        Tensor t = new Tensor(storage, offset, newShape);
        t.name = name;
        if (grad != null) t.grad = grad.view(newShape);
        return t;
    }

    @Override
    public String toString() {
        return (name == null ? "tensor" : name) + Arrays.toString(shape);
    }
}
