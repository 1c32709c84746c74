package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.CheckpointException;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Noise;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Support;
import org.dqnscratch.tensor.Backend;

/**
 * A Q-network together with what is needed to rebuild it from a checkpoint: the environment it
 * acts in and its architecture (an MLP over a flat observation, or the Nature CNN over stacked
 * Atari frames; dueling or not; distributional over a {@code support}, or not when it is null),
 * stored in the safetensors metadata.
 *
 * <p>{@code noise}: the noisy layers of a noisy network (--noisy, issue 21; metadata "noisy"), null
 * for a plain one. Its noise vectors are not saved: a checkpoint holds the four PyTorch parameters
 * of each NoisyLinear, not the weight_epsilon / bias_epsilon buffers (PyTorch loads it with
 * {@code strict=False}, and its next {@code reset_noise()} fills them); the training loop redraws
 * the noise from its saved generator state instead (see {@link NoisyExploration}).
 */
public record QNetwork(Module module, Parameters params, EnvSpec spec, int observationSize, int actions, int[] hidden, Networks.Head head,
                       Noise noise) {
    public static QNetwork create(Backend backend, EnvSpec spec, int observationSize, int actions, int[] hidden, boolean dueling) {
        return create(backend, spec, observationSize, actions, hidden, Networks.Head.of(dueling, null), false);
    }

    /** With {@code noisy}, the fully connected layers are NoisyLinear. */
    public static QNetwork create(Backend backend, EnvSpec spec, int observationSize, int actions, int[] hidden, boolean dueling, boolean noisy) {
        return create(backend, spec, observationSize, actions, hidden, Networks.Head.of(dueling, null), noisy);
    }

    /**
     * With a distributional head, a C51 network ({@link org.dqnscratch.nn.Distributional}); with
     * {@code noisy}, the fully connected layers are NoisyLinear ({@link Networks}).
     */
    public static QNetwork create(Backend backend, EnvSpec spec, int observationSize, int actions, int[] hidden, Networks.Head head,
                                  boolean noisy) {
        Noise noise = noisy ? new Noise() : null;
        Module m = spec.pixels() ? Networks.natureCnn(spec.frameStack(), actions, 32, 64, 64, 512, head, noise)
                : Networks.mlp(observationSize, hidden, actions, head, noise);
        return new QNetwork(m, Parameters.allocate(backend, m), spec, observationSize, actions, spec.pixels() ? new int[0] : hidden.clone(), head,
                noise);
    }

    /** True for a network with noisy layers. */
    public boolean noisy() { return noise != null; }

    /** A network of the same architecture for the same environment (a target network). */
    public QNetwork twin(Backend backend) { return create(backend, spec, observationSize, actions, hidden, head, noisy()); }

    public boolean dueling() { return head.dueling(); }

    /** The support of a distributional network, or null. */
    public Support support() { return head.support(); }

    /** This network for the environments of {@code spec} (the same kind: a caller's factory given again to a loaded network). */
    public QNetwork withSpec(EnvSpec spec) { return new QNetwork(module, params, spec, observationSize, actions, hidden, head, noise); }

    /** "nature-cnn" or "mlp". */
    public String architecture() { return spec.pixels() ? "nature-cnn" : "mlp"; }

    /** A fresh environment of the kind this network was trained on. */
    public Env makeEnv(long seed) { return spec.make(seed); }

    /** Saves the parameters (PyTorch names) with the architecture and {@code extra} as metadata, atomically. */
    public void save(Path file, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "dqn-scratch");
        meta.putAll(spec.metadata());
        meta.put("network", architecture());
        meta.put("observation_size", Integer.toString(observationSize));
        meta.put("actions", Integer.toString(actions));
        meta.put("hidden", Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        meta.put("dueling", Boolean.toString(head.dueling()));
        if (head.separateStreams()) meta.put("dueling_streams", "true"); // absent: the streams share the last hidden layer
        Support support = head.support();
        if (support != null) { // a distributional network; absent: Q values
            meta.put("atoms", Integer.toString(support.atoms()));
            meta.put("v_min", Float.toString(support.vMin()));
            meta.put("v_max", Float.toString(support.vMax()));
        }
        if (noisy()) meta.put("noisy", "true"); // absent: a plain network, as every checkpoint before issue 21
        meta.putAll(extra);
        SafeTensors.save(file, params, meta);
    }

    /** Rebuilds the network a checkpoint describes and loads it (strict: every tensor, exact shapes). */
    public static QNetwork load(Backend backend, Path file) throws IOException { return load(backend, file, null); }

    /** As {@link #load(Backend, Path)}, with {@code rom} (may be null) for the Atari game's ROM. */
    public static QNetwork load(Backend backend, Path file, Path rom) throws IOException {
        Map<String, String> meta = SafeTensors.read(file).metadata();
        String env = meta.get("env"), hidden = meta.get("hidden");
        if (env == null || hidden == null) {
            throw new CheckpointException(file + ": no dqn-scratch metadata (env, hidden); was it saved by dqn-scratch?");
        }
        try {
            int[] widths = hidden.isBlank() ? new int[0] : Arrays.stream(hidden.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            EnvSpec spec = EnvSpec.fromMetadata(meta, rom);
            int obs, actions;
            if (meta.containsKey("actions")) {
                obs = Integer.parseInt(meta.get("observation_size"));
                actions = Integer.parseInt(meta.get("actions"));
            } else { // checkpoints written before the sizes were stored: ask the environment
                try (Env e = spec.make(0)) {
                    obs = e.observationSpace().size();
                    actions = e.actionSpace().n();
                }
            }
            Support support = meta.containsKey("atoms")
                    ? new Support(Integer.parseInt(meta.get("atoms")), Float.parseFloat(meta.getOrDefault("v_min", "")),
                    Float.parseFloat(meta.getOrDefault("v_max", ""))) : null;
            Networks.Head head = new Networks.Head(Boolean.parseBoolean(meta.get("dueling")), Boolean.parseBoolean(meta.get("dueling_streams")), support);
            QNetwork net = create(backend, spec, obs, actions, widths, head, Boolean.parseBoolean(meta.get("noisy")));
            SafeTensors.load(file, net.params());
            return net;
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": bad metadata (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
    }
}
