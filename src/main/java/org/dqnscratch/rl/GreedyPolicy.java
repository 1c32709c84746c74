package org.dqnscratch.rl;

import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Module;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/**
 * argmax_a Q(s, a) for a batch of observations (one per environment), through its own inference
 * graph: one forward pass for all environments, no allocation per call.
 */
public final class GreedyPolicy {
    private final Module network;
    private final Backend backend;
    private final Graph graph;
    private final Tensor input;
    private final int batch, observationSize, actions;
    private final float[] q;

    /** One observation of {@code observationShape} (e.g. {4} or {4, 84, 84}) per row, {@code batch} rows. */
    public GreedyPolicy(Module network, Backend backend, int[] observationShape, int actions, int batch) {
        this.network = network;
        this.backend = backend;
        this.graph = Graph.inference(backend);
        int[] shape = new int[observationShape.length + 1];
        shape[0] = batch;
        System.arraycopy(observationShape, 0, shape, 1, observationShape.length);
        this.input = backend.zeros(shape);
        this.batch = batch;
        this.observationSize = input.size / batch;
        this.actions = actions;
        this.q = new float[batch * actions];
    }

    /** A flat observation of {@code observationSize} floats, one at a time. */
    public GreedyPolicy(Module network, Backend backend, int observationSize, int actions) {
        this(network, backend, new int[] {observationSize}, actions, 1);
    }

    /** The policy of {@code net} for {@code batch} environments at once. */
    public static GreedyPolicy of(QNetwork net, Backend backend, int batch) {
        int[] shape = net.spec().pixels() ? new int[] {net.spec().atari().stack(), 84, 84} : new int[] {net.observationSize()};
        return new GreedyPolicy(net.module(), backend, shape, net.actions(), batch);
    }

    public int batch() { return batch; }

    /** Q values of {@code observations} ({@code batch} rows, flat), [batch * actions]; a view valid until the next call. */
    public float[] qValues(float[] observations) {
        if (observations.length != batch * observationSize) {
            throw new IllegalArgumentException("expected " + batch + " x " + observationSize + " observation values, got " + observations.length);
        }
        backend.upload(input, observations, 0);
        graph.reset();
        backend.download(q, 0, network.forward(graph, input));
        return q;
    }

    /** The greedy action of a one-row policy; ties go to the lowest index, NaN counts as the maximum (as the backend's argmax). */
    public int act(float[] observation) {
        return CpuBackend.argmax(qValues(observation), 0, actions);
    }

    /** Greedy actions of all rows into {@code out}. */
    public void act(float[] observations, int[] out) {
        float[] v = qValues(observations);
        for (int i = 0; i < batch; i++) out[i] = CpuBackend.argmax(v, i * actions, actions);
    }
}
