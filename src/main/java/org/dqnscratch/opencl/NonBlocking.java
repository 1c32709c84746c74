package org.dqnscratch.opencl;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Non-blocking reads, writes and unmaps that stay on the calling thread.
 *
 * <p>JOCL's public {@code clEnqueueReadBuffer}, {@code clEnqueueWriteBuffer} and
 * {@code clEnqueueUnmapMemObject} hand every non-blocking call's event to a pool thread of their
 * own ({@code AsyncOpThread-N}, one per transfer in flight) that sits in {@code clWaitForEvents}
 * until the device is done, to keep the Java buffer reachable that long. The backend already
 * does that itself (a {@link Staging} slot or the {@link Readback} memory is reused only after
 * its event completed), and the extra threads cost twice: a thread per transfer in flight
 * blocked in {@code clWaitForEvents} (a wait NVIDIA's driver is reported to busy-wait in), and a runtime that executes commands in
 * whichever host thread waits, as Oclgrind does, runs two kernels at once and aborts
 * ({@code Context::notifyKernelBegin: m_kernelInvocation == NULL}; issue 19). So these call
 * JOCL's native entry points, the same OpenCL call without the waiter thread: every OpenCL call
 * of the backend is then made from the thread that called the backend
 * ({@code OpenClSingleThreadTest} counts JOCL's threads). The pointers must be to direct or mapped
 * memory, never a Java array (the garbage collector may move it while the device copies); JOCL's
 * own wrappers refuse those, these trust their three callers.
 */
final class NonBlocking {
    private NonBlocking() {}

    private static final MethodHandle READ, WRITE, UNMAP;

    static {
        try {
            MethodHandles.Lookup jocl = MethodHandles.privateLookupIn(CL.class, MethodHandles.lookup());
            MethodType transfer = MethodType.methodType(int.class, cl_command_queue.class, cl_mem.class, boolean.class, long.class, long.class,
                    Pointer.class, int.class, cl_event[].class, cl_event.class);
            READ = jocl.findStatic(CL.class, "clEnqueueReadBufferNative", transfer);
            WRITE = jocl.findStatic(CL.class, "clEnqueueWriteBufferNative", transfer);
            UNMAP = jocl.findStatic(CL.class, "clEnqueueUnmapMemObjectNative", MethodType.methodType(int.class, cl_command_queue.class,
                    cl_mem.class, ByteBuffer.class, int.class, cl_event[].class, cl_event.class));
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            throw new ExceptionInInitializerError("this JOCL has no native transfer entry points (built against JOCL 2.0.x): " + e);
        }
    }

    /** Enqueues the read of {@code bytes} at {@code offset} of {@code src} into {@code dst} (direct memory), signalling {@code event} (may be null). */
    static int read(cl_command_queue queue, cl_mem src, long offset, long bytes, Pointer dst, cl_event event) {
        try {
            return (int) READ.invokeExact(queue, src, false, offset, bytes, dst, 0, (cl_event[]) null, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Enqueues the write of {@code bytes} from {@code src} (direct memory) at {@code offset} of {@code dst}, signalling {@code event} (may be null). */
    static int write(cl_command_queue queue, cl_mem dst, long offset, long bytes, Pointer src, cl_event event) {
        try {
            return (int) WRITE.invokeExact(queue, dst, false, offset, bytes, src, 0, (cl_event[]) null, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Enqueues the unmap of {@code mapped} from {@code mem}, with no event. */
    static int unmap(cl_command_queue queue, cl_mem mem, ByteBuffer mapped) {
        try {
            return (int) UNMAP.invokeExact(queue, mem, mapped, 0, (cl_event[]) null, (cl_event) null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
