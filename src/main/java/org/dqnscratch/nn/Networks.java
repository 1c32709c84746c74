package org.dqnscratch.nn;

import java.util.ArrayList;
import java.util.List;

/** The Q-networks DQN uses, laid out as the PyTorch nn.Sequential of the same recipe. */
public final class Networks {
    private Networks() {}

    /** in -> hidden... (ReLU) -> actions, or a dueling head over the last hidden layer. */
    public static Module mlp(int in, int[] hidden, int actions, boolean dueling) {
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(new Linear(width, h));
            layers.add(new Relu());
            width = h;
        }
        layers.add(dueling ? new DuelingHead(width, actions) : new Linear(width, actions));
        return Sequential.of(layers);
    }

    /**
     * Nature DQN (Mnih et al. 2015) on [N, frames, 84, 84] pixels 0..255: conv 32 8x8/4, 64 4x4/2,
     * 64 3x3/1, FC 512, with the scaling to [0, 1] done on the device. Parameter names are those
     * of the seed's PyTorch {@code DQN} module ({@code conv.0.weight} ... {@code fc.2.bias}), so
     * its {@code load_state_dict} takes our checkpoints.
     */
    public static Module natureCnn(int frames, int actions, boolean dueling) {
        return new ScaledInput(1f / 255f, Named.of(
                "conv", new Sequential(
                        new Conv2d(frames, 32, 8, 4, 0), new Relu(),
                        new Conv2d(32, 64, 4, 2, 0), new Relu(),
                        new Conv2d(64, 64, 3, 1, 0), new Relu()),
                null, new Flatten(),
                "fc", new Sequential(
                        new Linear(64 * 7 * 7, 512), new Relu(),
                        dueling ? new DuelingHead(512, actions) : new Linear(512, actions))));
    }
}
