package org.dqnscratch.tensor;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Conv2d forward and backward for each Nature CNN layer at batch 32 (CPU backend); the forward with its
 * ReLU fused (the network's path) against the forward then a ReLU pass (the path before the fusion).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConvBench {
    /** conv1 4->32 8x8/4 on 84x84, conv2 32->64 4x4/2 on 20x20, conv3 64->64 3x3/1 on 9x9. */
    @Param({"conv1", "conv2", "conv3"})
    public String layer;
    @Param({"1", "2"})
    public int threads;

    CpuBackend backend;
    ConvGeometry g;
    Tensor x, w, bias, y, pre, dy, dx, dw, db;

    @Setup(Level.Trial)
    public void setup() {
        g = switch (layer) {
            case "conv1" -> new ConvGeometry(32, 4, 84, 84, 32, 8, 8, 4, 0);
            case "conv2" -> new ConvGeometry(32, 32, 20, 20, 64, 4, 4, 2, 0);
            default -> new ConvGeometry(32, 64, 9, 9, 64, 3, 3, 1, 0);
        };
        WorkerPool.configure(threads);
        backend = new CpuBackend();
        Random r = new Random(1);
        x = rand(r, g.N(), g.C(), g.H(), g.W());
        w = rand(r, g.OC(), g.C(), g.KH(), g.KW());
        bias = rand(r, g.OC());
        y = backend.zeros(g.N(), g.OC(), g.OH(), g.OW());
        pre = backend.zeros(y.shape());
        dy = rand(r, g.N(), g.OC(), g.OH(), g.OW());
        dx = backend.zeros(x.shape());
        dw = backend.zeros(w.shape());
        db = backend.zeros(g.OC());
    }

    Tensor rand(Random r, int... shape) {
        float[] d = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextFloat() - 0.5f;
        return backend.fromArray(d, shape);
    }

    @Benchmark
    public Tensor forward() {
        backend.conv2d_forward(y, x, w, bias, g);
        return y;
    }

    @Benchmark
    public Tensor forwardRelu() {
        backend.conv2d_relu_forward(y, x, w, bias, g);
        return y;
    }

    @Benchmark
    public Tensor forwardThenRelu() {
        backend.conv2d_forward(pre, x, w, bias, g);
        backend.relu_forward(y, pre, y.size);
        return y;
    }

    /** dW, db and dX (the first layer of a DQN skips dX; this measures the full backward). */
    @Benchmark
    public Tensor backward() {
        backend.conv2d_backward(dx, dw, db, dy, x, w, g);
        return dw;
    }
}
