package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.tensor.Backend;

/**
 * The network a run hands over: the best one its greedy evaluations have seen (periodic ones,
 * solve checks, the final one), kept in memory and as best.safetensors with its step and
 * evaluation in the metadata. Ties keep the earlier network.
 */
final class BestNetwork {
    private final QNetwork online;
    private final Backend backend;
    private final Path file;
    private final Map<String, String> meta;
    private double mean;
    private Evaluation evaluation;
    private long step = -1;
    private float[] values;

    /** {@code bestMean}: the best evaluation mean before a resume (-infinity for a new run). */
    BestNetwork(QNetwork online, Backend backend, Path file, Map<String, String> meta, double bestMean) {
        this.online = online;
        this.backend = backend;
        this.file = file;
        this.meta = meta;
        this.mean = bestMean;
    }

    /** A resumed run's best.safetensors: its weights and step; its evaluation is re-run on demand. */
    void restore() throws IOException {
        QNetwork saved = online.twin(backend);
        SafeTensors.load(file, saved.params());
        values = backend.toArray(saved.params().values);
        String at = SafeTensors.read(file).metadata().get("step");
        step = at == null ? -1 : Long.parseLong(at);
    }

    /** Keeps the online network at {@code atStep} if {@code ev} beats the best so far; true if it did. */
    boolean offer(Evaluation ev, long atStep) throws IOException {
        if (values != null && !(ev.mean() > mean)) return false;
        mean = ev.mean();
        evaluation = ev;
        step = atStep;
        values = backend.toArray(online.params().values);
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("step", Long.toString(atStep));
        m.put("eval", ev.toString());
        online.save(file, m);
        return true;
    }

    boolean any() { return values != null; }

    double mean() { return mean; }

    long step() { return step; }

    /** The best network's own copy (for its evaluation or its GIF). */
    QNetwork network() {
        QNetwork net = online.twin(backend);
        backend.upload(net.params().values, values, 0);
        return net;
    }

    /** Its evaluation; after a resume, run again on the same episodes (evaluations are deterministic). */
    Evaluation evaluation(java.util.function.Function<QNetwork, Evaluation> evaluate) {
        if (evaluation == null) evaluation = evaluate.apply(network());
        return evaluation;
    }
}
