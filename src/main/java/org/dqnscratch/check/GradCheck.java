package org.dqnscratch.check;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * Finite-difference gradient check of f: (graph) -> output against the tape's backward.
 * The scalar checked is L = sum(out * dy) with a fixed random dy; inputs are perturbed one
 * element at a time (a random sample of elements for big tensors) by +-eps, L recomputed in
 * double, and (L+ - L-) / 2 eps compared with the analytic gradient.
 */
public final class GradCheck {
    private GradCheck() {}

    public static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /**
     * @param wrt tensors whose gradient is checked (inputs with a grad buffer, parameters)
     * @param eps step; ops linear in the checked tensor are exact for any eps
     */
    public static void check(Backend b, Check c, Function<Graph, Tensor> f, List<Tensor> wrt, double eps, double atol, double rtol,
                             long seed) {
        Random r = new Random(seed);
        Graph train = Graph.training(b);
        Tensor out = f.apply(train);
        Tensor dy = b.fromArray(random(r, out.size, 1.0), out.shape());
        for (Tensor t : wrt) b.fill(t.grad, 0f);
        train.backward(out, dy);
        float[] dyv = b.toArray(dy);

        Graph probe = Graph.inference(b);
        for (Tensor t : wrt) {
            float[] analytic = b.toArray(t.grad), values = b.toArray(t);
            int samples = Math.min(values.length, 40);
            for (int s = 0; s < samples; s++) {
                int i = values.length <= 40 ? s : r.nextInt(values.length);
                float orig = values[i];
                values[i] = (float) (orig + eps);
                b.upload(t, values, 0);
                double plus = dot(b, f, probe, dyv);
                values[i] = (float) (orig - eps);
                b.upload(t, values, 0);
                double minus = dot(b, f, probe, dyv);
                values[i] = orig;
                b.upload(t, values, 0);
                double h = (double) (float) (orig + eps) - (float) (orig - eps);
                double numeric = (plus - minus) / h;
                c.error("d/d " + t + "[" + i + "]: analytic " + analytic[i] + ", finite difference " + numeric,
                        Math.abs(numeric - analytic[i]), atol + rtol * Math.max(Math.abs(numeric), Math.abs(analytic[i])));
            }
        }
    }

    private static double dot(Backend b, Function<Graph, Tensor> f, Graph probe, float[] dy) {
        probe.reset();
        float[] out = b.toArray(f.apply(probe));
        double s = 0;
        for (int i = 0; i < out.length; i++) s += (double) out[i] * dy[i];
        return s;
    }

    /** A leaf input that takes a gradient. */
    public static Tensor leaf(Backend b, float[] data, int... shape) {
        Tensor t = b.fromArray(data, shape);
        t.grad = b.zeros(shape);
        return t;
    }
}
