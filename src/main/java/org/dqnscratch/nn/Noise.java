package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.dqnscratch.tensor.Backend;

/** The noisy layers of one network, made through {@link #linear} and resampled together, in the order they were made. */
public final class Noise {
    private final List<NoisyLinear> layers = new ArrayList<>();

    /** A new noisy layer of this network. */
    public NoisyLinear linear(int in, int out) {
        NoisyLinear l = new NoisyLinear(in, out);
        layers.add(l);
        return l;
    }

    /** New noise for every layer, drawn from {@code rng} layer by layer. */
    public void resample(Backend backend, RandomGenerator rng) {
        for (int i = 0; i < layers.size(); i++) layers.get(i).resample(backend, rng); // no iterator: a training step allocates nothing
    }

    public List<NoisyLinear> layers() { return List.copyOf(layers); }
}
