package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** The kernel sources (resources {@code kernels/*.cl}), compiled once per context into one program. */
public final class Kernels {
    private Kernels() {}

    /** In compile order (reduce.cl and gemm.cl define what later files use). The parity test checks this lists every file. */
    public static final String[] FILES = {"reduce.cl", "gemm.cl", "dense.cl", "conv.cl", "elementwise.cl", "qhead.cl", "loss.cl", "optim.cl", "noisy.cl"};

    /**
     * Kernels launched by several ops, with those ops: they have no Java twin of their own and are
     * checked through these ops' parity cases. Every other kernel is an op ({@code name}) or part of
     * one ({@code op__part}).
     */
    public static final Map<String, List<String>> SHARED = Map.of(
            "gemm_sum_splits", List.of("matmul_forward", "matmul_relu_forward", "matmul_backward", "conv2d_forward", "conv2d_relu_forward",
                    "conv2d_backward"),
            "sum_partials", List.of("mse_forward", "smooth_l1_forward", "categorical_loss_forward", "sum_squares"));

    public static String source(String file) {
        try (InputStream in = Kernels.class.getResourceAsStream("/kernels/" + file)) {
            if (in == null) throw new OpenClException("kernel source kernels/" + file + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OpenClException("reading kernels/" + file + ": " + e.getMessage());
        }
    }

    /** The built program, its tile sizes, and one kernel object per kernel for queries (launches make their own: {@link Launcher}). */
    record Program(cl_program program, Tuning tuning, Map<String, cl_kernel> kernels) {
        void release() {
            for (cl_kernel k : kernels.values()) clReleaseKernel(k);
            clReleaseProgram(program);
        }
    }

    /**
     * Builds every file into one program with the tuning's tile sizes (-D defines) and creates all
     * its kernels; a failed build reports the compiler's log.
     */
    static Program build(cl_context context, OpenClDevice device, Tuning tuning) {
        String[] sources = new String[FILES.length];
        for (int i = 0; i < FILES.length; i++) sources[i] = "// ---- " + FILES[i] + "\n" + source(FILES[i]) + "\n";
        int[] err = new int[1];
        cl_program program = clCreateProgramWithSource(context, sources.length, sources, null, err);
        OpenCl.check(err[0], "creating the kernel program");
        int status = clBuildProgram(program, 1, new org.jocl.cl_device_id[] {device.id()}, "-cl-std=CL1.2 " + tuning.defines(), null, null);
        if (status != CL_SUCCESS) {
            String log = buildLog(program, device);
            clReleaseProgram(program);
            throw new OpenClException("building kernels/*.cl for " + device + " failed (" + stringFor_errorCode(status) + "):\n" + log);
        }
        int[] n = new int[1];
        OpenCl.check(clCreateKernelsInProgram(program, 0, null, n), "counting kernels");
        cl_kernel[] ks = new cl_kernel[n[0]];
        OpenCl.check(clCreateKernelsInProgram(program, ks.length, ks, null), "creating kernels");
        Map<String, cl_kernel> byName = new HashMap<>();
        for (cl_kernel k : ks) byName.put(kernelName(k), k);
        return new Program(program, tuning, byName);
    }

    private static String buildLog(cl_program program, OpenClDevice device) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, StandardCharsets.UTF_8).trim();
    }

    private static String kernelName(cl_kernel k) {
        long[] size = new long[1];
        clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1), StandardCharsets.UTF_8);
    }

    static long maxWorkGroupSize(cl_kernel k, OpenClDevice device) {
        long[] v = new long[1];
        OpenCl.check(clGetKernelWorkGroupInfo(k, device.id(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(v), null), "querying work-group size");
        return v[0];
    }
}
