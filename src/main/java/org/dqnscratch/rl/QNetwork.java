package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.Envs;
import org.dqnscratch.io.CheckpointException;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Backend;

/**
 * An MLP Q-network together with what is needed to rebuild it from a checkpoint: the
 * environment it acts in and its architecture, stored in the safetensors metadata.
 */
public record QNetwork(Module module, Parameters params, String env, boolean slippery, int[] hidden, boolean dueling) {
    public static QNetwork create(Backend backend, String envId, boolean slippery, int[] hidden, boolean dueling) {
        Env env = Envs.make(envId, slippery);
        Module m = Networks.mlp(env.observationSpace().size(), hidden, env.actionSpace().n(), dueling);
        return new QNetwork(m, Parameters.allocate(backend, m), envId, slippery, hidden.clone(), dueling);
    }

    /** A fresh environment of the kind this network was trained on. */
    public Env makeEnv() { return Envs.make(env, slippery); }

    /** Saves the parameters (PyTorch names) with the architecture and {@code extra} as metadata, atomically. */
    public void save(Path file, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "dqn-scratch");
        meta.put("env", env);
        meta.put("slippery", Boolean.toString(slippery));
        meta.put("hidden", Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        meta.put("dueling", Boolean.toString(dueling));
        meta.putAll(extra);
        SafeTensors.save(file, params, meta);
    }

    /** Rebuilds the network a checkpoint describes and loads it (strict: every tensor, exact shapes). */
    public static QNetwork load(Backend backend, Path file) throws IOException {
        Map<String, String> meta = SafeTensors.read(file).metadata();
        String env = meta.get("env"), hidden = meta.get("hidden");
        if (env == null || hidden == null) {
            throw new CheckpointException(file + ": no dqn-scratch metadata (env, hidden); was it saved by dqn-scratch?");
        }
        int[] widths;
        try {
            widths = hidden.isBlank() ? new int[0] : Arrays.stream(hidden.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": bad 'hidden' metadata '" + hidden + "'");
        }
        QNetwork net;
        try {
            net = create(backend, env, Boolean.parseBoolean(meta.get("slippery")), widths, Boolean.parseBoolean(meta.get("dueling")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
        SafeTensors.load(file, net.params());
        return net;
    }
}
