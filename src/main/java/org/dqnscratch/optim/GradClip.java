package org.dqnscratch.optim;

import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/** Gradient clipping over the flat gradient buffer, applied before each optimizer step. */
public abstract sealed class GradClip {
    public static final GradClip NONE = new None();

    /** Each gradient element clamped to [-clip, clip] (Keras clipvalue, torch clip_grad_value_). */
    public static GradClip byValue(float clip) { return new ByValue(clip); }

    /** All gradients scaled so their global L2 norm is at most maxNorm (torch clip_grad_norm_). */
    public static GradClip byNorm(float maxNorm) { return new ByNorm(maxNorm); }

    public abstract void apply(Parameters params);

    static final class None extends GradClip {
        @Override public void apply(Parameters params) {}
        @Override public String toString() { return "none"; }
    }

    static final class ByValue extends GradClip {
        final float clip;
        ByValue(float clip) {
            if (!(clip > 0)) throw new IllegalArgumentException("clip value must be > 0, got " + clip);
            this.clip = clip;
        }
        @Override public void apply(Parameters p) { p.backend.clip_by_value(p.grads, clip, p.grads.size); }
        @Override public String toString() { return "value " + clip; }
    }

    static final class ByNorm extends GradClip {
        final float maxNorm;
        // The sum of squares stays on the device; one float of scratch on the backend last clipped.
        private Tensor sumSquares;
        private Backend scratchOn;
        ByNorm(float maxNorm) {
            if (!(maxNorm > 0)) throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxNorm);
            this.maxNorm = maxNorm;
        }
        @Override public void apply(Parameters p) {
            if (scratchOn != p.backend) { // first use, or parameters on another backend than last time
                sumSquares = p.backend.zeros(1);
                scratchOn = p.backend;
            }
            p.backend.sum_squares(sumSquares, p.grads, p.grads.size);
            p.backend.clip_by_norm(p.grads, sumSquares, maxNorm, p.grads.size);
        }
        @Override public String toString() { return "norm " + maxNorm; }
    }
}
