package org.dqnscratch.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClDevice;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import picocli.CommandLine.Command;

/** {@code devices}: the OpenCL platforms and devices; and {@code --device} parsing for the other commands. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "Lists OpenCL platforms and devices (for --device opencl:P:D).")
final class Devices implements Callable<Integer> {
    @Override public Integer call() {
        System.out.println("cpu  " + new CpuBackend().name());
        List<OpenClDevice> all;
        try {
            all = OpenClDevice.all();
        } catch (org.dqnscratch.opencl.OpenClException e) {
            System.out.println(e.getMessage()); // no OpenCL at all is an answer here, not an error
            return 0;
        }
        if (all.isEmpty()) {
            System.out.println("no OpenCL platform found (install a driver: NVIDIA's, or PoCL for the CPU: apt-get install pocl-opencl-icd ocl-icd-libopencl1)");
            return 0;
        }
        String platform = null;
        for (OpenClDevice d : all) {
            if (!d.platformName().equals(platform)) {
                platform = d.platformName();
                System.out.println("platform " + d.platform() + ": " + platform);
            }
            System.out.println("  " + d.describe());
        }
        return 0;
    }

    /** {@code cpu}, {@code opencl} or {@code opencl:P:D}. */
    static Backend backend(String device) {
        if (device.equals("cpu")) return new CpuBackend();
        if (device.equals("opencl") || device.startsWith("opencl:")) return OpenClBackend.create(device);
        throw new IllegalArgumentException("unknown --device '" + device + "': use cpu, opencl or opencl:P:D");
    }
}
