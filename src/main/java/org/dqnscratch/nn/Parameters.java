package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * A network's parameters in one flat buffer, its gradients in a second one of the same
 * layout (llm.c's malloc_and_point_parameters). Each {@link Param} is a named view into
 * both, so the optimizer step, gradient clipping and the target-network copy each run once
 * over the whole buffer.
 */
public final class Parameters {
    public final Backend backend;
    /** All parameters, in declaration order. */
    public final Tensor values;
    /** All gradients, same layout as {@link #values}. */
    public final Tensor grads;
    private final Map<String, Param> byName;

    private Parameters(Backend backend, Tensor values, Tensor grads, Map<String, Param> byName) {
        this.backend = backend;
        this.values = values;
        this.grads = grads;
        this.byName = byName;
    }

    /** Collects declarations; a name may be declared once. */
    public static final class Builder {
        private final Map<String, Param> params = new LinkedHashMap<>();

        public Param weight(String name, int fanIn, int fanOut, int... shape) {
            return add(new Param(name, Param.Kind.WEIGHT, shape.clone(), fanIn, fanOut));
        }

        public Param bias(String name, int fanIn, int fanOut, int size) {
            return add(new Param(name, Param.Kind.BIAS, new int[] {size}, fanIn, fanOut));
        }

        /** A noisy layer's mean (weight_mu, bias_mu): see {@link Param.Kind#NOISY_MU}. */
        public Param noisyMu(String name, int fanIn, int fanOut, int... shape) {
            return add(new Param(name, Param.Kind.NOISY_MU, shape.clone(), fanIn, fanOut));
        }

        /** A parameter every element of which starts at {@code fill} (a noisy layer's sigma). */
        public Param constant(String name, float fill, int fanIn, int fanOut, int... shape) {
            return add(new Param(name, Param.Kind.CONSTANT, shape.clone(), fanIn, fanOut, fill));
        }

        private Param add(Param p) {
            if (params.putIfAbsent(p.name, p) != null) throw new IllegalArgumentException("parameter declared twice: " + p.name);
            return p;
        }
    }

    /** Declares the parameters of {@code root}, allocates the flat buffers (zeros) and binds every view. */
    public static Parameters allocate(Backend backend, Module root) {
        Builder b = new Builder();
        root.declare(b, "");
        int total = 0;
        for (Param p : b.params.values()) total += Tensor.sizeOf(p.shape);
        Tensor values = backend.zeros(Math.max(total, 1));
        Tensor grads = backend.zeros(Math.max(total, 1));
        int offset = 0;
        for (Param p : b.params.values()) {
            Tensor v = new Tensor(values.storage, offset, p.shape);
            v.grad = new Tensor(grads.storage, offset, p.shape);
            v.name = p.name;
            p.bind(v);
            offset += v.size;
        }
        return new Parameters(backend, values, grads, Collections.unmodifiableMap(b.params));
    }

    /** Number of scalar parameters. */
    public int count() {
        int n = 0;
        for (Param p : byName.values()) n += p.value().size;
        return n;
    }

    public List<Param> list() { return new ArrayList<>(byName.values()); }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named " + name + "; have " + byName.keySet());
        return p;
    }

    public void zeroGrad() { backend.fill(grads, 0f); }

    /** this = tau * source + (1 - tau) * this, over the flat buffer (tau = 1: hard copy). */
    public void updateFrom(Parameters source, float tau) {
        if (source.values.size != values.size) throw new IllegalArgumentException("networks differ in size");
        backend.polyak(values, source.values, tau, values.size);
    }
}
