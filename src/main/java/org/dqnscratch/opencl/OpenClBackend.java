package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * The {@link Backend} on an OpenCL device through JOCL: every op is the kernel of the same name
 * in {@code src/main/resources/kernels/*.cl}, or a set {@code op__part} of kernels, launched with
 * the Java method's arguments in the same order (then the launch's own, such as a scratch
 * buffer); a tensor travels as (buffer, offset), a null tensor as (a 1-float placeholder, -1).
 * Products and convolutions run as one tiled GEMM (gemm.cl) whose tile sizes are chosen per
 * device ({@link Tuning}); sums over many values run in many work-groups, in two passes.
 *
 * <p>Kernels are compiled once per backend (one context); buffers come from a {@link BufferPool};
 * kernel arguments are bound once per (kernel, buffers) ({@link Launcher}). Uploads do not block
 * ({@link Staging}); {@link #download} (losses) waits for the device, {@link #downloadLater} (Q values
 * for acting) only when awaited, and then only for the commands queued before it ({@link Readback}).
 */
public final class OpenClBackend implements Backend {
    /** A device buffer. */
    public record ClBuffer(cl_mem mem, int capacity) implements Tensor.Storage {}

    /** A device buffer of bytes (capacity in bytes). */
    public record ClBytes(cl_mem mem, int capacity) implements Tensor.Storage {}

    private static final int REDUCE = 256, GROUP = 256;
    /** Largest split-K scratch, in floats: a split GEMM never has more partial outputs than this. */
    private static final int MAX_PARTIALS = 1 << 24;
    /** gemm.cl's and gemm_sum_splits' output layouts (View kinds). */
    private static final int STRIDED = 0, CHANNELS = 1;

    private final OpenClDevice device;
    private final Tuning tuning;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Kernels.Program program;
    private final Launcher launcher;
    private final Staging staging;
    private final Readback readback;
    private boolean closed;
    private final BufferPool pool;
    private final cl_mem placeholder;
    private final int reduceSize;
    /** Scratch: split-K partial tiles and first-pass sums (parts), the input gradient's columns (cols); grown on demand. */
    private cl_mem parts, cols;
    private int partsSize, colsSize;
    private final float[] fillPattern = new float[1];
    private final Pointer fillPointer = Pointer.to(fillPattern);
    /**
     * Where kernels that index by action flag a bad one: {1, the action, A}, zeros when none.
     * Read back with the next result read after such a kernel ran (a read per launch would stall the queue).
     */
    private final cl_mem actionError;
    private final ByteBuffer actionErrorRead = ByteBuffer.allocateDirect(3 * Sizeof.cl_float).order(ByteOrder.nativeOrder());
    private final Pointer actionErrorPointer = Pointer.to(actionErrorRead);
    private boolean actionsUnchecked;
    private long fills, writes, bytesWritten, blockingReads, finishes;

    private OpenClBackend(OpenClDevice device, Tuning forced, boolean profiling) {
        this.device = device;
        int[] err = new int[1];
        this.context = clCreateContext(null, 1, new org.jocl.cl_device_id[] {device.id()}, null, null, err);
        OpenCl.check(err[0], "creating a context on " + device);
        // clCreateCommandQueueWithProperties is OpenCL 2.0; a 1.x platform has only the older call
        org.jocl.cl_queue_properties properties = new org.jocl.cl_queue_properties();
        if (profiling) properties.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
        this.queue = device.openClVersion() >= 20 ? clCreateCommandQueueWithProperties(context, device.id(), properties, err)
                : clCreateCommandQueue(context, device.id(), profiling ? CL_QUEUE_PROFILING_ENABLE : 0, err);
        OpenCl.check(err[0], "creating a command queue on " + device);
        this.staging = new Staging(context, queue);
        this.readback = new Readback(context, queue, this::throwIfBadAction);
        this.program = build(context, device, forced != null ? forced : Tuning.choose(device), forced != null);
        this.tuning = program.tuning();
        this.pool = new BufferPool(context);
        this.placeholder = pool.take(1);
        this.launcher = new Launcher(program.program(), queue, placeholder, profiling ? new KernelProfile() : null);
        this.actionError = pool.take(3);
        fillRaw(actionError, 0, 3, 0f);
        // the reductions need a power-of-two work-group, REDUCE at most (the kernels' local arrays)
        this.reduceSize = Integer.highestOneBit((int) Math.min(REDUCE, Math.min(device.maxWorkGroupSize(),
                Kernels.maxWorkGroupSize(program.kernels().get("sum_squares__partial"), device))));
    }

    /**
     * The program built with tuning t's tile sizes; unless the tuning is forced, with a smaller tile
     * while the compiler allows the GEMM kernels fewer work-items than the tile needs (registers).
     */
    private static Kernels.Program build(cl_context context, OpenClDevice device, Tuning t, boolean forced) {
        Kernels.Program p = Kernels.build(context, device, t);
        for (Tuning smaller : Tuning.TILES) {
            if (forced || gemmThreads(p, device) >= t.threads()) break;
            if (smaller.threads() >= t.threads() || !Tuning.fits(smaller, device)) continue;
            p.release();
            t = smaller.withGroups(t.groups());
            p = Kernels.build(context, device, t);
        }
        long allowed = gemmThreads(p, device);
        if (allowed < t.threads()) {
            p.release();
            throw new OpenClException("the GEMM kernels of tuning " + t + " need " + t.threads() + " work-items per group; " + device + " allows " + allowed);
        }
        return p;
    }

    /** The fewest work-items per group that the compiler allows any GEMM kernel. */
    private static long gemmThreads(Kernels.Program p, OpenClDevice device) {
        long min = Long.MAX_VALUE;
        for (String k : new String[] {"matmul_forward", "matmul_relu_forward", "matmul_backward__dinp", "matmul_backward__dweight",
                "conv2d_forward", "conv2d_relu_forward", "conv2d_backward__dcol", "conv2d_backward__dweight"}) {
            min = Math.min(min, Kernels.maxWorkGroupSize(p.kernels().get(k), device));
        }
        return min;
    }

    /** {@code opencl} (the first GPU, else the first device) or {@code opencl:P:D}, tuned for the device. */
    public static OpenClBackend create(String spec) { return new OpenClBackend(OpenClDevice.select(spec), null, KernelProfile.requested()); }

    /** With these kernel sizes instead of the device's choice (tests: other tiles, forced K splits). */
    public static OpenClBackend create(String spec, Tuning tuning) {
        return new OpenClBackend(OpenClDevice.select(spec), tuning, KernelProfile.requested());
    }

    /** With per-kernel device times on, whatever DQN_OPENCL_PROFILE says (tests). */
    static OpenClBackend createProfiled(String spec) { return new OpenClBackend(OpenClDevice.select(spec), null, true); }

    public OpenClDevice device() { return device; }

    public Tuning tuning() { return tuning; }

    /**
     * With {@code DQN_OPENCL_PROFILE=1}: the device time of each kernel since the last call (waits for
     * the launches); else null.
     */
    public String kernelProfile() { return launcher.profile == null ? null : launcher.profile.report(); }

    /** What this backend has asked of the runtime so far (see {@link Traffic}). */
    public Traffic traffic() {
        return new Traffic(launcher.launches, fills, launcher.argumentSets, writes, bytesWritten, 0, blockingReads, readback.reads, readback.waits,
                finishes, staging.waits);
    }

    @Override public String name() { return "opencl (" + device + ")"; }

    @Override public Tensor.Storage allocate(int size) {
        ClBuffer b = pool.allocate(Math.max(size, 1));
        fillRaw(b.mem(), 0, b.capacity(), 0f);
        return b;
    }

    @Override public Tensor.Storage allocateBytes(int size) {
        ClBytes b = pool.allocateBytes(Math.max(size, 1));
        fillRaw(b.mem(), 0, (b.capacity() + 3) / 4, 0f);
        return b;
    }

    private static cl_mem bytesMem(Tensor t) {
        if (!(t.storage instanceof ClBytes b)) throw new IllegalArgumentException(t + " is not a byte tensor of an OpenCL backend");
        return b.mem();
    }

    static cl_mem mem(Tensor t) {
        if (!(t.storage instanceof ClBuffer b)) throw new IllegalArgumentException(t + " does not live on an OpenCL backend");
        return b.mem();
    }

    /** Copies {@code src} into staging memory and enqueues the write without waiting; {@code src} may be reused at once. */
    @Override public void upload(Tensor dst, float[] src, int srcOff) {
        if (dst.size == 0) return;
        staging.takeFloats(dst.size).put(src, srcOff, dst.size);
        write(mem(dst), (long) dst.offset * Sizeof.cl_float, (long) dst.size * Sizeof.cl_float);
    }

    /** As {@link #upload}: copied into staging memory, written without waiting. */
    @Override public void uploadBytes(Tensor dst, int at, byte[] src, int srcOff, int n) {
        Backend.checkRange(dst, at, n);
        if (n == 0) return;
        staging.take(n).put(src, srcOff, n);
        write(bytesMem(dst), (long) dst.offset + at, n);
    }

    private void write(cl_mem dst, long offset, long bytes) {
        writes++;
        bytesWritten += bytes;
        OpenCl.check(NonBlocking.write(queue, dst, offset, bytes, staging.pointer(), staging.event()), "upload");
    }

    /**
     * Reads back, blocking; throws the CPU backend's error if a kernel queued before met a bad
     * action (its flag is read in the same wait).
     */
    @Override public void download(float[] dst, int dstOff, Tensor src) {
        if (src.size == 0) return;
        boolean check = readActionCheck();
        blockingReads++;
        OpenCl.check(clEnqueueReadBuffer(queue, mem(src), CL_TRUE, (long) src.offset * Sizeof.cl_float, (long) src.size * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) dstOff * Sizeof.cl_float), 0, null, null), "download");
        if (check) throwIfBadAction();
    }

    /** As {@link #download} without waiting ({@link Readback}): the bad-action error, if any, comes with the await. */
    @Override public Backend.Download downloadLater(float[] dst, int dstOff, Tensor src) {
        java.util.Objects.checkFromIndexSize(dstOff, src.size, dst.length);
        if (src.size == 0) return Backend.DONE;
        boolean check = readActionCheck();
        return readback.start(mem(src), (long) src.offset * Sizeof.cl_float, dst, dstOff, src.size, check);
    }

    /** Every op is an enqueue on the in-order queue. */
    @Override public boolean queuesWork() { return true; }

    /** clFlush: the queued commands go to the device now (a GPU driver may batch them until the next wait). */
    @Override public void flush() { OpenCl.check(clFlush(queue), "flush"); }

    /** Enqueues the read of the action-check flag if a kernel that indexes by action ran since the last one; true if it did. */
    private boolean readActionCheck() {
        if (!actionsUnchecked) return false;
        actionsUnchecked = false;
        OpenCl.check(NonBlocking.read(queue, actionError, 0, 3L * Sizeof.cl_float, actionErrorPointer, null), "reading the action check");
        return true;
    }

    /** After a wait for a read queued behind the flag's (the in-order queue did the flag's read first): the error it holds, if any. */
    private void throwIfBadAction() {
        if (actionErrorRead.getFloat(0) == 0f) return;
        fillRaw(actionError, 0, 3, 0f);
        actionErrorRead.putFloat(0, 0f); // reported once, also to a read that shared this flag's copy (a download awaited later)
        throw Backend.badAction(actionErrorRead.getFloat(4), (int) actionErrorRead.getFloat(8));
    }

    @Override public void fill(Tensor t, float value) { fillRaw(mem(t), t.offset, t.size, value); }

    private void fillRaw(cl_mem m, int offset, int size, float value) {
        if (size == 0) return;
        fills++;
        fillPattern[0] = value; // the runtime copies the pattern before the call returns
        OpenCl.check(clEnqueueFillBuffer(queue, m, fillPointer, Sizeof.cl_float, (long) offset * Sizeof.cl_float,
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
        staging.release();
        readback.release();
        launcher.release();
        program.release();
        if (parts != null) clReleaseMemObject(parts);
        if (cols != null) clReleaseMemObject(cols);
        pool.give(1, placeholder);
        pool.give(3, actionError);
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

    /** Starts assembling a launch of {@code kernel}. */
    private Launcher kernel(String kernel) { return launcher.kernel(kernel); }

    /**
     * Runs the assembled launch over a 1D range of n, rounded up to whole work-groups of a size
     * chosen here (every 1D kernel checks its index against n): left to the driver, global = n must
     * be a multiple of the group, and a size such as the Nature CNN's 1,687,206 parameters
     * (2*3*31*47*193) gets tiny groups, a prime one groups of 1.
     */
    private void run1d(Launcher l, int n) {
        if (n <= 0) return;
        Integer group = groupSize.get(l.name()); // not computeIfAbsent: its lambda would be allocated per launch
        if (group == null) {
            group = (int) Math.min(GROUP, Math.min(device.maxWorkGroupSize(), Kernels.maxWorkGroupSize(program.kernels().get(l.name()), device)));
            groupSize.put(l.name(), group);
        }
        l.run(roundUp(n, group), group);
    }

    /** Work-group size of each 1D kernel: {@link #GROUP}, or less where the device or kernel allows less. */
    private final Map<String, Integer> groupSize = new ConcurrentHashMap<>();

    private static long roundUp(long n, long m) { return (n + m - 1) / m * m; }

    private static long ceilDiv(long n, long m) { return (n + m - 1) / m; }

    /** A scratch buffer of at least {@code floats}, kept for later launches (the queue runs in order, so launches can share it). */
    private cl_mem parts(long floats) {
        if (floats > partsSize) {
            if (parts != null) clReleaseMemObject(parts); // freed once the queued launches that use it are done
            partsSize = (int) Math.max(floats, 2L * partsSize);
            parts = newBuffer(partsSize);
        }
        return parts;
    }

    private cl_mem cols(long floats) {
        if (floats > colsSize) {
            if (cols != null) clReleaseMemObject(cols);
            colsSize = (int) floats;
            cols = newBuffer(colsSize);
        }
        return cols;
    }

    private cl_mem newBuffer(int floats) {
        int[] err = new int[1];
        cl_mem m = clCreateBuffer(context, CL_MEM_READ_WRITE, (long) floats * Sizeof.cl_float, null, err);
        OpenCl.check(err[0], () -> "allocating " + floats + " floats of scratch on the device");
        return m;
    }

    // ---- GEMM (gemm.cl) -----------------------------------------------------------------------

    /**
     * The K chunk of an M x NC GEMM over K: all of K when its tiles give the device {@link Tuning#groups}
     * work-groups or more; else K cut into as many chunks as make up the difference, each at least four
     * slices deep (more work-groups, the partial sums added by a second launch).
     */
    private int chunk(int M, int NC, int K) {
        long tiles = ceilDiv(M, tuning.tsm()) * ceilDiv(NC, tuning.tsn());
        long splits = Math.min(Math.min(ceilDiv(tuning.groups(), tiles), Math.max(1, K / (4 * tuning.tsk()))),
                Math.max(1, MAX_PARTIALS / ((long) M * NC)));
        return (int) roundUp(Math.max(1, ceilDiv(K, splits)), tuning.tsk());
    }

    /**
     * Finishes and runs the GEMM launch assembled so far (the op's arguments): the split-K scratch
     * and chunk, TSM x TSN tiles, one range layer per chunk of K; with several chunks, then sums
     * them into c (offset cOff) through the epilogue the kernel would have applied: the STRIDED
     * (row stride rs) or CHANNELS (rs channels of cs pixels) layout, plus bias on rows or columns,
     * then the ReLU when {@code relu}, assigned or accumulated.
     */
    private void gemm(Launcher l, int M, int NC, int K, cl_mem c, int cOff, int kind, int rs, int cs, Tensor bias, boolean biasRows,
                      boolean accumulate, boolean relu) {
        if (M <= 0 || NC <= 0) return;
        int chunk = chunk(M, NC, K), splits = (int) Math.max(1, ceilDiv(K, chunk));
        cl_mem part = splits > 1 ? parts((long) splits * M * NC) : placeholder;
        int rtsm = tuning.tsm() / tuning.wptm(), rtsn = tuning.tsn() / tuning.wptn();
        l.buffer(part).i(chunk).run(ceilDiv(NC, tuning.tsn()) * rtsn, ceilDiv(M, tuning.tsm()) * rtsm, splits, rtsn, rtsm, 1);
        if (splits == 1) return;
        run1d(kernel("gemm_sum_splits").buffer(part).i(splits).i(M).i(NC).buffer(c).i(cOff).i(kind).i(rs).i(cs).t(bias).flag(biasRows)
                .flag(accumulate).flag(relu), M * NC);
    }

    // ---- dense ----------------------------------------------------------------------------------

    @Override public void matmul_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC) {
        dense("matmul_forward", out, inp, weight, bias, N, C, OC, false);
    }

    @Override public void matmul_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC) {
        dense("matmul_relu_forward", out, inp, weight, bias, N, C, OC, true);
    }

    private void dense(String kernel, Tensor out, Tensor inp, Tensor weight, Tensor bias, int N, int C, int OC, boolean relu) {
        Launcher l = kernel(kernel).t(out).t(inp).t(weight).t(bias).i(N).i(C).i(OC);
        gemm(l, N, OC, C, mem(out), out.offset, STRIDED, OC, 1, bias, false, false, relu);
    }

    @Override public void matmul_backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, int N, int C, int OC) {
        if (dinp != null) {
            Launcher l = kernel("matmul_backward__dinp").t(dinp).t(dout).t(weight).i(N).i(C).i(OC);
            gemm(l, N, C, OC, mem(dinp), dinp.offset, STRIDED, C, 1, null, false, true, false);
        }
        if (dweight != null) {
            Launcher l = kernel("matmul_backward__dweight").t(dweight).t(dout).t(inp).i(N).i(C).i(OC);
            gemm(l, OC, C, N, mem(dweight), dweight.offset, STRIDED, C, 1, null, false, true, false);
        }
        if (dbias != null) run1d(kernel("matmul_backward__dbias").t(dbias).t(dout).i(N).i(OC), OC);
    }

    // ---- convolution (implicit GEMM) ------------------------------------------------------------

    private static Launcher geometry(Launcher l, ConvGeometry g) {
        return l.i(g.N()).i(g.C()).i(g.H()).i(g.W()).i(g.OC()).i(g.KH()).i(g.KW()).i(g.stride()).i(g.pad());
    }

    @Override public void conv2d_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g) {
        conv("conv2d_forward", out, inp, weight, bias, g, false);
    }

    @Override public void conv2d_relu_forward(Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g) {
        conv("conv2d_relu_forward", out, inp, weight, bias, g, true);
    }

    private void conv(String kernel, Tensor out, Tensor inp, Tensor weight, Tensor bias, ConvGeometry g, boolean relu) {
        int P = g.OH() * g.OW();
        Launcher l = geometry(kernel(kernel).t(out).t(inp).t(weight).t(bias), g);
        gemm(l, g.OC(), g.N() * P, g.patch(), mem(out), out.offset, CHANNELS, g.OC(), P, bias, true, false, relu);
    }

    @Override public void conv2d_backward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, ConvGeometry g) {
        int P = g.OH() * g.OW(), NP = g.N() * P;
        if (dinp != null) {
            cl_mem col = cols((long) g.patch() * NP);
            Launcher l = geometry(kernel("conv2d_backward__dcol").buffer(col).t(dout).t(weight), g);
            gemm(l, g.patch(), NP, g.OC(), col, 0, STRIDED, NP, 1, null, false, false, false);
            run1d(geometry(kernel("conv2d_backward__dinp").t(dinp).buffer(col), g), g.N() * g.C() * g.H() * g.W());
        }
        if (dweight != null) {
            Launcher l = geometry(kernel("conv2d_backward__dweight").t(dweight).t(dout).t(inp), g);
            gemm(l, g.OC(), g.patch(), NP, mem(dweight), dweight.offset, STRIDED, g.patch(), 1, null, false, true, false);
        }
        if (dbias != null) kernel("conv2d_backward__dbias").t(dbias).t(dout).i(g.N()).i(g.OC()).i(P).run((long) g.OC() * reduceSize, reduceSize);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override public void relu_forward(Tensor out, Tensor inp, int n) { run1d(kernel("relu_forward").t(out).t(inp).i(n), n); }

    @Override public void relu_backward(Tensor dinp, Tensor dout, Tensor out, int n) {
        run1d(kernel("relu_backward").t(dinp).t(dout).t(out).i(n), n);
    }

    @Override public void relu_backward_inplace(Tensor dout, Tensor out, int n) {
        run1d(kernel("relu_backward_inplace").t(dout).t(out).i(n), n);
    }

    @Override public void scale_forward(Tensor out, Tensor inp, float scale, int n) {
        run1d(kernel("scale_forward").t(out).t(inp).f(scale).i(n), n);
    }

    @Override public void scale_u8_forward(Tensor out, Tensor inp, float scale, int n) {
        run1d(kernel("scale_u8_forward").t(out).buffer(bytesMem(inp)).i(inp.offset).f(scale).i(n), n);
    }

    @Override public void gather_u8_forward(Tensor out, Tensor table, Tensor index, int rows, int rowSize) {
        Launcher l = kernel("gather_u8_forward").t(out).buffer(bytesMem(table)).i(table.offset).t(index).i(rows).i(rowSize);
        run1d(l.i(table.size / rowSize), rows * rowSize);
    }

    // ---- Q-value heads --------------------------------------------------------------------------

    /** Runs a kernel that indexes rows by action; it takes the flag buffer as its last argument. */
    private void runCheckingActions(Launcher l, int n) {
        run1d(l.buffer(actionError), n);
        actionsUnchecked = true;
    }

    @Override public void gather_forward(Tensor out, Tensor q, Tensor actions, int N, int A) {
        runCheckingActions(kernel("gather_forward").t(out).t(q).t(actions).i(N).i(A), N);
    }

    @Override public void gather_backward(Tensor dq, Tensor dout, Tensor actions, int N, int A) {
        runCheckingActions(kernel("gather_backward").t(dq).t(dout).t(actions).i(N).i(A), N);
    }

    @Override public void max_forward(Tensor outMax, Tensor outArg, Tensor q, int N, int A) {
        run1d(kernel("max_forward").t(outMax).t(outArg).t(q).i(N).i(A), N);
    }

    @Override public void max_backward(Tensor dq, Tensor dout, Tensor arg, int N, int A) {
        runCheckingActions(kernel("max_backward").t(dq).t(dout).t(arg).i(N).i(A), N);
    }

    @Override public void dueling_forward(Tensor q, Tensor v, Tensor adv, int N, int A, int K) {
        run1d(kernel("dueling_forward").t(q).t(v).t(adv).i(N).i(A).i(K), N);
    }

    @Override public void dueling_backward(Tensor dv, Tensor dadv, Tensor dq, int N, int A, int K) {
        run1d(kernel("dueling_backward").t(dv).t(dadv).t(dq).i(N).i(A).i(K), N);
    }

    @Override public void td_target(Tensor y, Tensor qNextTarget, Tensor qNextOnline, Tensor reward, Tensor terminated, float gamma, int N, int A) {
        run1d(kernel("td_target").t(y).t(qNextTarget).t(qNextOnline).t(reward).t(terminated).f(gamma).i(N).i(A), N);
    }

    // ---- distributional heads --------------------------------------------------------------------

    @Override public void log_softmax_forward(Tensor out, Tensor inp, int rows, int K) {
        run1d(kernel("log_softmax_forward").t(out).t(inp).i(rows).i(K), rows);
    }

    @Override public void log_softmax_backward(Tensor dinp, Tensor dout, Tensor out, int rows, int K) {
        run1d(kernel("log_softmax_backward").t(dinp).t(dout).t(out).i(rows).i(K), rows);
    }

    @Override public void categorical_q_forward(Tensor q, Tensor logp, float vMin, float vMax, int rows, int K) {
        run1d(kernel("categorical_q_forward").t(q).t(logp).f(vMin).f(vMax).i(rows).i(K), rows);
    }

    @Override public void categorical_projection(Tensor m, Tensor logpNext, Tensor nextAction, Tensor reward, Tensor terminated,
                                                 float gamma, float vMin, float vMax, int N, int A, int K) {
        runCheckingActions(kernel("categorical_projection").t(m).t(logpNext).t(nextAction).t(reward).t(terminated)
                .f(gamma).f(vMin).f(vMax).i(N).i(A).i(K), N);
    }

    @Override public void categorical_loss_forward(Tensor loss, Tensor perSample, Tensor logp, Tensor actions, Tensor target, Tensor weight,
                                                   int N, int A, int K) {
        runCheckingActions(kernel("categorical_loss_forward__per_sample").t(perSample).t(logp).t(actions).t(target).i(N).i(A).i(K), N);
        int G = reduceGroups(N);
        reduce(firstPass("categorical_loss_forward__mean", loss, G).t(perSample).t(weight).i(N), loss, G, 1f / N);
    }

    @Override public void categorical_loss_backward(Tensor dlogp, Tensor dloss, Tensor actions, Tensor target, Tensor weight, int N, int A, int K) {
        runCheckingActions(kernel("categorical_loss_backward").t(dlogp).t(dloss).t(actions).t(target).t(weight).i(N).i(A).i(K), N);
    }

    // ---- reductions (reduce.cl's two passes) ------------------------------------------------------

    /** Work-groups for a sum of n terms: enough for {@link Tuning#groups}, each with at least 4 terms per work-item. */
    private int reduceGroups(int n) {
        return (int) Math.max(1, Math.min(Math.min(tuning.groups(), 1024), ceilDiv(n, 4L * reduceSize)));
    }

    /** Starts a first-pass launch: its destination is {@code out} itself with one group, else the scratch. */
    private Launcher firstPass(String kernel, Tensor out, int groups) {
        return groups == 1 ? kernel(kernel).t(out) : kernel(kernel).buffer(parts(groups)).i(0);
    }

    /** Runs the assembled first pass (after its scale: the whole scale with one group), then the second when there are several. */
    private void reduce(Launcher first, Tensor out, int groups, float scale) {
        first.f(groups == 1 ? scale : 1f).run((long) groups * reduceSize, reduceSize);
        if (groups > 1) kernel("sum_partials").t(out).buffer(parts).i(groups).f(scale).run(reduceSize, reduceSize);
    }

    // ---- losses ---------------------------------------------------------------------------------

    // (A null weight travels as the placeholder buffer with offset -1: the kernels read w = 1.)

    @Override public void mse_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, int N) {
        int G = reduceGroups(N);
        reduce(firstPass("mse_forward__partial", loss, G).t(pred).t(target).t(weight).i(N), loss, G, 1f / N);
    }

    @Override public void mse_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, int N) {
        run1d(kernel("mse_backward").t(dpred).t(dloss).t(pred).t(target).t(weight).i(N), N);
    }

    @Override public void smooth_l1_forward(Tensor loss, Tensor pred, Tensor target, Tensor weight, float beta, int N) {
        int G = reduceGroups(N);
        reduce(firstPass("smooth_l1_forward__partial", loss, G).t(pred).t(target).t(weight).f(beta).i(N), loss, G, 1f / N);
    }

    @Override public void smooth_l1_backward(Tensor dpred, Tensor dloss, Tensor pred, Tensor target, Tensor weight, float beta, int N) {
        run1d(kernel("smooth_l1_backward").t(dpred).t(dloss).t(pred).t(target).t(weight).f(beta).i(N), N);
    }

    // ---- optimizer steps ------------------------------------------------------------------------

    @Override public void sgd_step(Tensor p, Tensor g, Tensor buf, float lr, float momentum, boolean nesterov, boolean firstStep, int n) {
        run1d(kernel("sgd_step").t(p).t(g).t(buf).f(lr).f(momentum).flag(nesterov).flag(firstStep).i(n), n);
    }

    @Override public void adam_step(Tensor p, Tensor g, Tensor m, Tensor v, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int n) {
        run1d(kernel("adam_step").t(p).t(g).t(m).t(v).f(stepSize).f(bc2Sqrt).f(beta1).f(beta2).f(eps).i(n), n);
    }

    @Override public void rmsprop_step(Tensor p, Tensor g, Tensor sq, Tensor gavg, Tensor mom, float lr, float alpha, float eps,
                                       float momentum, boolean centered, boolean epsInside, int n) {
        Launcher l = kernel("rmsprop_step").t(p).t(g).t(sq).t(gavg).t(mom);
        run1d(l.f(lr).f(alpha).f(eps).f(momentum).flag(centered).flag(epsInside).i(n), n);
    }

    @Override public void clip_by_value(Tensor g, float clip, int n) { run1d(kernel("clip_by_value").t(g).f(clip).i(n), n); }

    @Override public void sum_squares(Tensor out, Tensor g, int n) {
        int G = reduceGroups(n);
        reduce(firstPass("sum_squares__partial", out, G).t(g).i(n), out, G, 1f);
    }

    @Override public void clip_by_norm(Tensor g, Tensor sumSquares, float maxNorm, int n) {
        run1d(kernel("clip_by_norm").t(g).t(sumSquares).f(maxNorm).i(n), n);
    }

    @Override public void polyak(Tensor target, Tensor source, float tau, int n) {
        run1d(kernel("polyak").t(target).t(source).f(tau).i(n), n);
    }

    // ---- noisy nets (issue 21) ------------------------------------------------------------------

    @Override public void noisy_weights_forward(Tensor w, Tensor mu, Tensor sigma, Tensor epsIn, Tensor epsOut, int OC, int C) {
        run1d(kernel("noisy_weights_forward").t(w).t(mu).t(sigma).t(epsIn).t(epsOut).i(OC).i(C), OC * C);
    }

    @Override public void noisy_weights_backward(Tensor dmu, Tensor dsigma, Tensor dw, Tensor epsIn, Tensor epsOut, int OC, int C) {
        if (dmu == null && dsigma == null) return;
        run1d(kernel("noisy_weights_backward").t(dmu).t(dsigma).t(dw).t(epsIn).t(epsOut).i(OC).i(C), OC * C);
    }
}
