package org.dqnscratch.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.dqnscratch.env.Env;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.Evaluation;
import org.dqnscratch.rl.GreedyPolicy;
import org.dqnscratch.rl.QNetwork;
import org.dqnscratch.tensor.Backend;

/**
 * A trained Q-network and the greedy policy it defines: what {@link Dqn#train} hands over (the
 * best network any evaluation of the run saw) and {@link Dqn#load} reads back. Its methods are
 * synchronized: one thread acts at a time.
 */
public final class Agent {
    private final QNetwork network;
    private final Backend backend;
    private final GreedyPolicy policy;
    private final Map<String, String> metadata;
    private final DqnTraining.Result result;

    Agent(QNetwork network, Backend backend, Map<String, String> metadata, DqnTraining.Result result) {
        this.network = network;
        this.backend = backend;
        this.policy = GreedyPolicy.evaluation(network, backend, 1); // a noisy network acts on its means, as evaluations do
        this.metadata = Map.copyOf(metadata);
        this.result = result;
    }

    /**
     * The greedy action for {@code observation} (as the environment returned it: flat floats, or
     * pixels 0..255): argmax over {@link #qValues}, ties to the lowest action.
     *
     * @throws IllegalArgumentException when the observation has not {@link #observationSize()} values,
     *     or (pixels) a value is not an integer in 0..255
     */
    public synchronized int act(float[] observation) {
        check(observation);
        return policy.act(observation);
    }

    /** The Q value of each action for {@code observation} (for a distributional network, the expected return); a new array. */
    public synchronized float[] qValues(float[] observation) {
        check(observation);
        return policy.qValues(observation).clone();
    }

    private void check(float[] observation) {
        if (observation.length != network.observationSize()) {
            throw new IllegalArgumentException("an observation of " + observation.length + " values; " + environment() + "'s have "
                    + network.observationSize());
        }
    }

    /**
     * Plays {@code episodes} greedy episodes in a fresh environment, episode i reset with seed
     * {@code seed + i}, and returns their returns (mean ± std). The environment is made as in
     * training: by the factory the agent was trained or loaded with, or by dqn-scratch for its own
     * environments.
     *
     * @throws IllegalArgumentException for an agent of a caller's environment loaded without its factory
     */
    public synchronized Evaluation evaluate(int episodes, long seed) {
        if (episodes < 1) throw new IllegalArgumentException("episodes must be >= 1");
        try (Env env = makeEnv(seed)) {
            return Evaluation.run(env, policy, episodes, seed, 0, null);
        }
    }

    /** A fresh environment of the kind this agent acts in, made from {@code seed}; see {@link #evaluate}. */
    public Env makeEnv(long seed) { return network.makeEnv(seed); }

    /**
     * Saves the network as a safetensors checkpoint (PyTorch names; the environment, architecture
     * and the run's metadata with it), atomically: {@link Dqn#load} and the command line's {@code eval}
     * (dqn-scratch's own environments) read it.
     */
    public synchronized void save(Path file) throws IOException {
        network.save(file, metadata);
    }

    /** The id of the environment the agent acts in (its {@link Env#id()}). */
    public String environment() { return network.spec().id(); }

    /** Values in one observation. */
    public int observationSize() { return network.observationSize(); }

    /** Actions, 0..n-1. */
    public int actions() { return network.actions(); }

    /** The directory of the run that trained this agent ({@code best.safetensors} is this network), or null for a loaded agent. */
    public Path runDirectory() { return result == null ? null : result.runDir(); }

    /**
     * The outcome of the run that trained this agent (steps, episodes, solved, the final evaluations,
     * interrupted), or null for a loaded agent.
     */
    public DqnTraining.Result trainingResult() { return result; }

    @Override public String toString() {
        return "Agent[" + environment() + ", " + network.architecture() + ", " + observationSize() + " -> " + actions() + " actions]";
    }
}
