package org.dqnscratch.tensor;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * How many vector registers this JVM's compiled code can use, which decides the micro-kernel's shape
 * ({@link MicroKernel#choose}): x86 has 16 (xmm/ymm 0-15) unless the JVM uses AVX-512, which adds
 * 16 more at every vector width (also at 128 bits with {@code -XX:MaxVectorSize=16}); aarch64 has 32
 * (NEON's v0-v31). On x86 the JVM's own {@code UseAVX} says which (3: AVX-512; {@code -XX:UseAVX=2}
 * on an AVX-512 machine leaves 16); without the jdk.management module the answer is the safe 16.
 *
 * @param count the vector registers
 * @param why   where the count comes from, for {@code info}
 */
record VectorRegisters(int count, String why) {
    static VectorRegisters detect() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64")) return new VectorRegisters(32, "aarch64");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return new VectorRegisters(16, arch + ", assumed");
        String avx = useAvx();
        if (avx == null) return new VectorRegisters(16, "x86, UseAVX unknown (no jdk.management), assumed");
        return forUseAvx(avx);
    }

    /** x86 by the JVM's UseAVX value: 3 or more is AVX-512 (32 registers), anything else 16. */
    static VectorRegisters forUseAvx(String useAvx) {
        int level;
        try {
            level = Integer.parseInt(useAvx.trim());
        } catch (NumberFormatException e) {
            return new VectorRegisters(16, "x86, UseAVX=" + useAvx + " not understood, assumed");
        }
        return level >= 3 ? new VectorRegisters(32, "x86 with AVX-512, UseAVX=" + level)
                : new VectorRegisters(16, "x86 without AVX-512, UseAVX=" + level);
    }

    /** The JVM's UseAVX flag, or null where it cannot be read (a runtime without jdk.management, a JVM without the flag). */
    private static String useAvx() {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("UseAVX").getValue();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }
}
