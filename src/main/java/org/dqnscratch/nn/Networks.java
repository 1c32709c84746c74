package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;

/** The Q-networks DQN uses, laid out as the PyTorch nn.Sequential of the same recipe. */
public final class Networks {
    private Networks() {}

    /** in -> hidden... (ReLU) -> actions, or a dueling head over the last hidden layer. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling) { return mlp(in, hidden, actions, dueling, null); }

    /**
     * As above; with {@code noise} not null every Linear is a {@link NoisyLinear} (the hidden layers, the
     * head, both dueling streams: on an MLP every layer is fully connected, as the noisy layers of
     * Kaixhin's and CleanRL's networks are all of theirs).
     */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling, Noise noise) {
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(linear(noise, width, h));
            layers.add(new Relu());
            width = h;
        }
        layers.add(head(noise, width, actions, dueling));
        return Sequential.of(layers);
    }

    /** A Linear, or a NoisyLinear of {@code noise} when it is not null. */
    static Module linear(Noise noise, int in, int out) { return noise == null ? new Linear(in, out) : noise.linear(in, out); }

    static Module head(Noise noise, int in, int actions, boolean dueling) {
        if (!dueling) return linear(noise, in, actions);
        return noise == null ? new DuelingHead(in, actions) : new DuelingHead(linear(noise, in, 1), linear(noise, in, actions), actions);
    }

    /**
     * Nature DQN (Mnih et al. 2015) on [N, frames, 84, 84] pixels 0..255: conv 32 8x8/4, 64 4x4/2,
     * 64 3x3/1, FC 512, with the scaling to [0, 1] done on the device. Parameter names are those
     * of the seed's PyTorch {@code DQN} module ({@code conv.0.weight} ... {@code fc.2.bias}), so
     * its {@code load_state_dict} takes our checkpoints.
     */
    public static Module natureCnn(int frames, int actions, boolean dueling) { return natureCnn(frames, actions, dueling, 32, 64, 64, 512); }

    /**
     * The Nature CNN's geometry (8x8/4, 4/2, 3/1 on 84x84, then a hidden layer) with other widths:
     * c1, c2, c3 channels and a hidden layer of {@code hidden} (32, 64, 64, 512 in the paper).
     */
    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden) {
        return natureCnn(frames, actions, dueling, c1, c2, c3, hidden, null);
    }

    /** As above; with {@code noise} not null the fully connected layers (fc.0, fc.2) are noisy, as in CleanRL and Kaixhin. */
    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden, Noise noise) {
        return new ScaledInput(1f / 255f, Named.of(
                "conv", new Sequential(
                        new Conv2d(frames, c1, 8, 4, 0), new Relu(),
                        new Conv2d(c1, c2, 4, 2, 0), new Relu(),
                        new Conv2d(c2, c3, 3, 1, 0), new Relu()),
                null, new Flatten(),
                "fc", new Sequential(
                        linear(noise, c3 * 7 * 7, hidden), new Relu(),
                        head(noise, hidden, actions, dueling))));
    }
}
