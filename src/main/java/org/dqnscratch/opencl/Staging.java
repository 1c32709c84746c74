package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Host memory for non-blocking uploads: the caller's array is copied into a staging buffer from
 * which the device reads while the host goes on (the caller may reuse its array at once). The
 * staging buffers are pinned (buffers the runtime allocates in host memory, mapped once), which a
 * GPU's DMA engine reads directly; from ordinary memory NVIDIA's driver would copy again. A ring of
 * {@link #SLOTS} buffers: a slot is reused once the device has read the upload it last held; the
 * host waits for that (a counted sync) only when it runs a whole ring of uploads ahead of the device.
 */
final class Staging {
    static final int SLOTS = 16;

    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem[] pinned = new cl_mem[SLOTS];
    private final ByteBuffer[] slots = new ByteBuffer[SLOTS];
    /** Per slot: its float view and its pointer, made once per buffer (not per upload). */
    private final java.nio.FloatBuffer[] floats = new java.nio.FloatBuffer[SLOTS];
    private final Pointer[] pointers = new Pointer[SLOTS];
    private final cl_event[] pending = new cl_event[SLOTS];
    private final int[] status = new int[1];
    private final Pointer statusPointer = Pointer.to(status);
    private final cl_event[] waitingFor = new cl_event[1];
    private int next = -1;
    /** Waits for the device: a slot still being read, or (once per slot size) mapping a new buffer. */
    long waits;

    Staging(cl_context context, cl_command_queue queue) {
        this.context = context;
        this.queue = queue;
    }

    /** The next slot, cleared, with room for {@code bytes}; wait for the device first if it still reads it. */
    ByteBuffer take(int bytes) {
        next = (next + 1) % SLOTS;
        settle(next);
        if (slots[next] == null || slots[next].capacity() < bytes) grow(next, Math.max(bytes, slots[next] == null ? 4096 : 2 * slots[next].capacity()));
        ByteBuffer b = slots[next];
        b.clear();
        return b;
    }

    /** As {@link #take}, seen as floats from its start. */
    java.nio.FloatBuffer takeFloats(int floats) {
        take(floats * Sizeof.cl_float);
        return this.floats[next].clear();
    }

    private void grow(int slot, int bytes) {
        free(slot);
        int[] err = new int[1];
        cl_mem m = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_ALLOC_HOST_PTR, bytes, null, err);
        OpenCl.check(err[0], () -> "allocating " + bytes + " bytes of pinned staging memory");
        waits++;
        ByteBuffer mapped = clEnqueueMapBuffer(queue, m, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, null, null, err);
        OpenCl.check(err[0], "mapping staging memory");
        pinned[slot] = m;
        slots[slot] = mapped.order(ByteOrder.nativeOrder());
        floats[slot] = slots[slot].asFloatBuffer();
        pointers[slot] = Pointer.to(slots[slot]);
    }

    private void free(int slot) {
        if (pinned[slot] == null) return;
        NonBlocking.unmap(queue, pinned[slot], slots[slot]);
        clReleaseMemObject(pinned[slot]); // freed once the unmap is done
        pinned[slot] = null;
        slots[slot] = null;
        floats[slot] = null;
        pointers[slot] = null;
    }

    /** Where the write from the slot last taken should signal completion. */
    cl_event event() {
        cl_event e = new cl_event();
        pending[next] = e;
        return e;
    }

    /** The slot last taken as a pointer for the write (from its start, whatever a put left its position at). */
    Pointer pointer() {
        slots[next].position(0);
        return pointers[next];
    }

    private void settle(int slot) {
        cl_event e = pending[slot];
        if (e == null) return;
        OpenCl.check(clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, statusPointer, null), "querying an upload");
        if (status[0] > CL_COMPLETE) { // queued, submitted or running
            waits++;
            waitingFor[0] = e;
            OpenCl.check(clWaitForEvents(1, waitingFor), "waiting for an upload");
        } else if (status[0] < 0) {
            OpenCl.check(status[0], "an upload"); // the write failed: its error code
        }
        clReleaseEvent(e);
        pending[slot] = null;
    }

    /** Waits for every upload in flight and releases the events and buffers (at close, before the queue). */
    void release() {
        for (int s = 0; s < SLOTS; s++) {
            settle(s);
            free(s);
        }
        clFinish(queue);
    }
}
