package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/**
 * Host memory for non-blocking uploads: the caller's array is copied into a direct buffer from
 * which the device reads while the host goes on (the caller may reuse its array at once). A ring
 * of {@link #SLOTS} buffers: a slot is reused once the device has read the upload it last held; the
 * host waits for that (a counted sync) only when it runs a whole ring of uploads ahead of the device.
 */
final class Staging {
    static final int SLOTS = 16;

    private final ByteBuffer[] slots = new ByteBuffer[SLOTS];
    private final cl_event[] pending = new cl_event[SLOTS];
    private final int[] status = new int[1];
    private final Pointer statusPointer = Pointer.to(status);
    private int next = -1;
    long waits;

    /** The next slot, cleared, with room for {@code bytes}; wait for the device first if it still reads it. */
    ByteBuffer take(int bytes) {
        next = (next + 1) % SLOTS;
        settle(next);
        ByteBuffer b = slots[next];
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, b == null ? 4096 : 2 * b.capacity())).order(ByteOrder.nativeOrder());
            slots[next] = b;
        }
        b.clear();
        return b;
    }

    /** Where the write from the slot last taken should signal completion. */
    cl_event event() {
        cl_event e = new cl_event();
        pending[next] = e;
        return e;
    }

    /** The slot last taken as a pointer for the write. */
    Pointer pointer() { return Pointer.to(slots[next]); }

    private void settle(int slot) {
        cl_event e = pending[slot];
        if (e == null) return;
        OpenCl.check(clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, statusPointer, null), "querying an upload");
        if (status[0] > CL_COMPLETE) { // queued, submitted or running
            waits++;
            OpenCl.check(clWaitForEvents(1, new cl_event[] {e}), "waiting for an upload");
        } else if (status[0] < 0) {
            OpenCl.check(status[0], "an upload"); // the write failed: its error code
        }
        clReleaseEvent(e);
        pending[slot] = null;
    }

    /** Waits for every upload in flight and releases the events (at close). */
    void release() { for (int s = 0; s < SLOTS; s++) settle(s); }
}
