package org.dqnscratch.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/**
 * Every backend op on the device against the CPU backend (its Java twin): the same results on
 * random shapes (odd sizes, sizes that are not multiples of the work-group) within
 * {@code tol + |ref| * eps}, plus the Nature-CNN layers at batch 32 (the shapes Pong trains on).
 * OpenClParityTest checks that every kernel has an op here.
 */
public final class ParityCases {
    private ParityCases() {}

    /** Random shapes per op. */
    public static final int SHAPES = 4;
    public static final double TOL = 1e-4, EPS = 1e-4;

    /** Runs one op on a backend with inputs drawn from {@code r}; returns every output. */
    public interface Op {
        List<float[]> run(Backend b, Random r);
    }

    /** Backend op name -> its case. */
    public static final Map<String, Op> OPS = new LinkedHashMap<>();

    static Tensor rand(Backend b, Random r, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian());
        return b.fromArray(a, shape);
    }

    static Tensor actions(Backend b, Random r, int N, int A) {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) a[i] = r.nextInt(A);
        return b.fromArray(a, N);
    }

    static int odd(Random r, int max) { return 1 + r.nextInt(max); }

    /** Atoms per action for the heads: 1 (Q values) or a distributional support of 2..60. */
    static int atoms(Random r) { return r.nextBoolean() ? 1 : 2 + r.nextInt(59); }

    /** Gaussians times {@code scale}. */
    static Tensor scaled(Backend b, Random r, float scale, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * scale);
        return b.fromArray(a, shape);
    }

    /** A loss's per-sample weights: none half the time, else importance weights in (0, 1]. */
    static Tensor weights(Backend b, Random r, int N) {
        if (r.nextBoolean()) return null;
        float[] w = new float[N];
        for (int i = 0; i < N; i++) w[i] = 1f - 0.99f * r.nextFloat();
        return b.fromArray(w, N);
    }

    static List<float[]> out(Backend b, Tensor... ts) {
        List<float[]> o = new ArrayList<>();
        for (Tensor t : ts) if (t != null) o.add(b.toArray(t));
        return o;
    }

    static {
        OPS.put("matmul_forward", (b, r) -> {
            int N = odd(r, 37), C = odd(r, 45), OC = odd(r, 33);
            Tensor y = b.zeros(N, OC), bias = r.nextBoolean() ? rand(b, r, OC) : null;
            b.matmul_forward(y, rand(b, r, N, C), rand(b, r, OC, C), bias, N, C, OC);
            return out(b, y);
        });
        OPS.put("matmul_relu_forward", (b, r) -> {
            int N = odd(r, 37), C = odd(r, 45), OC = odd(r, 33);
            Tensor y = b.zeros(N, OC), bias = r.nextBoolean() ? rand(b, r, OC) : null;
            b.matmul_relu_forward(y, rand(b, r, N, C), rand(b, r, OC, C), bias, N, C, OC);
            return out(b, y);
        });
        OPS.put("matmul_backward", (b, r) -> {
            int N = odd(r, 37), C = odd(r, 45), OC = odd(r, 33);
            Tensor dx = rand(b, r, N, C), dw = rand(b, r, OC, C), db = r.nextBoolean() ? rand(b, r, OC) : null;
            b.matmul_backward(dx, dw, db, rand(b, r, N, OC), rand(b, r, N, C), rand(b, r, OC, C), N, C, OC);
            return out(b, dx, dw, db);
        });
        OPS.put("conv2d_forward", (b, r) -> {
            ConvGeometry g = geometry(r);
            Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW()), bias = r.nextBoolean() ? rand(b, r, g.OC()) : null;
            b.conv2d_forward(y, rand(b, r, g.N(), g.C(), g.H(), g.W()), rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), bias, g);
            return out(b, y);
        });
        OPS.put("conv2d_relu_forward", (b, r) -> {
            ConvGeometry g = geometry(r);
            Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW()), bias = r.nextBoolean() ? rand(b, r, g.OC()) : null;
            b.conv2d_relu_forward(y, rand(b, r, g.N(), g.C(), g.H(), g.W()), rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), bias, g);
            return out(b, y);
        });
        OPS.put("conv2d_backward", (b, r) -> {
            ConvGeometry g = geometry(r);
            Tensor dx = rand(b, r, g.N(), g.C(), g.H(), g.W()), dw = rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), db = rand(b, r, g.OC());
            b.conv2d_backward(r.nextBoolean() ? dx : null, dw, db, rand(b, r, g.N(), g.OC(), g.OH(), g.OW()),
                    rand(b, r, g.N(), g.C(), g.H(), g.W()), rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), g);
            return out(b, dx, dw, db);
        });
        OPS.put("relu_forward", (b, r) -> {
            int n = odd(r, 999);
            Tensor y = b.zeros(n);
            b.relu_forward(y, rand(b, r, n), n);
            return out(b, y);
        });
        OPS.put("relu_backward", (b, r) -> {
            int n = odd(r, 999);
            Tensor dx = rand(b, r, n);
            b.relu_backward(dx, rand(b, r, n), rand(b, r, n), n);
            return out(b, dx);
        });
        OPS.put("relu_backward_inplace", (b, r) -> {
            int n = odd(r, 999);
            Tensor dy = rand(b, r, n);
            b.relu_backward_inplace(dy, rand(b, r, n), n);
            return out(b, dy);
        });
        OPS.put("scale_forward", (b, r) -> {
            int n = odd(r, 999);
            Tensor y = b.zeros(n);
            b.scale_forward(y, rand(b, r, n), 1f / 255f, n);
            return out(b, y);
        });
        OPS.put("scale_u8_forward", (b, r) -> {
            int n = odd(r, 999);
            byte[] pixels = new byte[n + 3];
            r.nextBytes(pixels);
            Tensor x = b.bytes(n + 3), y = b.zeros(n);
            b.uploadBytes(x, 0, pixels, 0, x.size);
            b.scale_u8_forward(y, new Tensor(x.storage, 3, n), 1f / 255f, n); // at an odd offset: bytes need no alignment
            return out(b, y);
        });
        OPS.put("gather_u8_forward", (b, r) -> {
            int tableRows = odd(r, 40), rowSize = odd(r, 90), rows = odd(r, 50);
            byte[] bytes = new byte[tableRows * rowSize + 1];
            r.nextBytes(bytes);
            float[] index = new float[rows];
            for (int i = 0; i < rows; i++) index[i] = r.nextInt(tableRows);
            Tensor table = b.bytes(bytes.length), y = b.zeros(rows * rowSize);
            b.uploadBytes(table, 0, bytes, 0, bytes.length);
            b.gather_u8_forward(y, new Tensor(table.storage, 1, tableRows * rowSize), b.fromArray(index, rows), rows, rowSize);
            return out(b, y);
        });
        OPS.put("gather_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor y = b.zeros(N);
            b.gather_forward(y, rand(b, r, N, A), actions(b, r, N, A), N, A);
            return out(b, y);
        });
        OPS.put("gather_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor dq = rand(b, r, N, A);
            b.gather_backward(dq, rand(b, r, N), actions(b, r, N, A), N, A);
            return out(b, dq);
        });
        OPS.put("max_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor m = b.zeros(N), arg = b.zeros(N);
            boolean both = r.nextBoolean();
            b.max_forward(m, both ? arg : null, rand(b, r, N, A), N, A);
            return out(b, m, arg);
        });
        OPS.put("max_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor dq = rand(b, r, N, A);
            b.max_backward(dq, rand(b, r, N), actions(b, r, N, A), N, A);
            return out(b, dq);
        });
        OPS.put("dueling_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9), K = atoms(r);
            Tensor q = b.zeros(N, A * K);
            b.dueling_forward(q, rand(b, r, N, K), rand(b, r, N, A * K), N, A, K);
            return out(b, q);
        });
        OPS.put("dueling_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9), K = atoms(r);
            Tensor dv = rand(b, r, N, K), da = rand(b, r, N, A * K);
            b.dueling_backward(dv, r.nextBoolean() ? da : null, rand(b, r, N, A * K), N, A, K);
            return out(b, dv, da);
        });
        OPS.put("td_target", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            float[] terminated = new float[N];
            for (int i = 0; i < N; i++) terminated[i] = r.nextInt(3) == 0 ? 1 : 0;
            Tensor y = b.zeros(N), online = r.nextBoolean() ? rand(b, r, N, A) : null;
            b.td_target(y, rand(b, r, N, A), online, rand(b, r, N), b.fromArray(terminated, N), 0.99f, N, A);
            return out(b, y);
        });
        OPS.put("log_softmax_forward", (b, r) -> {
            int rows = odd(r, 200), K = 2 + r.nextInt(60);
            Tensor o = b.zeros(rows, K);
            b.log_softmax_forward(o, scaled(b, r, 5, rows, K), rows, K);
            return out(b, o);
        });
        OPS.put("log_softmax_backward", (b, r) -> {
            int rows = odd(r, 200), K = 2 + r.nextInt(60);
            Tensor d = rand(b, r, rows, K), y = b.zeros(rows, K);
            b.log_softmax_forward(y, scaled(b, r, 5, rows, K), rows, K);
            b.log_softmax_backward(d, rand(b, r, rows, K), y, rows, K);
            return out(b, d);
        });
        OPS.put("categorical_q_forward", (b, r) -> {
            int rows = odd(r, 200), K = 2 + r.nextInt(60);
            Tensor q = b.zeros(rows), lp = b.zeros(rows, K);
            b.log_softmax_forward(lp, scaled(b, r, 5, rows, K), rows, K);
            b.categorical_q_forward(q, lp, -10f, r.nextBoolean() ? 10f : 2.5f, rows, K);
            return out(b, q);
        });
        OPS.put("categorical_projection", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9), K = 2 + r.nextInt(60);
            Tensor m = rand(b, r, N, K), lp = b.zeros(N * A, K);
            b.log_softmax_forward(lp, scaled(b, r, 5, N * A, K), N * A, K);
            float[] terminated = new float[N];
            for (int i = 0; i < N; i++) terminated[i] = r.nextInt(3) == 0 ? 1 : 0;
            // rewards beyond the support's ends (clamped) and, at gamma 1 with reward 0, targets on the atoms themselves
            boolean onAtoms = r.nextInt(3) == 0;
            b.categorical_projection(m, lp, actions(b, r, N, A), onAtoms ? b.zeros(N) : scaled(b, r, 6, N), b.fromArray(terminated, N),
                    onAtoms ? 1f : 0.99f, -10f, 10f, N, A, K);
            return out(b, m);
        });
        OPS.put("categorical_loss_forward", (b, r) -> {
            int N = odd(r, 300), A = odd(r, 9), K = 2 + r.nextInt(60);
            Tensor l = b.zeros(1), per = b.zeros(N);
            b.categorical_loss_forward(l, per, rand(b, r, N * A, K), actions(b, r, N, A), b.fromArray(abs(b.toArray(rand(b, r, N, K))), N, K),
                    weights(b, r, N), N, A, K);
            return out(b, l, per);
        });
        OPS.put("categorical_loss_backward", (b, r) -> {
            int N = odd(r, 300), A = odd(r, 9), K = 2 + r.nextInt(60);
            Tensor d = rand(b, r, N * A, K);
            b.categorical_loss_backward(d, rand(b, r, 1), actions(b, r, N, A), b.fromArray(abs(b.toArray(rand(b, r, N, K))), N, K),
                    weights(b, r, N), N, A, K);
            return out(b, d);
        });
        OPS.put("mse_forward", (b, r) -> {
            int N = odd(r, 700);
            Tensor l = b.zeros(1);
            b.mse_forward(l, rand(b, r, N), rand(b, r, N), weights(b, r, N), N);
            return out(b, l);
        });
        OPS.put("mse_backward", (b, r) -> {
            int N = odd(r, 700);
            Tensor d = rand(b, r, N);
            b.mse_backward(d, rand(b, r, 1), rand(b, r, N), rand(b, r, N), weights(b, r, N), N);
            return out(b, d);
        });
        OPS.put("smooth_l1_forward", (b, r) -> {
            int N = odd(r, 700);
            Tensor l = b.zeros(1);
            b.smooth_l1_forward(l, rand(b, r, N), rand(b, r, N), weights(b, r, N), r.nextBoolean() ? 1f : 0.5f, N);
            return out(b, l);
        });
        OPS.put("smooth_l1_backward", (b, r) -> {
            int N = odd(r, 700);
            Tensor d = rand(b, r, N);
            b.smooth_l1_backward(d, rand(b, r, 1), rand(b, r, N), rand(b, r, N), weights(b, r, N), r.nextBoolean() ? 1f : 0.5f, N);
            return out(b, d);
        });
        OPS.put("sgd_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), buf = rand(b, r, n);
            float momentum = r.nextBoolean() ? 0.9f : 0f;
            b.sgd_step(p, rand(b, r, n), momentum == 0 ? null : buf, 0.05f, momentum, r.nextBoolean(), r.nextBoolean(), n);
            return out(b, p, buf);
        });
        OPS.put("adam_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), m = rand(b, r, n), v = b.fromArray(abs(b.toArray(rand(b, r, n))), n);
            int t = 1 + r.nextInt(50);
            float stepSize = (float) (1e-2 / (1 - Math.pow(0.9, t))), bc2Sqrt = (float) Math.sqrt(1 - Math.pow(0.999, t));
            b.adam_step(p, rand(b, r, n), m, v, stepSize, bc2Sqrt, 0.9f, 0.999f, 1e-8f, n);
            return out(b, p, m, v);
        });
        OPS.put("rmsprop_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), sq = b.fromArray(abs(b.toArray(rand(b, r, n))), n), gavg = b.zeros(n), mom = rand(b, r, n);
            boolean centered = r.nextBoolean(), epsInside = r.nextBoolean();
            float momentum = r.nextBoolean() ? 0.95f : 0f;
            b.rmsprop_step(p, rand(b, r, n), sq, centered ? gavg : null, momentum == 0 ? null : mom, 2.5e-4f, 0.95f, 0.01f, momentum,
                    centered, epsInside, n);
            return out(b, p, sq, gavg, mom);
        });
        OPS.put("clip_by_value", (b, r) -> {
            int n = odd(r, 999);
            Tensor g = rand(b, r, n);
            b.clip_by_value(g, 0.5f, n);
            return out(b, g);
        });
        OPS.put("sum_squares", (b, r) -> {
            int n = odd(r, 5000);
            Tensor s = b.zeros(1);
            b.sum_squares(s, rand(b, r, n), n);
            return out(b, s);
        });
        OPS.put("clip_by_norm", (b, r) -> {
            int n = odd(r, 999);
            Tensor g = rand(b, r, n), s = b.zeros(1);
            b.sum_squares(s, g, n);
            b.clip_by_norm(g, s, r.nextBoolean() ? 1f : 1e4f, n);
            return out(b, g);
        });
        OPS.put("polyak", (b, r) -> {
            int n = odd(r, 999);
            Tensor t = rand(b, r, n);
            b.polyak(t, rand(b, r, n), r.nextBoolean() ? 1f : 0.3f, n);
            return out(b, t);
        });
        // ---- noisy nets (issue 21): weights (epsIn given) and biases (epsIn null, C = 1) ----
        OPS.put("noisy_weights_forward", (b, r) -> {
            boolean bias = r.nextBoolean();
            int OC = odd(r, 33), C = bias ? 1 : odd(r, 45);
            Tensor w = b.zeros(OC, C);
            b.noisy_weights_forward(w, rand(b, r, OC, C), rand(b, r, OC, C), bias ? null : rand(b, r, C), rand(b, r, OC), OC, C);
            return out(b, w);
        });
        OPS.put("noisy_weights_backward", (b, r) -> {
            boolean bias = r.nextBoolean();
            int OC = odd(r, 33), C = bias ? 1 : odd(r, 45);
            Tensor dmu = rand(b, r, OC, C), dsigma = rand(b, r, OC, C);
            b.noisy_weights_backward(r.nextBoolean() ? dmu : null, dsigma, rand(b, r, OC, C), bias ? null : rand(b, r, C), rand(b, r, OC), OC, C);
            return out(b, dmu, dsigma);
        });
    }

    static float[] abs(float[] a) {
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(a[i]);
        return a;
    }

    static ConvGeometry geometry(Random r) {
        while (true) {
            int K = odd(r, 4), pad = r.nextInt(3), H = odd(r, 9), W = odd(r, 9);
            if (H + 2 * pad < K || W + 2 * pad < K) continue;
            return new ConvGeometry(odd(r, 2), odd(r, 3), H, W, odd(r, 4), K, K, odd(r, 3), pad);
        }
    }

    /** Group {@code parity <op>}: {@link #SHAPES} random shapes of each op, then the Nature-CNN layers. */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (var e : OPS.entrySet()) {
            for (int s = 0; s < SHAPES; s++) {
                long seed = e.getKey().hashCode() * 31L + s;
                out.add(new Case("parity " + e.getKey(), "shape " + s, (b, c) -> compare(e.getValue(), seed, b, c, TOL)));
            }
        }
        out.addAll(nature());
        return out;
    }

    /** The device against a fresh CPU backend from the same random inputs. */
    static void compare(Op op, long seed, Backend device, Check c, double tol) {
        List<float[]> want = op.run(new CpuBackend(), new Random(seed)), got = op.run(device, new Random(seed));
        if (want.size() != got.size()) c.fail(want.size() + " outputs on the CPU, " + got.size() + " on the device");
        for (int k = 0; k < Math.min(want.size(), got.size()); k++) {
            float[] w = want.get(k), g = got.get(k);
            if (w.length != g.length) {
                c.fail("output " + k + ": length " + g.length + ", expected " + w.length);
                continue;
            }
            for (int i = 0; i < w.length; i++) {
                c.error("output " + k + " at " + i + ": java " + w[i] + " vs device " + g[i], Math.abs(w[i] - g[i]), tol + Math.abs(w[i]) * EPS);
            }
        }
    }

    /**
     * The layers of the Nature CNN (4x84x84 frames, 6 actions) at batch 32, forward and backward:
     * the big reductions where vendor compilers' work-group limits and reduction orders show. Inputs
     * are pixels in [0, 1], weights of PyTorch's default size and small output gradients, so that
     * the sums (up to 32*20*20 terms for conv1's weight gradient) have training's magnitudes.
     */
    static List<Case> nature() {
        List<Case> out = new ArrayList<>();
        int N = 32;
        ConvGeometry[] convs = {
            new ConvGeometry(N, 4, 84, 84, 32, 8, 8, 4, 0),
            new ConvGeometry(N, 32, 20, 20, 64, 4, 4, 2, 0),
            new ConvGeometry(N, 64, 9, 9, 64, 3, 3, 1, 0)};
        for (int l = 0; l < convs.length; l++) {
            ConvGeometry g = convs[l];
            float ws = (float) (1 / Math.sqrt(g.C() * g.KH() * g.KW()));
            Op fwd = convForward(g, ws, false), fused = convForward(g, ws, true);
            Op bwd = (b, r) -> {
                Tensor dx = b.zeros(g.N(), g.C(), g.H(), g.W()), dw = b.zeros(g.OC(), g.C(), g.KH(), g.KW()), db = b.zeros(g.OC());
                b.conv2d_backward(dx, dw, db, gauss(b, r, 1e-2f, g.N(), g.OC(), g.OH(), g.OW()),
                        uniform(b, r, 1, g.N(), g.C(), g.H(), g.W()), gauss(b, r, ws, g.OC(), g.C(), g.KH(), g.KW()), g);
                return out(b, dx, dw, db);
            };
            String name = "conv" + (l + 1) + " " + g.C() + "x" + g.H() + "x" + g.W() + " -> " + g.OC() + "x" + g.OH() + "x" + g.OW();
            out.add(new Case("parity nature-cnn N=32", name + " forward", (b, c) -> compare(fwd, 7, b, c, TOL)));
            out.add(new Case("parity nature-cnn N=32", name + " forward+relu", (b, c) -> compare(fused, 7, b, c, TOL)));
            out.add(new Case("parity nature-cnn N=32", name + " backward", (b, c) -> compare(bwd, 8, b, c, TOL)));
        }
        int[][] fcs = {{3136, 512}, {512, 6}};
        for (int[] fc : fcs) {
            int C = fc[0], OC = fc[1];
            float ws = (float) (1 / Math.sqrt(C));
            Op fwd = (b, r) -> {
                Tensor y = b.zeros(N, OC);
                b.matmul_forward(y, uniform(b, r, 1, N, C), gauss(b, r, ws, OC, C), gauss(b, r, ws, OC), N, C, OC);
                return out(b, y);
            };
            Op fused = (b, r) -> {
                Tensor y = b.zeros(N, OC);
                b.matmul_relu_forward(y, uniform(b, r, 1, N, C), gauss(b, r, ws, OC, C), gauss(b, r, ws, OC), N, C, OC);
                return out(b, y);
            };
            Op bwd = (b, r) -> {
                Tensor dx = b.zeros(N, C), dw = b.zeros(OC, C), db = b.zeros(OC);
                b.matmul_backward(dx, dw, db, gauss(b, r, 1e-2f, N, OC), uniform(b, r, 1, N, C), gauss(b, r, ws, OC, C), N, C, OC);
                return out(b, dx, dw, db);
            };
            String name = "fc " + C + " -> " + OC;
            out.add(new Case("parity nature-cnn N=32", name + " forward", (b, c) -> compare(fwd, 9, b, c, TOL)));
            out.add(new Case("parity nature-cnn N=32", name + " forward+relu", (b, c) -> compare(fused, 9, b, c, TOL)));
            out.add(new Case("parity nature-cnn N=32", name + " backward", (b, c) -> compare(bwd, 10, b, c, TOL)));
        }
        return out;
    }

    /** A Nature-CNN conv layer's forward (with the ReLU fused when {@code relu}) on pixels in [0, 1]. */
    static Op convForward(ConvGeometry g, float ws, boolean relu) {
        return (b, r) -> {
            Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW()), x = uniform(b, r, 1, g.N(), g.C(), g.H(), g.W());
            Tensor w = gauss(b, r, ws, g.OC(), g.C(), g.KH(), g.KW()), bias = gauss(b, r, ws, g.OC());
            if (relu) b.conv2d_relu_forward(y, x, w, bias, g);
            else b.conv2d_forward(y, x, w, bias, g);
            return out(b, y);
        };
    }

    static Tensor gauss(Backend b, Random r, float scale, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() * scale;
        return b.fromArray(a, shape);
    }

    static Tensor uniform(Backend b, Random r, float max, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * max;
        return b.fromArray(a, shape);
    }
}
