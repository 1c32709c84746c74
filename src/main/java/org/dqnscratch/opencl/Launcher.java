package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dqnscratch.tensor.Tensor;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Kernel launches with their arguments bound once per (kernel, buffers). A launch is assembled
 * in reused arrays ({@code kernel(name).buffer(..).i(..).f(..).run(..)}: no allocation), then
 * matched against the kernel objects already made for that kernel: one bound to the same buffers
 * and scalars is enqueued as it is; one bound to the same buffers gets only its changed scalars
 * set (an optimizer's step-dependent factors); otherwise a new kernel object is made and bound,
 * up to {@link #PER_KERNEL} per kernel, after which the least recently used is rebound. A
 * training step reuses its tensors, so in steady state its launches set no argument at all.
 */
final class Launcher {
    static final int PER_KERNEL = 48, MAX_ARGS = 32;

    private static final class Bound {
        final cl_kernel kernel;
        final cl_mem[] mems = new cl_mem[MAX_ARGS];
        final int[] bits = new int[MAX_ARGS];
        int argc = -1;
        long used;

        Bound(cl_kernel kernel) { this.kernel = kernel; }
    }

    private final cl_program program;
    private final cl_command_queue queue;
    private final cl_mem placeholder;
    /** Device time per kernel, or null when not asked for (see {@link KernelProfile}). */
    final KernelProfile profile;
    private final Map<String, List<Bound>> bound = new HashMap<>();
    private long clock;
    long launches, argumentSets;

    // the launch being assembled: a buffer argument has mems[i] != null, a scalar its 32 bits in bits[i]
    private String name;
    private int argc;
    private final cl_mem[] mems = new cl_mem[MAX_ARGS];
    private final int[] bits = new int[MAX_ARGS];
    private final int[] scalar = new int[1];
    private final Pointer scalarPointer = Pointer.to(scalar);
    private final long[][] global = {null, new long[1], new long[2], new long[3]}, local = {null, new long[1], new long[2], new long[3]};

    /** placeholder: the 1-float buffer that stands for a null tensor; profile: null, or where launches' device times go. */
    Launcher(cl_program program, cl_command_queue queue, cl_mem placeholder, KernelProfile profile) {
        this.program = program;
        this.queue = queue;
        this.placeholder = placeholder;
        this.profile = profile;
    }

    Launcher kernel(String kernel) {
        name = kernel;
        argc = 0;
        return this;
    }

    /** The kernel being assembled. */
    String name() { return name; }

    Launcher buffer(cl_mem m) {
        mems[argc] = m;
        bits[argc++] = 0;
        return this;
    }

    /** A tensor: its buffer and offset; null is (placeholder, -1), which kernels read as absent. */
    Launcher t(Tensor t) { return t == null ? buffer(placeholder).i(-1) : buffer(OpenClBackend.mem(t)).i(t.offset); }

    Launcher i(int v) {
        mems[argc] = null;
        bits[argc++] = v;
        return this;
    }

    /** A float argument: its bits, set as 4 bytes like an int. */
    Launcher f(float v) { return i(Float.floatToRawIntBits(v)); }

    Launcher flag(boolean v) { return i(v ? 1 : 0); }

    /** Enqueues the assembled launch over a 1D range. */
    void run(long g0, long l0) {
        global[1][0] = g0;
        local[1][0] = l0;
        enqueue(1);
    }

    /** 2D: dim 0 then dim 1. */
    void run(long g0, long g1, long l0, long l1) {
        global[2][0] = g0;
        global[2][1] = g1;
        local[2][0] = l0;
        local[2][1] = l1;
        enqueue(2);
    }

    /** 3D. */
    void run(long g0, long g1, long g2, long l0, long l1, long l2) {
        long[] g = global[3], l = local[3];
        g[0] = g0;
        g[1] = g1;
        g[2] = g2;
        l[0] = l0;
        l[1] = l1;
        l[2] = l2;
        enqueue(3);
    }

    private void enqueue(int dims) {
        Bound b = bind();
        b.used = ++clock;
        launches++;
        int status = clEnqueueNDRangeKernel(queue, b.kernel, dims, null, global[dims], local[dims], 0, null,
                profile == null ? null : profile.event(name));
        if (status != CL_SUCCESS) {
            OpenCl.check(status, name + " (" + argc + " arguments, global " + java.util.Arrays.toString(global[dims])
                    + ", local " + java.util.Arrays.toString(local[dims]) + ")");
        }
    }

    /** The kernel object for the assembled arguments, bound (see the class comment). */
    private Bound bind() {
        List<Bound> list = bound.get(name);
        if (list == null) {
            list = new ArrayList<>();
            bound.put(name, list);
        }
        Bound sameBuffers = null, oldest = null;
        for (int k = 0, n = list.size(); k < n; k++) {
            Bound b = list.get(k);
            if (b.argc == argc && sameBuffers(b)) {
                sameBuffers = b;
                if (sameScalars(b)) return b;
            }
            if (oldest == null || b.used < oldest.used) oldest = b;
        }
        Bound b = sameBuffers;
        if (b == null && list.size() < PER_KERNEL) {
            int[] err = new int[1];
            cl_kernel k = clCreateKernel(program, name, err);
            OpenCl.check(err[0], () -> "creating kernel " + name + " (no such kernel in kernels/*.cl?)");
            b = new Bound(k);
            list.add(b);
        } else if (b == null) {
            b = oldest;
        }
        for (int i = 0; i < argc; i++) {
            boolean fresh = b.argc != argc;
            if (mems[i] != null) {
                if (fresh || b.mems[i] != mems[i]) set(b.kernel, i, Sizeof.cl_mem, Pointer.to(mems[i]));
            } else if (fresh || b.mems[i] != null || b.bits[i] != bits[i]) {
                scalar[0] = bits[i];
                set(b.kernel, i, Sizeof.cl_int, scalarPointer);
            }
            b.mems[i] = mems[i];
            b.bits[i] = bits[i];
        }
        b.argc = argc;
        return b;
    }

    private boolean sameBuffers(Bound b) {
        for (int i = 0; i < argc; i++) if (b.mems[i] != mems[i]) return false;
        return true;
    }

    private boolean sameScalars(Bound b) {
        for (int i = 0; i < argc; i++) if (mems[i] == null && b.bits[i] != bits[i]) return false;
        return true;
    }

    private void set(cl_kernel k, int i, long size, Pointer p) {
        argumentSets++;
        int status = clSetKernelArg(k, i, size, p);
        if (status != CL_SUCCESS) OpenCl.check(status, "argument " + i + " of " + name);
    }

    /** Releases every kernel object made here (and the profile's events). */
    void release() {
        if (profile != null) profile.release();
        for (List<Bound> list : bound.values()) for (Bound b : list) clReleaseKernel(b.kernel);
        bound.clear();
    }
}
