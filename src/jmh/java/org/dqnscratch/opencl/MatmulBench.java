package org.dqnscratch.opencl;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.openjdk.jmh.annotations.*;

/**
 * matmul_forward (a Linear layer: N x C times C x OC) through the Backend, CPU against OpenCL,
 * so the kernel's GFLOPS (2 N C OC / time) sit next to the CPU's in one run. OpenCL calls end
 * with clFinish.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class MatmulBench {
    /** N x C x OC. */
    @Param({"32x4x64", "64x256x256", "256x256x256", "32x3136x512"})
    public String shape;
    @Param({"cpu", "opencl"})
    public String backend;

    Backend b;
    OpenClBackend cl;
    Tensor out, inp, weight, bias;
    int N, C, OC;

    @Setup(Level.Trial)
    public void setup() {
        String[] d = shape.split("x");
        N = Integer.parseInt(d[0]);
        C = Integer.parseInt(d[1]);
        OC = Integer.parseInt(d[2]);
        b = backend.equals("cpu") ? new CpuBackend() : OpenClBackend.create(backend);
        cl = b instanceof OpenClBackend o ? o : null;
        Random r = new Random(1);
        inp = rand(r, N, C);
        weight = rand(r, OC, C);
        bias = rand(r, OC);
        out = b.zeros(N, OC);
    }

    Tensor rand(Random r, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        return b.fromArray(a, shape);
    }

    @Benchmark
    public void matmul_forward() {
        b.matmul_forward(out, inp, weight, bias, N, C, OC);
        if (cl != null) cl.finish();
    }
}
