package org.dqnscratch.rl;

import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Module;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/** argmax_a Q(s, a) for one observation, through its own inference graph (no allocation per call). */
public final class GreedyPolicy {
    private final Module network;
    private final Backend backend;
    private final Graph graph;
    private final Tensor input;
    private final float[] q;

    public GreedyPolicy(Module network, Backend backend, int observationSize, int actions) {
        this.network = network;
        this.backend = backend;
        this.graph = Graph.inference(backend);
        this.input = backend.zeros(1, observationSize);
        this.q = new float[actions];
    }

    /** Q values of {@code observation} (a view valid until the next call). */
    public float[] qValues(float[] observation) {
        backend.upload(input, observation, 0);
        graph.reset();
        backend.download(q, 0, network.forward(graph, input));
        return q;
    }

    /** The greedy action; ties go to the lowest index, as numpy/torch argmax. */
    public int act(float[] observation) {
        float[] v = qValues(observation);
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
