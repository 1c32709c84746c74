package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;

/** The Q-networks DQN uses, laid out as the PyTorch nn.Sequential of the same recipe. */
public final class Networks {
    private Networks() {}

    /** in -> hidden... (ReLU) -> actions, or a dueling head over the last hidden layer. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling) { return mlp(in, hidden, actions, dueling, null); }

    /**
     * As above; with a {@code support} (not null) the network is distributional (C51): the head gives
     * the support's atoms for each action ({@link Distributional}), dueling per atom.
     */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling, Support support) {
        int K = support == null ? 1 : support.atoms();
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(new Linear(width, h));
            layers.add(new Relu());
            width = h;
        }
        layers.add(dueling ? new DuelingHead(width, actions, K) : new Linear(width, actions * K));
        return distributional(Sequential.of(layers), actions, support);
    }

    /**
     * Nature DQN (Mnih et al. 2015) on [N, frames, 84, 84] pixels 0..255: conv 32 8x8/4, 64 4x4/2,
     * 64 3x3/1, FC 512, with the scaling to [0, 1] done on the device. Parameter names are those
     * of the seed's PyTorch {@code DQN} module ({@code conv.0.weight} ... {@code fc.2.bias}), so
     * its {@code load_state_dict} takes our checkpoints.
     */
    public static Module natureCnn(int frames, int actions, boolean dueling) { return natureCnn(frames, actions, dueling, null); }

    /** As above, distributional (C51) with a {@code support} that is not null (see {@link #mlp(int, int[], int, boolean, Support)}). */
    public static Module natureCnn(int frames, int actions, boolean dueling, Support support) {
        return natureCnn(frames, actions, dueling, 32, 64, 64, 512, support);
    }

    /**
     * The Nature CNN's geometry (8x8/4, 4/2, 3/1 on 84x84, then a hidden layer) with other widths:
     * c1, c2, c3 channels and a hidden layer of {@code hidden} (32, 64, 64, 512 in the paper).
     */
    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden) {
        return natureCnn(frames, actions, dueling, c1, c2, c3, hidden, null);
    }

    public static Module natureCnn(int frames, int actions, boolean dueling, int c1, int c2, int c3, int hidden, Support support) {
        int K = support == null ? 1 : support.atoms();
        return distributional(new ScaledInput(1f / 255f, Named.of(
                "conv", new Sequential(
                        new Conv2d(frames, c1, 8, 4, 0), new Relu(),
                        new Conv2d(c1, c2, 4, 2, 0), new Relu(),
                        new Conv2d(c2, c3, 3, 1, 0), new Relu()),
                null, new Flatten(),
                "fc", new Sequential(
                        new Linear(c3 * 7 * 7, hidden), new Relu(),
                        dueling ? new DuelingHead(hidden, actions, K) : new Linear(hidden, actions * K)))), actions, support);
    }

    private static Module distributional(Module body, int actions, Support support) {
        return support == null ? body : new Distributional(body, actions, support);
    }
}
