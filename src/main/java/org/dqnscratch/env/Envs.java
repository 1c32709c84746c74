package org.dqnscratch.env;

/** Environments by Gym id. */
public final class Envs {
    private Envs() {}

    public static final String[] IDS = {"CartPole-v0", "CartPole-v1", "FrozenLake-v1", "FrozenLake8x8-v1"};

    /** {@code slippery} applies to FrozenLake only. */
    public static Env make(String id, boolean slippery) {
        return switch (id) {
            case "CartPole-v0" -> CartPole.v0();
            case "CartPole-v1" -> CartPole.v1();
            case "FrozenLake-v1", "FrozenLake4x4-v1" -> FrozenLake.fourByFour(slippery);
            case "FrozenLake8x8-v1" -> FrozenLake.eightByEight(slippery);
            default -> throw new IllegalArgumentException("unknown environment '" + id + "' (" + String.join(", ", IDS) + ")");
        };
    }
}
