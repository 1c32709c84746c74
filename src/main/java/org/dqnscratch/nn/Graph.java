package org.dqnscratch.nn;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * One forward pass: an arena of activation tensors and, when recording, the tape of ops
 * for reverse-mode differentiation.
 *
 * <p>The arena is what keeps a steady-state training step free of allocation: the i-th
 * tensor asked for after {@link #reset} is the same buffer as the i-th one of the previous
 * pass whenever its shape is the same, which it is when the same network runs on the same
 * batch size. Use one graph per kind of pass (acting, training, target evaluation), so
 * their activations never alias.
 */
public final class Graph {
    public final Backend backend;
    private final boolean recording;
    /** False for greedy evaluation: noisy layers use their means (PyTorch's eval mode). */
    private final boolean noisy;
    /** Null, or the graph whose current pass's noisy effective weights this one reads ({@link #borrowing}). */
    private final Graph weightsFrom;
    /** Counts passes: a new one at each {@link #reset} and {@link #backward} (after which an optimizer may step). */
    private int pass;

    private Tensor[] arena = new Tensor[16];
    private int used;
    private Tensor[] views = new Tensor[8];
    private int viewsUsed;

    private Op[] ops = new Op[16];
    private Tensor[] outs = new Tensor[16], ins0 = new Tensor[16], ins1 = new Tensor[16];
    private int tapeLength;

    private Graph(Backend backend, boolean recording) { this(backend, recording, true, null); }

    private Graph(Backend backend, boolean recording, boolean noisy, Graph weightsFrom) {
        this.backend = backend;
        this.recording = recording;
        this.noisy = noisy;
        this.weightsFrom = weightsFrom;
    }

    /** A graph that records ops so {@link #backward} can run. */
    public static Graph training(Backend backend) { return new Graph(backend, true); }

    /** A graph for inference (acting, target network): nothing recorded, no gradient buffers. */
    public static Graph inference(Backend backend) { return new Graph(backend, false); }

    /**
     * An inference graph in which noisy layers use their means (PyTorch's {@code eval()} mode, as
     * Kaixhin's Rainbow evaluates): greedy evaluations then depend on the parameters alone. Layers
     * without noise run as in {@link #inference}.
     */
    public static Graph evaluation(Backend backend) { return new Graph(backend, false, false, null); }

    /**
     * An inference graph whose noisy layers take the effective weights {@code mu + sigma * eps} that
     * {@code source}'s current pass computed, instead of computing them again: a Double-DQN update runs
     * the online network on s (training) and then on s' with the same noise and parameters, and on a
     * Nature CNN those weights are 1.6M floats written per pass. A layer borrows only while nothing
     * changed them: same noise draw, and {@code source} still in the pass that computed them (its
     * {@link #reset} or {@link #backward} ends it, before any optimizer step); otherwise it computes its own.
     */
    public static Graph borrowing(Graph source) {
        if (!source.noisy) throw new IllegalArgumentException("borrowing noisy weights from a graph that uses the means");
        return new Graph(source.backend, false, true, source);
    }

    /** Null, or the graph this one borrows noisy layers' effective weights from ({@link #borrowing}). */
    public Graph weightsFrom() { return weightsFrom; }

    /** The current pass: changes at every {@link #reset} and {@link #backward}. */
    public int pass() { return pass; }

    public boolean recording() { return recording; }

    /** True when noisy layers add their noise (training and acting passes); false in {@link #evaluation} graphs. */
    public boolean noisy() { return noisy; }

    /** Starts a new pass: arena slots and tape are reused from the start. */
    public void reset() {
        pass++;
        used = 0;
        viewsUsed = 0;
        for (int i = 0; i < tapeLength; i++) { outs[i] = ins0[i] = ins1[i] = null; ops[i] = null; }
        tapeLength = 0;
    }

    /** True when a gradient must flow into any of these tensors during {@link #backward}. */
    public boolean needsGrad(Tensor a) { return recording && a != null && a.grad != null; }

    public boolean needsGrad(Tensor a, Tensor b) { return needsGrad(a) || needsGrad(b); }

    public Tensor tensor(boolean grad, int d0) { return slot(grad, 1, d0, 0, 0, 0); }
    public Tensor tensor(boolean grad, int d0, int d1) { return slot(grad, 2, d0, d1, 0, 0); }
    public Tensor tensor(boolean grad, int d0, int d1, int d2, int d3) { return slot(grad, 4, d0, d1, d2, d3); }

    private Tensor slot(boolean grad, int rank, int d0, int d1, int d2, int d3) {
        grad &= recording;
        if (used == arena.length) arena = java.util.Arrays.copyOf(arena, used * 2);
        Tensor t = arena[used];
        boolean fits = t != null && (t.grad != null) == grad && switch (rank) {
            case 1 -> t.hasShape(d0);
            case 2 -> t.hasShape(d0, d1);
            default -> t.hasShape(d0, d1, d2, d3);
        };
        if (!fits) {
            int[] shape = switch (rank) {
                case 1 -> new int[] {d0};
                case 2 -> new int[] {d0, d1};
                default -> new int[] {d0, d1, d2, d3};
            };
            t = backend.zeros(shape);
            if (grad) t.grad = backend.zeros(shape);
            arena[used] = t;
        }
        used++;
        return t;
    }

    /** {@code t} viewed as [d0, d1] (flatten), cached like arena tensors; grad viewed alike. */
    public Tensor view(Tensor t, int d0, int d1) {
        if (viewsUsed == views.length) views = java.util.Arrays.copyOf(views, viewsUsed * 2);
        Tensor v = views[viewsUsed];
        if (v == null || v.storage != t.storage || v.offset != t.offset || !v.hasShape(d0, d1)
                || (t.grad == null ? v.grad != null : v.grad == null || v.grad.storage != t.grad.storage)) {
            v = t.view(d0, d1);
            views[viewsUsed] = v;
        }
        viewsUsed++;
        return v;
    }

    /** Appends an op to the tape (a no-op for inference graphs or when no input needs a gradient). */
    public void record(Op op, Tensor out, Tensor a, Tensor b) {
        if (!recording || out.grad == null) return;
        if (tapeLength == ops.length) {
            int n = tapeLength * 2;
            ops = java.util.Arrays.copyOf(ops, n);
            outs = java.util.Arrays.copyOf(outs, n);
            ins0 = java.util.Arrays.copyOf(ins0, n);
            ins1 = java.util.Arrays.copyOf(ins1, n);
        }
        ops[tapeLength] = op;
        outs[tapeLength] = out;
        ins0[tapeLength] = a;
        ins1[tapeLength] = b;
        tapeLength++;
    }

    /**
     * Differentiates the scalar {@code loss}: zeroes every activation gradient of this pass,
     * seeds d loss = 1 and walks the tape backwards. Parameter gradients accumulate into the
     * flat gradient buffer, which the caller zeroes ({@link Parameters#zeroGrad}).
     */
    public void backward(Tensor loss) {
        if (loss.size != 1) throw new IllegalArgumentException("backward needs a scalar loss, got " + loss);
        backward(loss, null);
    }

    /**
     * Vector-Jacobian product: back-propagates {@code dOut} (null: ones) from {@code out},
     * a tensor of this pass, to every parameter and input that takes a gradient.
     */
    public void backward(Tensor out, Tensor dOut) {
        if (!recording) throw new IllegalStateException("backward on an inference graph");
        if (out.grad == null) throw new IllegalArgumentException(out + " does not depend on anything that takes a gradient");
        pass++; // the parameters may change once the gradient is there: no graph borrows this pass's weights any more
        for (int i = 0; i < used; i++) {
            if (arena[i].grad != null) backend.fill(arena[i].grad, 0f);
        }
        if (dOut == null) backend.fill(out.grad, 1f);
        else backend.copy(out.grad, dOut);
        for (int i = tapeLength - 1; i >= 0; i--) {
            ops[i].backward(backend, outs[i], ins0[i], ins1[i]);
        }
    }
}
