package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.dqnscratch.tensor.Backend;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Non-blocking downloads ({@link Backend#downloadLater}): the device copies into pinned host
 * memory (which a GPU's DMA engine writes directly, as {@link Staging} for uploads) while the host
 * goes on; {@link #await} waits for that read's event only, not for what was queued after it, then
 * copies the floats into the caller's array. A non-blocking read cannot go into a Java array: the
 * garbage collector may move it while the device writes. One download under way at a time (a new
 * one completes the one before: a run that failed between start and await leaves nothing stuck);
 * the object is reused (no allocation per download but the event).
 */
final class Readback implements Backend.Download {
    private final cl_context context;
    private final cl_command_queue queue;
    /** Run after a download that read the action-check flag with it (the backend's check of that flag). */
    private final Runnable afterCheckedRead;
    private cl_mem pinned;
    private ByteBuffer mapped;
    private FloatBuffer floats;
    private Pointer pointer;
    private final cl_event[] waitingFor = new cl_event[1];
    /** The read under way (null when none) and where its floats go. */
    private cl_event event;
    private float[] dst;
    private int dstOff, n;
    private boolean checked;
    /** Reads started; waits for them and (once per size) for mapping new pinned memory. */
    long reads, waits;

    Readback(cl_context context, cl_command_queue queue, Runnable afterCheckedRead) {
        this.context = context;
        this.queue = queue;
        this.afterCheckedRead = afterCheckedRead;
    }

    /**
     * Enqueues the read of {@code n} floats at {@code offset} (bytes) of {@code src}; {@code checked}:
     * the action-check flag's read was enqueued just before (its verdict is due at {@link #await}).
     */
    Backend.Download start(cl_mem src, long offset, float[] dst, int dstOff, int n, boolean checked) {
        await(); // one under way at a time: the one before completes first (its destination gets its values)
        if (mapped == null || mapped.capacity() < n * Sizeof.cl_float) grow(Math.max(n * Sizeof.cl_float, mapped == null ? 4096 : 2 * mapped.capacity()));
        cl_event e = new cl_event();
        OpenCl.check(NonBlocking.read(queue, src, offset, (long) n * Sizeof.cl_float, pointer, e), "download");
        reads++;
        this.event = e;
        this.dst = dst;
        this.dstOff = dstOff;
        this.n = n;
        this.checked = checked;
        return this;
    }

    @Override public void await() {
        if (event == null) return;
        cl_event e = event;
        event = null;
        waits++;
        waitingFor[0] = e;
        try {
            OpenCl.check(clWaitForEvents(1, waitingFor), "waiting for a download");
        } finally {
            clReleaseEvent(e);
        }
        floats.clear();
        floats.get(dst, dstOff, n);
        dst = null;
        if (checked) afterCheckedRead.run();
    }

    private void grow(int bytes) {
        free();
        int[] err = new int[1];
        cl_mem m = clCreateBuffer(context, CL_MEM_ALLOC_HOST_PTR, bytes, null, err);
        OpenCl.check(err[0], () -> "allocating " + bytes + " bytes of pinned read-back memory");
        waits++;
        ByteBuffer b = clEnqueueMapBuffer(queue, m, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, null, null, err);
        OpenCl.check(err[0], "mapping read-back memory");
        pinned = m;
        mapped = b.order(ByteOrder.nativeOrder());
        floats = mapped.asFloatBuffer();
        pointer = Pointer.to(mapped);
    }

    private void free() {
        if (pinned == null) return;
        NonBlocking.unmap(queue, pinned, mapped);
        clReleaseMemObject(pinned); // freed once the unmap is done
        pinned = null;
        mapped = null;
        floats = null;
        pointer = null;
    }

    /** Finishes a read still under way (its values are dropped) and frees the pinned memory (at close, before the queue). */
    void release() {
        if (event != null) {
            waitingFor[0] = event;
            clWaitForEvents(1, waitingFor);
            clReleaseEvent(event);
            event = null;
        }
        free();
    }
}
