package org.dqnscratch.optim;

import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * An optimizer over a network's flat parameter buffer: each step is one clip and one fused
 * update over the whole buffer. Moments live in flat buffers of the same layout.
 */
public abstract class Optimizer {
    protected final Parameters params;
    protected final Backend backend;
    protected float lr;
    private GradClip clip = GradClip.NONE;
    /** Steps taken so far (Adam's bias correction counts from 1). */
    protected int steps;

    protected Optimizer(Parameters params, float lr) {
        if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        this.params = params;
        this.backend = params.backend;
        this.lr = lr;
    }

    public Optimizer withClip(GradClip clip) {
        this.clip = clip;
        return this;
    }

    public GradClip clip() { return clip; }

    public float lr() { return lr; }

    public void setLr(float lr) { this.lr = lr; }

    public int steps() { return steps; }

    public void zeroGrad() { params.zeroGrad(); }

    /** Clips the gradients, then updates the parameters. */
    public final void step() {
        clip.apply(params);
        steps++;
        update(params.values, params.grads, params.values.size);
    }

    protected abstract void update(Tensor p, Tensor g, int n);

    protected Tensor state() { return backend.zeros(params.values.size); }

    /** The moment buffers by name (flat, the parameters' layout), for checkpoints that resume training. */
    public abstract java.util.Map<String, Tensor> moments();

    /** Continues from a checkpoint: the step count (bias correction, SGD's first step) and the moments, loaded by the caller. */
    public void resumeAt(int steps) {
        if (steps < 0) throw new IllegalArgumentException("optimizer steps must be >= 0");
        this.steps = steps;
    }
}
