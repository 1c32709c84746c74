package org.dqnscratch.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.dqnscratch.nn.Conv2d;
import org.dqnscratch.nn.DuelingHead;
import org.dqnscratch.nn.Flatten;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Named;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Param;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Relu;
import org.dqnscratch.nn.ScaledInput;
import org.dqnscratch.nn.Sequential;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;

/**
 * The fused layers against what they replace, on one backend and to the bit: matmul_relu_forward and
 * conv2d_relu_forward against the layer's op then relu_forward, relu_backward_inplace against
 * relu_backward into a zeroed buffer, and networks that {@link Sequential} fuses against the same
 * networks run one module at a time (outputs, parameter and input gradients). The parity cases compare
 * the fused kernels across backends; these pin each backend to its own unfused floats.
 */
public final class FusionCases {
    private FusionCases() {}

    static final int SHAPES = 3;
    /** The Nature CNN's conv layers, fused with their ReLUs in the network, as [C, H, W, OC, K, stride]. */
    static final int[][] NATURE_CONVS = {{4, 84, 84, 32, 8, 4}, {32, 20, 20, 64, 4, 2}, {64, 9, 9, 64, 3, 1}};

    public static ConvGeometry natureConv(int layer, int N) {
        int[] l = NATURE_CONVS[layer];
        return new ConvGeometry(N, l[0], l[1], l[2], l[3], l[4], l[4], l[5], 0);
    }

    /** Fresh values in the output, so that an element the fused op fails to write shows. */
    public static void matmulRelu(Backend b, Check c, int N, int C, int OC, boolean withBias, long seed) {
        Random r = new Random(seed);
        Tensor x = ParityCases.rand(b, r, N, C), w = ParityCases.rand(b, r, OC, C), bias = withBias ? ParityCases.rand(b, r, OC) : null;
        Tensor pre = b.zeros(N, OC), want = b.zeros(N, OC), got = ParityCases.rand(b, r, N, OC);
        b.matmul_forward(pre, x, w, bias, N, C, OC);
        b.relu_forward(want, pre, N * OC);
        b.matmul_relu_forward(got, x, w, bias, N, C, OC);
        c.same("matmul_relu_forward " + N + "x" + C + " -> " + OC, b.toArray(want), b.toArray(got));
    }

    public static void conv2dRelu(Backend b, Check c, ConvGeometry g, boolean withBias, long seed) {
        Random r = new Random(seed);
        Tensor x = ParityCases.rand(b, r, g.N(), g.C(), g.H(), g.W()), w = ParityCases.rand(b, r, g.OC(), g.C(), g.KH(), g.KW());
        Tensor bias = withBias ? ParityCases.rand(b, r, g.OC()) : null;
        Tensor pre = b.zeros(g.N(), g.OC(), g.OH(), g.OW()), want = b.zeros(pre.shape()), got = ParityCases.rand(b, r, pre.shape());
        b.conv2d_forward(pre, x, w, bias, g);
        b.relu_forward(want, pre, pre.size);
        b.conv2d_relu_forward(got, x, w, bias, g);
        c.same("conv2d_relu_forward " + g, b.toArray(want), b.toArray(got));
    }

    /** With the values where a mask can go wrong (+-0, NaN, infinities, denormals) among random ones, in both inputs. */
    public static void reluBackwardInplace(Backend b, Check c, int n, long seed) {
        Random r = new Random(seed);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
        float[] y = GradCheck.random(r, n, 1), dy = GradCheck.random(r, n, 1);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(3) == 0) y[i] = special[r.nextInt(special.length)];
            if (r.nextInt(3) == 0) dy[i] = special[r.nextInt(special.length)];
        }
        Tensor out = b.fromArray(y, n), want = b.zeros(n), got = b.fromArray(dy, n);
        b.relu_backward(want, got, out, n);
        b.relu_backward_inplace(got, out, n);
        c.same("relu_backward_inplace n=" + n, b.toArray(want), b.toArray(got));
    }

    /**
     * {@code m} where Sequential cannot fuse it (not a ReluFusable): it and the Relu after it run as two
     * ops, as before the fusion. Declares m's parameters under m's names.
     */
    record Unfused(Module m) implements Module {
        @Override public Tensor forward(Graph g, Tensor x) { return m.forward(g, x); }

        @Override public void declare(Parameters.Builder params, String prefix) { m.declare(params, prefix); }
    }

    /** The Nature CNN of {@link Networks#natureCnn}, spelled out with its conv and fc layers unfused. */
    public static Module natureCnnUnfused(int frames, int actions, boolean dueling) {
        return new ScaledInput(1f / 255f, Named.of(
                "conv", new Sequential(
                        new Unfused(new Conv2d(frames, 32, 8, 4, 0)), new Relu(),
                        new Unfused(new Conv2d(32, 64, 4, 2, 0)), new Relu(),
                        new Unfused(new Conv2d(64, 64, 3, 1, 0)), new Relu()),
                null, new Flatten(),
                "fc", new Sequential(
                        new Unfused(new Linear(64 * 7 * 7, 512)), new Relu(),
                        dueling ? new DuelingHead(512, actions) : new Linear(512, actions))));
    }

    /** The MLP of {@link Networks#mlp}, its hidden layers unfused. */
    public static Module mlpUnfused(int in, int[] hidden, int actions, boolean dueling) {
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(new Unfused(new Linear(width, h)));
            layers.add(new Relu());
            width = h;
        }
        layers.add(dueling ? new DuelingHead(width, actions) : new Linear(width, actions));
        return Sequential.of(layers);
    }

    /**
     * One training pass (forward, backward of a random output gradient) through the fused network and
     * the unfused one with the same parameters: the same names in the same order, and the same bits in
     * the output, every parameter gradient and the input gradient. {@code pixels}: inputs 0..255 that take
     * no gradient (the CNN scales them first), else inputs in [0, 2) that do.
     */
    public static void network(Backend b, Check c, Supplier<Module> fused, Supplier<Module> unfused, int[] inputShape, boolean pixels,
                               long seed) {
        Module f = fused.get(), u = unfused.get();
        Parameters pf = Parameters.allocate(b, f), pu = Parameters.allocate(b, u);
        List<String> names = pf.list().stream().map((Param p) -> p.name).toList();
        List<String> unfusedNames = pu.list().stream().map((Param p) -> p.name).toList();
        if (!names.equals(unfusedNames)) {
            c.fail("parameter names " + names + ", unfused " + unfusedNames);
            return;
        }
        Init.TORCH_DEFAULT.apply(pf, seed);
        pu.updateFrom(pf, 1f);
        Random r = new Random(seed);
        float[] input = new float[Tensor.sizeOf(inputShape)];
        for (int i = 0; i < input.length; i++) input[i] = pixels ? r.nextInt(256) : r.nextFloat() * 2;
        float[][] results = null;
        float[] dOut = null;
        for (int k = 0; k < 2; k++) {
            Module net = k == 0 ? u : f;
            Parameters p = k == 0 ? pu : pf;
            Tensor x = pixels ? b.fromArray(input, inputShape) : GradCheck.leaf(b, input, inputShape);
            Graph g = Graph.training(b);
            Tensor out = net.forward(g, x);
            if (dOut == null) dOut = GradCheck.random(r, out.size, 1);
            p.zeroGrad();
            g.backward(out, b.fromArray(dOut, out.shape()));
            float[] o = b.toArray(out), pg = b.toArray(p.grads), xg = pixels ? new float[0] : b.toArray(x.grad);
            if (k == 0) {
                results = new float[][] {o, pg, xg};
            } else {
                c.same("output", results[0], o);
                c.same("parameter gradients", results[1], pg);
                c.same("input gradient", results[2], xg);
            }
        }
    }

    private static int in(Random r, int min, int max) { return min + r.nextInt(max - min + 1); }

    /**
     * Group {@code fused <op>}: random shapes (tails of every tile, K over one block) and the Nature CNN's
     * fused layers at batch 32; group {@code fused network}: an MLP with a dueling head and the Nature CNN.
     */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        Random r = new Random(10);
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int N = in(r, 1, 64), C = in(r, 1, 600), OC = in(r, 1, 70);
            boolean bias = s != 0;
            out.add(new Case("fused matmul_relu_forward", N + "x" + C + " -> " + OC + (bias ? "" : " no bias"),
                    (b, c) -> matmulRelu(b, c, N, C, OC, bias, seed)));
        }
        out.add(new Case("fused matmul_relu_forward", "fc 3136 -> 512 N=32", (b, c) -> matmulRelu(b, c, 32, 3136, 512, true, 1)));
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            ConvGeometry g = ParityCases.geometry(r);
            boolean bias = s != 0;
            out.add(new Case("fused conv2d_relu_forward", g + (bias ? "" : " no bias"), (b, c) -> conv2dRelu(b, c, g, bias, seed)));
        }
        for (int l = 0; l < NATURE_CONVS.length; l++) {
            ConvGeometry g = natureConv(l, 32);
            out.add(new Case("fused conv2d_relu_forward", "conv" + (l + 1) + " N=32", (b, c) -> conv2dRelu(b, c, g, true, 2)));
        }
        for (int s = 0; s < SHAPES; s++) {
            long seed = r.nextLong();
            int n = in(r, 1, 999);
            out.add(new Case("fused relu_backward_inplace", "n=" + n, (b, c) -> reluBackwardInplace(b, c, n, seed)));
        }
        out.add(new Case("fused network", "mlp 6-17-9 dueling N=5", (b, c) -> network(b, c,
                () -> Networks.mlp(6, new int[] {17, 9}, 3, true), () -> mlpUnfused(6, new int[] {17, 9}, 3, true), new int[] {5, 6}, false, 3)));
        out.add(new Case("fused network", "nature-cnn N=2", (b, c) -> network(b, c,
                () -> Networks.natureCnn(4, 6, false), () -> natureCnnUnfused(4, 6, false), new int[] {2, 4, 84, 84}, true, 4)));
        return out;
    }
}
