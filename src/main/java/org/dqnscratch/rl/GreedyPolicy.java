package org.dqnscratch.rl;

import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Module;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/**
 * argmax_a Q(s, a) for a batch of observations (one per environment), through its own inference
 * graph: one forward pass for all environments, no allocation per call.
 *
 * <p>A pixel network's observations (Atari frames, values 0..255 given as floats) travel to the
 * backend as bytes, 4 times fewer than floats, and become floats 0..255 there; the network's own
 * input scaling divides them by 255, as for the replay's minibatches ({@link TrainingBatch}), so
 * the Q values are bit for bit those of a float upload. A value that is not an integer in 0..255
 * has no byte: it is an error, not rounded or wrapped. Flat observations travel as floats.
 */
public final class GreedyPolicy {
    private final Module network;
    private final Backend backend;
    private final Graph graph;
    private final Tensor input;
    /** With pixels: the observations as bytes, on the host and on the backend (else null). */
    private final byte[] pixels;
    private final Tensor inputBytes;
    private final int batch, observationSize, actions;
    private final float[] q;
    /** The read-back of the last submit's Q values, until collected. */
    private Backend.Download pending;

    /** One observation of {@code observationShape} (e.g. {4} or {4, 84, 84}) per row, {@code batch} rows, uploaded as floats. */
    public GreedyPolicy(Module network, Backend backend, int[] observationShape, int actions, int batch) {
        this(network, backend, observationShape, actions, batch, false, Graph.inference(backend));
    }

    /**
     * As above; with {@code pixels} the observations must be integers 0..255 and are uploaded as bytes;
     * {@code graph}: an inference graph (acting: noisy layers add their noise) or an evaluation one (their means).
     */
    private GreedyPolicy(Module network, Backend backend, int[] observationShape, int actions, int batch, boolean pixels, Graph graph) {
        this.network = network;
        this.backend = backend;
        this.graph = graph;
        int[] shape = new int[observationShape.length + 1];
        shape[0] = batch;
        System.arraycopy(observationShape, 0, shape, 1, observationShape.length);
        this.input = backend.zeros(shape);
        this.batch = batch;
        this.observationSize = input.size / batch;
        this.actions = actions;
        this.q = new float[batch * actions];
        this.pixels = pixels ? new byte[input.size] : null;
        this.inputBytes = pixels ? backend.bytes(shape) : null;
    }

    /** A flat observation of {@code observationSize} floats, one at a time. */
    public GreedyPolicy(Module network, Backend backend, int observationSize, int actions) {
        this(network, backend, new int[] {observationSize}, actions, 1);
    }

    /** The acting policy of {@code net} for {@code batch} environments at once (a noisy network acts with its noise). */
    public static GreedyPolicy of(QNetwork net, Backend backend, int batch) { return of(net, backend, batch, Graph.inference(backend)); }

    /**
     * The greedy policy of {@code net} for evaluations: a noisy network's layers use their means (PyTorch's
     * eval mode, as Kaixhin's Rainbow evaluates), so that an evaluation depends on the parameters and the
     * seed alone; for a plain network the same as {@link #of}.
     */
    public static GreedyPolicy evaluation(QNetwork net, Backend backend, int batch) { return of(net, backend, batch, Graph.evaluation(backend)); }

    private static GreedyPolicy of(QNetwork net, Backend backend, int batch, Graph graph) {
        int[] shape = net.spec().pixels() ? new int[] {net.spec().frameStack(), 84, 84} : new int[] {net.observationSize()};
        return new GreedyPolicy(net.module(), backend, shape, net.actions(), batch, net.spec().pixels(), graph);
    }

    public int batch() { return batch; }

    /**
     * Queues the forward pass of {@code observations} ({@code batch} rows, flat) and the read-back of
     * its Q values, without waiting: the backend may go on with work queued after this call (gradient
     * steps) while {@link #collect} waits for the Q values only.
     */
    public void submit(float[] observations) {
        if (observations.length != batch * observationSize) {
            throw new IllegalArgumentException("expected " + batch + " x " + observationSize + " observation values, got " + observations.length);
        }
        if (pending != null) throw new IllegalStateException("the Q values of the last submit were not collected");
        if (pixels == null) {
            backend.upload(input, observations, 0);
        } else {
            toBytes(observations, pixels);
            backend.uploadBytes(inputBytes, 0, pixels, 0, pixels.length);
            backend.scale_u8_forward(input, inputBytes, 1f, input.size); // 0..255 as floats: the network scales them
        }
        graph.reset();
        pending = backend.downloadLater(q, 0, network.forward(graph, input));
    }

    /** The Q values of the last {@link #submit}, [batch * actions], once they are back; a view valid until the next submit. */
    public float[] collect() {
        if (pending == null) throw new IllegalStateException("no observations submitted");
        Backend.Download d = pending;
        pending = null;
        d.await();
        return q;
    }

    /** The greedy actions of all rows of the last {@link #submit} into {@code out}. */
    public void collect(int[] out) {
        float[] v = collect();
        for (int i = 0; i < batch; i++) out[i] = CpuBackend.argmax(v, i * actions, actions);
    }

    /** Q values of {@code observations} ({@code batch} rows, flat), [batch * actions]; a view valid until the next call. */
    public float[] qValues(float[] observations) {
        submit(observations);
        return collect();
    }

    /** Pixel values as bytes; each must be an integer in 0..255 (checked: a float that is not one has no byte). */
    static void toBytes(float[] values, byte[] out) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            int b = (int) v;
            if (b != v || b < 0 || b > 255) {
                throw new IllegalArgumentException("pixel observation value " + v + " (at " + i + ") is not an integer in 0..255");
            }
            out[i] = (byte) b;
        }
    }

    /** The greedy action of a one-row policy; ties go to the lowest index, NaN counts as the maximum (as the backend's argmax). */
    public int act(float[] observation) {
        return CpuBackend.argmax(qValues(observation), 0, actions);
    }

    /** Greedy actions of all rows into {@code out}. */
    public void act(float[] observations, int[] out) {
        submit(observations);
        collect(out);
    }
}
