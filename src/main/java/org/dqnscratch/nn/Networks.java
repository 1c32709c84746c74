package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;

/** The Q-networks DQN uses, laid out as the PyTorch nn.Sequential of the same recipe. */
public final class Networks {
    private Networks() {}

    /**
     * What the network ends with: Q values from one linear layer, or a dueling head (Wang et al.
     * 2016) whose two streams share the last hidden layer or, with {@code separateStreams}, each have
     * their own (Rainbow's network, Hessel et al. 2018); with a {@code support} (not null) the network
     * is distributional (C51): the head gives the support's atoms for each action ({@link Distributional}),
     * dueling per atom.
     */
    public record Head(boolean dueling, boolean separateStreams, Support support) {
        /** Q values from a linear layer. */
        public static final Head Q = new Head(false, false, null);

        public Head {
            if (separateStreams && !dueling) throw new IllegalArgumentException("separate dueling streams need a dueling head (--dueling)");
        }

        public static Head of(boolean dueling, Support support) { return new Head(dueling, false, support); }

        /** Outputs per action: the support's atoms, or 1. */
        public int atoms() { return support == null ? 1 : support.atoms(); }
    }

    /** in -> hidden... (ReLU) -> actions, or a dueling head over the last hidden layer. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling) { return mlp(in, hidden, actions, Head.of(dueling, null), null); }

    /** As above, with a distributional (C51) head when {@code support} is not null. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling, Support support) {
        return mlp(in, hidden, actions, Head.of(dueling, support), null);
    }

    /** As above (Q values), noisy when {@code noise} is not null. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling, Noise noise) {
        return mlp(in, hidden, actions, Head.of(dueling, null), noise);
    }

    public static Module mlp(int in, int[] hidden, int actions, Head head) { return mlp(in, hidden, actions, head, null); }

    /**
     * in -> hidden... (ReLU) -> the {@code head}; separate dueling streams each get their own copy of
     * the last hidden layer. With {@code noise} not null every Linear is a {@link NoisyLinear} (the
     * hidden layers, the head, both dueling streams: on an MLP every layer is fully connected, as the
     * noisy layers of Kaixhin's and CleanRL's networks are all of theirs).
     */
    public static Module mlp(int in, int[] hidden, int actions, Head head, Noise noise) {
        if (head.separateStreams() && hidden.length == 0) throw new IllegalArgumentException("separate dueling streams need a hidden layer");
        int shared = head.separateStreams() ? hidden.length - 1 : hidden.length;
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int i = 0; i < shared; i++) {
            layers.add(linear(noise, width, hidden[i]));
            layers.add(new Relu());
            width = hidden[i];
        }
        layers.add(top(noise, width, head.separateStreams() ? hidden[shared] : 0, actions, head));
        return distributional(Sequential.of(layers), actions, head.support());
    }

    /** A Linear, or a NoisyLinear of {@code noise} when it is not null. */
    static Module linear(Noise noise, int in, int out) { return noise == null ? new Linear(in, out) : noise.linear(in, out); }

    /**
     * The last layer(s) on {@code in} features: a linear layer of actions x atoms, or a dueling head,
     * its streams each with a hidden layer of {@code streamHidden} units when that is not 0.
     */
    private static Module top(Noise noise, int in, int streamHidden, int actions, Head head) {
        int K = head.atoms();
        if (!head.dueling()) return linear(noise, in, actions * K);
        if (streamHidden == 0) return DuelingHead.withStreams(linear(noise, in, K), linear(noise, in, actions * K), actions, K);
        return DuelingHead.withStreams(new Sequential(linear(noise, in, streamHidden), new Relu(), linear(noise, streamHidden, K)),
                new Sequential(linear(noise, in, streamHidden), new Relu(), linear(noise, streamHidden, actions * K)), actions, K);
    }

    /**
     * Nature DQN (Mnih et al. 2015) on [N, frames, 84, 84] pixels 0..255: conv 32 8x8/4, 64 4x4/2,
     * 64 3x3/1, FC 512, with the scaling to [0, 1] done on the device. Parameter names are those
     * of the seed's PyTorch {@code DQN} module ({@code conv.0.weight} ... {@code fc.2.bias}), so
     * its {@code load_state_dict} takes our checkpoints.
     */
    public static Module natureCnn(int frames, int actions, boolean dueling) { return natureCnn(frames, actions, 32, 64, 64, 512, Head.of(dueling, null), null); }

    /** As above, distributional (C51) with a {@code support} that is not null (see {@link #mlp(int, int[], int, Head, Noise)}). */
    public static Module natureCnn(int frames, int actions, boolean dueling, Support support) {
        return natureCnn(frames, actions, 32, 64, 64, 512, Head.of(dueling, support), null);
    }

    /** As above with the given {@code head}; with separate dueling streams their parameters are fc.value.* and fc.advantage.*. */
    public static Module natureCnn(int frames, int actions, Head head) { return natureCnn(frames, actions, 32, 64, 64, 512, head, null); }

    /**
     * The Nature CNN's geometry (8x8/4, 4/2, 3/1 on 84x84, then a hidden layer) with other widths:
     * c1, c2, c3 channels and a hidden layer of {@code hidden} (32, 64, 64, 512 in the paper).
     */
    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden) {
        return natureCnn(frames, actions, c1, c2, c3, hidden, Head.of(dueling, null), null);
    }

    /** As above (Q values); with {@code noise} not null the fully connected layers (fc.0, fc.2) are noisy, as in CleanRL and Kaixhin. */
    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden, Noise noise) {
        return natureCnn(frames, actions, c1, c2, c3, hidden, Head.of(dueling, null), noise);
    }

    /** The general form: widths, head, and noisy fully connected layers when {@code noise} is not null. */
    public static Module natureCnn(int frames, int actions, int c1, int c2, int c3, int hidden, Head head, Noise noise) {
        int features = c3 * 7 * 7;
        Module fc = head.separateStreams() ? top(noise, features, hidden, actions, head)
                : new Sequential(linear(noise, features, hidden), new Relu(), top(noise, hidden, 0, actions, head));
        return distributional(new ScaledInput(1f / 255f, Named.of(
                "conv", new Sequential(
                        new Conv2d(frames, c1, 8, 4, 0), new Relu(),
                        new Conv2d(c1, c2, 4, 2, 0), new Relu(),
                        new Conv2d(c2, c3, 3, 1, 0), new Relu()),
                null, new Flatten(),
                "fc", fc)), actions, head.support());
    }

    private static Module distributional(Module body, int actions, Support support) {
        return support == null ? body : new Distributional(body, actions, support);
    }
}
