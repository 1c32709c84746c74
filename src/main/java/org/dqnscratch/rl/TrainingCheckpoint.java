package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dqnscratch.io.CheckpointException;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * What {@code --resume} needs besides the online network ({@code last.safetensors}): the target
 * network, the optimizer's moments and step count, the loop's counters and the states of its
 * random generators, in {@code state.safetensors}; with {@code --save-replay} the replay memory
 * too. Each file is written atomically and names the step it belongs to, so a resume never mixes
 * two checkpoints.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static final String STATE = "state.safetensors", NETWORK = "last.safetensors", REPLAY = "replay.bin";

    /** The loop's position: steps, episodes, solve-check bookkeeping and generator states. */
    record Counters(long step, long episode, long lastEvalStep, double bestEval, double gradientCredit, long actRng, long sampleRng) {
        Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("step", Long.toString(step));
            m.put("episode", Long.toString(episode));
            m.put("last_eval_step", Long.toString(lastEvalStep));
            m.put("best_eval", Double.toString(bestEval));
            m.put("gradient_credit", Double.toString(gradientCredit));
            m.put("act_rng", Long.toString(actRng));
            m.put("sample_rng", Long.toString(sampleRng));
            return m;
        }

        static Counters fromMetadata(Map<String, String> m) {
            return new Counters(Long.parseLong(m.get("step")), Long.parseLong(m.get("episode")), Long.parseLong(m.get("last_eval_step")),
                    Double.parseDouble(m.get("best_eval")), Double.parseDouble(m.get("gradient_credit")),
                    Long.parseLong(m.get("act_rng")), Long.parseLong(m.get("sample_rng")));
        }
    }

    /** Writes state, replay (when given) and network, in that order; the network file last marks the checkpoint complete. */
    static void save(Path runDir, QNetwork online, QNetwork target, Optimizer optimizer, Counters c, Map<String, String> networkMeta,
                     PixelReplay replay) throws IOException {
        Backend b = online.params().backend;
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        if (target != online) tensors.put("target", flat(b, target.params().values));
        for (var e : optimizer.moments().entrySet()) tensors.put("optimizer." + e.getKey(), flat(b, e.getValue()));
        Map<String, String> meta = c.toMetadata();
        meta.put("format", "dqn-scratch-state");
        meta.put("optimizer_steps", Integer.toString(optimizer.steps()));
        meta.put("network", online.architecture());
        meta.put("parameters", Integer.toString(online.params().values.size));
        meta.put("replay", Boolean.toString(replay != null));
        SafeTensors.save(runDir.resolve(STATE), tensors, meta);
        if (replay != null) replay.save(runDir.resolve(REPLAY));
        Map<String, String> net = new LinkedHashMap<>(networkMeta);
        net.put("step", Long.toString(c.step()));
        net.remove("eval");
        online.save(runDir.resolve(NETWORK), net);
    }

    private static SafeTensors.Entry flat(Backend b, Tensor t) { return new SafeTensors.Entry(new int[] {t.size}, b.toArray(t)); }

    /**
     * Loads a checkpoint of {@code runDir} into freshly built networks and optimizer (and replay,
     * when the checkpoint has one and {@code replay} is not null); returns the counters.
     */
    static Counters load(Path runDir, QNetwork online, QNetwork target, Optimizer optimizer, PixelReplay replay) throws IOException {
        Path stateFile = runDir.resolve(STATE), netFile = runDir.resolve(NETWORK);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(netFile)) {
            throw new CheckpointException(runDir + " has no checkpoint to resume (" + STATE + " and " + NETWORK + "); was it written by a run of this version?");
        }
        SafeTensors.Contents state = SafeTensors.read(stateFile);
        Map<String, String> meta = state.metadata();
        if (!"dqn-scratch-state".equals(meta.get("format"))) throw new CheckpointException(stateFile + ": not a dqn-scratch training state");
        if (!online.architecture().equals(meta.get("network")) || !Integer.toString(online.params().values.size).equals(meta.get("parameters"))) {
            throw new CheckpointException(stateFile + ": a " + meta.get("network") + " of " + meta.get("parameters") + " parameters, but this run builds a "
                    + online.architecture() + " of " + online.params().values.size);
        }
        Counters c;
        try {
            c = Counters.fromMetadata(meta);
        } catch (RuntimeException e) {
            throw new CheckpointException(stateFile + ": bad counters (" + e.getMessage() + ")");
        }
        String netStep = SafeTensors.read(netFile).metadata().get("step");
        if (!Long.toString(c.step()).equals(netStep)) {
            throw new CheckpointException(runDir + ": " + NETWORK + " (step " + netStep + ") and " + STATE + " (step " + c.step() + ") are from different checkpoints");
        }
        SafeTensors.load(netFile, online.params());
        Backend b = online.params().backend;
        if (target != online) put(b, state, "target", target.params().values, stateFile);
        for (var e : optimizer.moments().entrySet()) put(b, state, "optimizer." + e.getKey(), e.getValue(), stateFile);
        optimizer.resumeAt(Integer.parseInt(meta.get("optimizer_steps")));
        if (replay != null && Boolean.parseBoolean(meta.get("replay"))) {
            replay.load(runDir.resolve(REPLAY));
            replay.truncateEpisodes(); // the environments start fresh episodes
        }
        return c;
    }

    private static void put(Backend b, SafeTensors.Contents state, String name, Tensor into, Path file) throws CheckpointException {
        SafeTensors.Entry e = state.tensors().get(name);
        if (e == null || e.data().length != into.size) {
            throw new CheckpointException(file + ": " + (e == null ? "no tensor '" + name + "'" : "'" + name + "' has " + e.data().length + " values, expected " + into.size)
                    + " (another optimizer or network?)");
        }
        b.upload(into, e.data(), 0);
    }
}
