package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The noisy layers of one network, made through {@link #linear} and resampled together, in the order
 * they were made. Their noise lives in one buffer on the host and one on the backend: a draw is one upload.
 */
public final class Noise {
    private final List<NoisyLinear> layers = new ArrayList<>();
    private float[] host;
    private Tensor flat;

    /** A new noisy layer of this network. */
    public NoisyLinear linear(int in, int out) {
        NoisyLinear l = new NoisyLinear(in, out);
        layers.add(l);
        return l;
    }

    /** New noise for every layer, drawn from {@code rng} layer by layer (epsIn, then epsOut), then uploaded at once. */
    public void resample(Backend backend, RandomGenerator rng) {
        if (flat == null) allocate(backend);
        for (int i = 0; i < layers.size(); i++) layers.get(i).draw(rng); // no iterator: a training step allocates nothing
        backend.upload(flat, host, 0);
        for (int i = 0; i < layers.size(); i++) layers.get(i).uploaded();
    }

    private void allocate(Backend backend) {
        int total = 0;
        for (NoisyLinear l : layers) total += l.in + l.out;
        host = new float[Math.max(total, 1)];
        flat = backend.zeros(Math.max(total, 1));
        int offset = 0;
        for (NoisyLinear l : layers) {
            l.attach(flat, host, offset);
            offset += l.in + l.out;
        }
    }

    public List<NoisyLinear> layers() { return List.copyOf(layers); }
}
