package org.dqnscratch.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;

/**
 * The fused ops against what they replace, on one backend and to the bit: matmul_relu_forward and
 * conv2d_relu_forward against the layer's op then relu_forward, relu_backward_inplace against
 * relu_backward into a zeroed buffer. The parity cases compare the fused kernels across backends;
 * these pin each backend to its own unfused floats.
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

    private static int in(Random r, int min, int max) { return min + r.nextInt(max - min + 1); }

    /**
     * Group {@code fused <op>}: random shapes (tails of every tile, K over one block) and the Nature CNN's
     * fused layers at batch 32.
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
        return out;
    }
}
