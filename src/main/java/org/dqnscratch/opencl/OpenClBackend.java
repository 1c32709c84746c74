package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * The {@link Backend} on an OpenCL device through JOCL: every op is the kernel of the same
 * name in {@code src/main/resources/kernels/*.cl} (a set {@code op__part} where one Java op
 * has several outputs), launched with the Java method's arguments in the same order; a tensor
 * travels as (buffer, offset), a null tensor as (a 1-float placeholder, -1).
 *
 * <p>Kernels are compiled once per backend (one context); buffers come from a {@link BufferPool}.
 * Only {@link #download} (losses, Q values for acting) and {@link #upload} (batches) cross the bus.
 */
public final class OpenClBackend implements Backend {
    /** A device buffer. */
    public record ClBuffer(cl_mem mem, int capacity) implements Tensor.Storage {}

    private static final int TILE = 16, REDUCE = 256, GROUP = 256;

    private final OpenClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Kernels.Program program;
    private final Map<String, cl_kernel> kernels;
    private boolean closed;
    private final BufferPool pool;
    private final cl_mem placeholder;
    private final int reduceSize;
    /**
     * Where kernels that index by action flag a bad one: {1, the action, A}, zeros when none.
     * Checked when a result is read back after such a kernel ran (a read per launch would stall the queue).
     */
    private final cl_mem actionError;
    private final float[] actionErrorRead = new float[3];
    private boolean actionsUnchecked;
    private long launches, fills, argumentSets, writes, blockingWrites, blockingReads, finishes, waits;

    private OpenClBackend(OpenClDevice device) {
        this.device = device;
        int[] err = new int[1];
        this.context = clCreateContext(null, 1, new org.jocl.cl_device_id[] {device.id()}, null, null, err);
        OpenCl.check(err[0], "creating a context on " + device);
        // clCreateCommandQueueWithProperties is OpenCL 2.0; a 1.x platform has only the older call
        this.queue = device.openClVersion() >= 20 ? clCreateCommandQueueWithProperties(context, device.id(), null, err)
                : clCreateCommandQueue(context, device.id(), 0, err);
        OpenCl.check(err[0], "creating a command queue on " + device);
        this.program = Kernels.build(context, device);
        this.kernels = program.kernels();
        this.pool = new BufferPool(context);
        this.placeholder = pool.take(1);
        this.actionError = pool.take(actionErrorRead.length);
        fillRaw(actionError, 0, actionErrorRead.length, 0f);
        // the reductions need a power-of-two work-group, REDUCE at most (the kernels' local arrays)
        this.reduceSize = Integer.highestOneBit((int) Math.min(REDUCE, Math.min(device.maxWorkGroupSize(),
                Kernels.maxWorkGroupSize(kernels.get("sum_squares"), device))));
    }

    /** {@code opencl} (the first GPU, else the first device) or {@code opencl:P:D}. */
    public static OpenClBackend create(String spec) { return new OpenClBackend(OpenClDevice.select(spec)); }

    public OpenClDevice device() { return device; }

    /** What this backend has asked of the runtime so far (see {@link Traffic}). */
    public Traffic traffic() { return new Traffic(launches, fills, argumentSets, writes, blockingWrites, blockingReads, finishes, waits); }

    @Override public String name() { return "opencl (" + device + ")"; }

    @Override public Tensor.Storage allocate(int size) {
        ClBuffer b = pool.allocate(Math.max(size, 1));
        fillRaw(b.mem(), 0, b.capacity(), 0f);
        return b;
    }

    static cl_mem mem(Tensor t) {
        if (!(t.storage instanceof ClBuffer b)) throw new IllegalArgumentException(t + " does not live on an OpenCL backend");
        return b.mem();
    }

    @Override public void upload(Tensor dst, float[] src, int srcOff) {
        if (dst.size == 0) return;
        writes++;
        blockingWrites++;
        OpenCl.check(clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, (long) dst.offset * Sizeof.cl_float, (long) dst.size * Sizeof.cl_float,
                Pointer.to(src).withByteOffset((long) srcOff * Sizeof.cl_float), 0, null, null), "upload");
    }

    /** Reads back (blocking); throws the CPU backend's error if a kernel queued before met a bad action. */
    @Override public void download(float[] dst, int dstOff, Tensor src) {
        if (src.size == 0) return;
        blockingReads++;
        OpenCl.check(clEnqueueReadBuffer(queue, mem(src), CL_TRUE, (long) src.offset * Sizeof.cl_float, (long) src.size * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) dstOff * Sizeof.cl_float), 0, null, null), "download");
        reportBadAction();
    }

    /** Throws (once) the error the action-indexing kernels flagged since the last check, if any. */
    private void reportBadAction() {
        if (!actionsUnchecked) return;
        actionsUnchecked = false;
        blockingReads++;
        OpenCl.check(clEnqueueReadBuffer(queue, actionError, CL_TRUE, 0, (long) actionErrorRead.length * Sizeof.cl_float,
                Pointer.to(actionErrorRead), 0, null, null), "reading the action check");
        if (actionErrorRead[0] == 0f) return;
        fillRaw(actionError, 0, actionErrorRead.length, 0f);
        throw Backend.badAction(actionErrorRead[1], (int) actionErrorRead[2]);
    }

    /** Launches a kernel that indexes rows by action; it takes the flag buffer as its last argument. */
    private void runCheckingActions(String kernel, int n, Object... args) {
        Object[] withFlag = java.util.Arrays.copyOf(args, args.length + 1);
        withFlag[args.length] = actionError;
        run1d(kernel, n, withFlag);
        actionsUnchecked = true;
    }

    @Override public void fill(Tensor t, float value) { fillRaw(mem(t), t.offset, t.size, value); }

    private void fillRaw(cl_mem m, int offset, int size, float value) {
        if (size == 0) return;
        fills++;
        OpenCl.check(clEnqueueFillBuffer(queue, m, Pointer.to(new float[] {value}), Sizeof.cl_float, (long) offset * Sizeof.cl_float,
                (long) size * Sizeof.cl_float, 0, null, null), "fill");
    }

    @Override public void copy(Tensor dst, Tensor src) {
        if (dst.size != src.size) throw new IllegalArgumentException("copy " + src + " into " + dst);
        if (src.size == 0) return;
        fills++;
        OpenCl.check(clEnqueueCopyBuffer(queue, mem(src), mem(dst), (long) src.offset * Sizeof.cl_float, (long) dst.offset * Sizeof.cl_float,
                (long) src.size * Sizeof.cl_float, 0, null, null), "copy");
    }

    /**
     * Releases the kernels, the program, the pooled buffers, the queue and the context (after the
     * queued work is done). Tensors still referenced release their buffers when they become unreachable.
     */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        clFinish(queue);
        for (cl_kernel k : kernels.values()) clReleaseKernel(k);
        clReleaseProgram(program.program());
        pool.give(1, placeholder);
        pool.give(actionErrorRead.length, actionError);
        pool.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    /** Waits for every queued kernel (benchmarks; reads already wait). */
    public void finish() {
        finishes++;
        OpenCl.check(clFinish(queue), "finish");
    }

    // ---- launching ----------------------------------------------------------------------------

    /**
     * Sets the arguments in order (Tensor -> buffer, offset; Boolean -> int) and runs a 1D range of
     * n, rounded up to whole work-groups of a size chosen here (every 1D kernel checks its index
     * against n): left to the driver, global = n must be a multiple of the group, and a size such as
     * the Nature CNN's 1,687,206 parameters (2*3*31*47*193) gets tiny groups, a prime one groups of 1.
     */
    private void run1d(String kernel, int n, Object... args) {
        if (n <= 0) return;
        int group = groupSize.computeIfAbsent(kernel, k -> (int) Math.min(GROUP,
                Math.min(device.maxWorkGroupSize(), Kernels.maxWorkGroupSize(kernels.get(k), device))));
        launch(kernel, new long[] {roundUp(n, group)}, new long[] {group}, args);
    }

    /** Work-group size of each 1D kernel: {@link #GROUP}, or less where the device or kernel allows less. */
    private final Map<String, Integer> groupSize = new ConcurrentHashMap<>();

    /** A 2D range rounded up to TILE x TILE work-groups: dim 0 over {@code cols}, dim 1 over {@code rows}. */
    private void runTiled(String kernel, int rows, int cols, Object... args) {
        if (rows <= 0 || cols <= 0) return;
        launch(kernel, new long[] {roundUp(cols, TILE), roundUp(rows, TILE)}, new long[] {TILE, TILE}, args);
    }

    /** One work-group of the reduction size. */
    private void runReduce(String kernel, Object... args) {
        launch(kernel, new long[] {reduceSize}, new long[] {reduceSize}, args);
    }

    private static long roundUp(int n, int m) { return (long) (n + m - 1) / m * m; }

    private void launch(String name, long[] global, long[] local, Object... args) {
        cl_kernel k = kernels.get(name);
        if (k == null) throw new IllegalStateException("no kernel " + name + " in the kernels/*.cl sources");
        launches++;
        int i = 0;
        for (Object a : args) {
            if (a instanceof Tensor t) {
                clSetKernelArg(k, i++, Sizeof.cl_mem, Pointer.to(mem(t)));
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[] {t.offset}));
            } else if (a instanceof cl_mem m) { // a buffer of the backend's own (the action flag)
                clSetKernelArg(k, i++, Sizeof.cl_mem, Pointer.to(m));
            } else if (a == null) { // a null tensor
                clSetKernelArg(k, i++, Sizeof.cl_mem, Pointer.to(placeholder));
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[] {-1}));
            } else if (a instanceof Integer v) {
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[] {v}));
            } else if (a instanceof Float v) {
                clSetKernelArg(k, i++, Sizeof.cl_float, Pointer.to(new float[] {v}));
            } else if (a instanceof Boolean v) {
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[] {v ? 1 : 0}));
            } else {
                throw new IllegalArgumentException("kernel argument of type " + a.getClass());
            }
        }
        final int argc = i;
        argumentSets += argc;
        OpenCl.check(clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null),
                () -> name + " (" + argc + " arguments, global " + java.util.Arrays.toString(global) + ")");
    }

    // ---- dense ----------------------------------------------------------------------------------

    @Override public void matmul_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC) {
        runTiled("matmul_forward", N, OC, out, inp, weight, bias, N, C, OC);
    }

    @Override public void matmul_backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, int N, int C, int OC) {
        Object[] args = {dinp, dweight, dbias, dout, inp, weight, N, C, OC};
        if (dinp != null) runTiled("matmul_backward__dinp", N, C, args);
        if (dweight != null) runTiled("matmul_backward__dweight", OC, C, args);
        if (dbias != null) run1d("matmul_backward__dbias", OC, args);
    }

    // ---- convolution --------------------------------------------------------------------------

    @Override public void conv2d_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g) {
        run1d("conv2d_forward", g.N() * g.OC() * g.OH() * g.OW(), out, inp, weight, bias,
                g.N(), g.C(), g.H(), g.W(), g.OC(), g.KH(), g.KW(), g.stride(), g.pad());
    }

    @Override public void conv2d_backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, ConvGeometry g) {
        Object[] args = {dinp, dweight, dbias, dout, inp, weight, g.N(), g.C(), g.H(), g.W(), g.OC(), g.KH(), g.KW(), g.stride(), g.pad()};
        if (dinp != null) run1d("conv2d_backward__dinp", g.N() * g.C() * g.H() * g.W(), args);
        if (dweight != null) run1d("conv2d_backward__dweight", g.OC() * g.patch(), args);
        if (dbias != null) run1d("conv2d_backward__dbias", g.OC(), args);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override public void relu_forward(Tensor out, Tensor inp, int n) { run1d("relu_forward", n, out, inp, n); }

    @Override public void relu_backward(Tensor dinp, Tensor dout, Tensor out, int n) { run1d("relu_backward", n, dinp, dout, out, n); }

    @Override public void scale_forward(Tensor out, Tensor inp, float scale, int n) { run1d("scale_forward", n, out, inp, scale, n); }

    // ---- Q-value heads --------------------------------------------------------------------------

    @Override public void gather_forward(Tensor out, Tensor q, Tensor actions, int N, int A) {
        runCheckingActions("gather_forward", N, out, q, actions, N, A);
    }

    @Override public void gather_backward(Tensor dq, Tensor dout, Tensor actions, int N, int A) {
        runCheckingActions("gather_backward", N, dq, dout, actions, N, A);
    }

    @Override public void max_forward(Tensor outMax, Tensor outArg, Tensor q, int N, int A) { run1d("max_forward", N, outMax, outArg, q, N, A); }

    @Override public void max_backward(Tensor dq, Tensor dout, Tensor arg, int N, int A) { runCheckingActions("max_backward", N, dq, dout, arg, N, A); }

    @Override public void dueling_forward(Tensor q, Tensor v, Tensor adv, int N, int A) { run1d("dueling_forward", N, q, v, adv, N, A); }

    @Override public void dueling_backward(Tensor dv, Tensor dadv, Tensor dq, int N, int A) { run1d("dueling_backward", N, dv, dadv, dq, N, A); }

    @Override public void td_target(Tensor y, Tensor qNextTarget, Tensor qNextOnline, Tensor reward, Tensor terminated, float gamma, int N, int A) {
        run1d("td_target", N, y, qNextTarget, qNextOnline, reward, terminated, gamma, N, A);
    }

    // ---- losses ---------------------------------------------------------------------------------

    @Override public void mse_forward(Tensor loss, Tensor pred, Tensor target, int N) { runReduce("mse_forward", loss, pred, target, N); }

    @Override public void mse_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, int N) {
        run1d("mse_backward", N, dpred, dloss, pred, target, N);
    }

    @Override public void smooth_l1_forward(Tensor loss, Tensor pred, Tensor target, float beta, int N) {
        runReduce("smooth_l1_forward", loss, pred, target, beta, N);
    }

    @Override public void smooth_l1_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, float beta, int N) {
        run1d("smooth_l1_backward", N, dpred, dloss, pred, target, beta, N);
    }

    // ---- optimizer steps ------------------------------------------------------------------------

    @Override public void sgd_step(Tensor p, Tensor g, Tensor buf, float lr, float momentum, boolean nesterov, boolean firstStep, int n) {
        run1d("sgd_step", n, p, g, buf, lr, momentum, nesterov, firstStep, n);
    }

    @Override public void adam_step(Tensor p, Tensor g, Tensor m, Tensor v, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int n) {
        run1d("adam_step", n, p, g, m, v, stepSize, bc2Sqrt, beta1, beta2, eps, n);
    }

    @Override public void rmsprop_step(Tensor p, Tensor g, Tensor sq, Tensor gavg, Tensor mom, float lr, float alpha, float eps,
                                       float momentum, boolean centered, boolean epsInside, int n) {
        run1d("rmsprop_step", n, p, g, sq, gavg, mom, lr, alpha, eps, momentum, centered, epsInside, n);
    }

    @Override public void clip_by_value(Tensor g, float clip, int n) { run1d("clip_by_value", n, g, clip, n); }

    @Override public void sum_squares(Tensor out, Tensor g, int n) { runReduce("sum_squares", out, g, n); }

    @Override public void clip_by_norm(Tensor g, Tensor sumSquares, float maxNorm, int n) { run1d("clip_by_norm", n, g, sumSquares, maxNorm, n); }

    @Override public void polyak(Tensor target, Tensor source, float tau, int n) { run1d("polyak", n, target, source, tau, n); }
}
