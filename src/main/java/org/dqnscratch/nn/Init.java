package org.dqnscratch.nn;

import java.util.SplittableRandom;
import org.dqnscratch.tensor.Tensor;

/** Seeded parameter initialisers. */
public enum Init {
    /**
     * PyTorch's default for Linear and Conv2d: weight kaiming_uniform(a=sqrt(5)), i.e.
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)), and bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    TORCH_DEFAULT,
    /** Keras he_uniform: weight U(-sqrt(6/fanIn), +), bias zeros. */
    HE_UNIFORM,
    /** Keras glorot_uniform (Xavier): weight U(-sqrt(6/(fanIn+fanOut)), +), bias zeros. */
    GLOROT_UNIFORM;

    public static Init parse(String s) {
        return switch (s.toLowerCase().replace('-', '_')) {
            case "torch", "torch_default", "default", "pytorch" -> TORCH_DEFAULT;
            case "he_uniform", "he" -> HE_UNIFORM;
            case "glorot_uniform", "glorot", "xavier" -> GLOROT_UNIFORM;
            default -> throw new IllegalArgumentException("unknown initialiser '" + s + "' (torch, he_uniform, glorot_uniform)");
        };
    }

    /** Fills every parameter, in declaration order, from one generator seeded with {@code seed}. */
    public void apply(Parameters params, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Param p : params.list()) {
            Tensor t = p.value();
            float[] data = new float[t.size];
            double bound = bound(p);
            if (bound > 0) for (int i = 0; i < data.length; i++) data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            params.backend.upload(t, data, 0);
        }
    }

    double bound(Param p) {
        return switch (this) {
            case TORCH_DEFAULT -> 1.0 / Math.sqrt(p.fanIn);
            case HE_UNIFORM -> p.kind == Param.Kind.BIAS ? 0 : Math.sqrt(6.0 / p.fanIn);
            case GLOROT_UNIFORM -> p.kind == Param.Kind.BIAS ? 0 : Math.sqrt(6.0 / (p.fanIn + p.fanOut));
        };
    }
}
