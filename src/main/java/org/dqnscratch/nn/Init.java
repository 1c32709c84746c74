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

    /**
     * Fills every parameter, in declaration order, from one generator seeded with {@code seed}. A noisy
     * layer's parameters (kinds NOISY_MU, CONSTANT) get Fortunato et al.'s initialisation under every
     * initialiser: theirs is part of the method (sigma_0 is scaled for those bounds), and PyTorch's
     * NoisyLinear (CleanRL, Kaixhin) ignores any other.
     */
    public void apply(Parameters params, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Param p : params.list()) {
            Tensor t = p.value();
            float[] data = new float[t.size];
            if (p.kind == Param.Kind.CONSTANT) java.util.Arrays.fill(data, p.fill); // draws nothing
            double bound = p.kind == Param.Kind.CONSTANT ? 0 : p.kind == Param.Kind.NOISY_MU ? 1.0 / Math.sqrt(p.fanIn) : bound(p);
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
