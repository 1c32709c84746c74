package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/**
 * Device time per kernel, from OpenCL's profiling events: on when {@code DQN_OPENCL_PROFILE=1}
 * (the queue is then created with profiling, every launch keeps an event). For tuning on a new
 * device: which kernels an update spends its time in. Off, it costs nothing.
 */
final class KernelProfile {
    static boolean requested() { return "1".equals(System.getenv("DQN_OPENCL_PROFILE")); }

    private record Pending(String kernel, cl_event event) {}

    private final List<Pending> pending = new ArrayList<>();
    /** kernel -> {launches, nanoseconds}. */
    private final Map<String, long[]> totals = new TreeMap<>();
    private final long[] time = new long[1];
    private final Pointer timePointer = Pointer.to(time);

    /** An event for a launch of {@code kernel}, read when the report is asked for (or when many wait). */
    cl_event event(String kernel) {
        if (pending.size() >= 100_000) collect();
        cl_event e = new cl_event();
        pending.add(new Pending(kernel, e));
        return e;
    }

    private void collect() {
        if (pending.isEmpty()) return;
        OpenCl.check(clWaitForEvents(pending.size(), pending.stream().map(Pending::event).toArray(cl_event[]::new)), "waiting for profiled launches");
        for (Pending p : pending) {
            OpenCl.check(clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, timePointer, null), "profiling a launch");
            long start = time[0];
            OpenCl.check(clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, timePointer, null), "profiling a launch");
            long[] t = totals.computeIfAbsent(p.kernel(), k -> new long[2]);
            t[0]++;
            t[1] += time[0] - start;
            clReleaseEvent(p.event());
        }
        pending.clear();
    }

    /** Per kernel since the last reset: launches, total and mean device time, the largest total first; then resets. */
    String report() {
        collect();
        long all = totals.values().stream().mapToLong(t -> t[1]).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "kernel device time, %.3f ms in all:%n", all / 1e6));
        totals.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).forEach(e -> sb.append(String.format(
                Locale.ROOT, "  %-28s %7d launches %10.3f ms %9.1f us each %5.1f%%%n", e.getKey(), e.getValue()[0], e.getValue()[1] / 1e6,
                e.getValue()[1] / 1e3 / e.getValue()[0], 100.0 * e.getValue()[1] / Math.max(1, all))));
        totals.clear();
        return sb.toString();
    }

    /** Releases the events not read yet (at close). */
    void release() {
        for (Pending p : pending) clReleaseEvent(p.event());
        pending.clear();
    }
}
