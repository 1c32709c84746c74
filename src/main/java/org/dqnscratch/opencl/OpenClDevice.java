package org.dqnscratch.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** An OpenCL device with where it sits (platform P, device D) and what it offers. */
public record OpenClDevice(int platform, int index, String platformName, String name, boolean gpu,
                           long globalMemBytes, long localMemBytes, int computeUnits, long maxWorkGroupSize, cl_device_id id) {

    @Override public String toString() { return name + " (opencl:" + platform + ":" + index + ")"; }

    /** One line for {@code devices}. */
    public String describe() {
        return String.format(Locale.ROOT, "opencl:%d:%d  %s  [%s, %.1f GiB, %d compute units, max work-group %d, %d KiB local memory]",
                platform, index, name, gpu ? "GPU" : "not a GPU", globalMemBytes / (1024.0 * 1024 * 1024), computeUnits, maxWorkGroupSize,
                localMemBytes / 1024);
    }

    /** Every device of every platform; empty when there is no platform (or no OpenCL library). */
    public static List<OpenClDevice> all() {
        OpenCl.load();
        List<OpenClDevice> out = new ArrayList<>();
        int[] count = new int[1];
        int status = clGetPlatformIDs(0, null, count);
        if (status != CL_SUCCESS || count[0] == 0) return out; // CL_PLATFORM_NOT_FOUND_KHR: none installed
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        OpenCl.check(clGetPlatformIDs(platforms.length, platforms, null), "listing OpenCL platforms");
        for (int p = 0; p < platforms.length; p++) {
            String pname = string(platforms[p]);
            int[] n = new int[1];
            if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n) != CL_SUCCESS || n[0] == 0) continue;
            cl_device_id[] ids = new cl_device_id[n[0]];
            OpenCl.check(clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ids.length, ids, null), "listing devices of " + pname);
            for (int d = 0; d < ids.length; d++) {
                long type = longInfo(ids[d], CL_DEVICE_TYPE);
                out.add(new OpenClDevice(p, d, pname, deviceString(ids[d], CL_DEVICE_NAME).trim(), (type & CL_DEVICE_TYPE_GPU) != 0,
                        longInfo(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE), longInfo(ids[d], CL_DEVICE_LOCAL_MEM_SIZE), (int) intInfo(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS),
                        sizeInfo(ids[d], CL_DEVICE_MAX_WORK_GROUP_SIZE), ids[d]));
            }
        }
        return out;
    }

    /**
     * {@code opencl}: the first GPU, else the first device; {@code opencl:P:D}: platform P, device D.
     * No platform, or an index that does not exist, is an error that lists what exists.
     */
    public static OpenClDevice select(String spec) {
        List<OpenClDevice> all = all();
        if (all.isEmpty()) {
            throw new OpenClException("no OpenCL platform found (install a driver: NVIDIA's, or PoCL for the CPU: "
                    + "apt-get install pocl-opencl-icd ocl-icd-libopencl1)");
        }
        if (spec.equals("opencl")) {
            return all.stream().filter(OpenClDevice::gpu).findFirst().orElse(all.get(0));
        }
        String[] parts = spec.split(":");
        if (parts.length != 3 || !parts[0].equals("opencl")) {
            throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, opencl or opencl:P:D (" + listing(all) + ")");
        }
        try {
            int p = Integer.parseInt(parts[1]), d = Integer.parseInt(parts[2]);
            return all.stream().filter(x -> x.platform == p && x.index == d).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("no OpenCL device " + spec + "; there are: " + listing(all)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown device '" + spec + "': use opencl:P:D with numbers (" + listing(all) + ")");
        }
    }

    static String listing(List<OpenClDevice> all) {
        return String.join("; ", all.stream().map(d -> "opencl:" + d.platform + ":" + d.index + " " + d.name).toList());
    }

    private static String string(cl_platform_id p) {
        long[] size = new long[1];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    /** The device's OpenCL version ("OpenCL 1.2 ..." gives 12, "OpenCL 3.0 ..." 30). */
    public int openClVersion() {
        String v = deviceString(id, CL_DEVICE_VERSION);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("OpenCL (\\d+)\\.(\\d+)").matcher(v);
        return m.find() ? Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2)) : 12;
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1));
    }

    private static long longInfo(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    private static long intInfo(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static long sizeInfo(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }
}
