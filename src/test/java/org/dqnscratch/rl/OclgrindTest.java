package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kernel under Oclgrind, the OpenCL device simulator that reports what PoCL hides and a GPU
 * punishes: data races between work-items (a missing barrier), reads and writes out of a buffer's
 * bounds, and misuse of the OpenCL API. {@link OclgrindWorkload} runs in a child JVM whose only
 * OpenCL platform is Oclgrind (registered for that process alone through {@code OCL_ICD_VENDORS});
 * any line in Oclgrind's log fails the test, as does a failed case or a child that dies (Oclgrind
 * aborts on what it cannot simulate).
 *
 * <p>Device profiles, set through Oclgrind's own variables, so that {@code Tuning} builds each tile:
 * <ul>
 *   <li>{@code gpu}: an H100's limits (work-group 1024, 48 KiB local memory, 132 compute units): the
 *       64x64x16/4x4 tile an H100 or H200 gets and 264 work-groups wanted per launch, so the GEMMs
 *       split K as they will there;
 *   <li>{@code small}: work-group 64, 32 KiB, 4 compute units: 32x32x8/4x4 (a 256 limit still gets
 *       64x64x16/4x4, which has 256 work-items), and the Nature-geometry training path;
 *   <li>the two other tiles forced with {@code DQN_OPENCL_TUNING} on the H100's limits.
 * </ul>
 * Oclgrind interprets about a million instructions a second: the shapes are small, and the whole
 * test still takes about 6 minutes on 2 cores. It runs where {@code DQN_REQUIRE_OCLGRIND=1} (CI,
 * where a missing Oclgrind fails it) or {@code DQN_OCLGRIND=1} is set and Oclgrind is installed
 * (Debian package {@code oclgrind}); otherwise it is skipped.
 *
 * <p>Not checked: uninitialized reads ({@code OCLGRIND_UNINITIALIZED=1}). Oclgrind 21.10's plugin
 * reports memory zeroed by {@code clEnqueueFillBuffer} as never written: each host store replaces
 * the buffer's whole shadow with one the size of that store ({@code ShadowMemory::allocate} from
 * {@code hostMemoryStore}), and a fill is one store per 4-byte pattern; a write into part of a
 * buffer likewise loses the rest. Seen here on three 4-float buffers read by {@code scale_forward}:
 * zeroed by a fill, 4 "Uninitialized value" reports; filled then written whole, 0; zeroed, then its
 * other half written, 2. The backend zeroes every buffer it allocates with a fill (gradients
 * included: {@code Parameters.zeroGrad} is one fill before each backward pass) and uploads into
 * parts of the flat parameter buffers, so every kernel is reported (the issue's
 * {@code matmul_backward__dbias} report is this). The plugin also aborts kernels that contain
 * LLVM's {@code freeze} (the GEMMs), which later Oclgrind releases support; their fill and
 * partial-store handling is unchanged.
 */
class OclgrindTest {
    static final Path RUNTIME = Path.of("/usr/lib/oclgrind/liboclgrind-rt-icd.so");
    /** Per child: Oclgrind is slow, but a hang must not hold CI until its own limit. */
    static final long TIMEOUT_MINUTES = 30;

    static final Map<String, String> GPU = Map.of("OCLGRIND_MAX_WGSIZE", "1024", "OCLGRIND_LOCAL_MEM_SIZE", "49152",
            "OCLGRIND_COMPUTE_UNITS", "132", "OCLGRIND_GLOBAL_MEM_SIZE", String.valueOf(1L << 30));
    /** 64 work-items: the tiles of 64 work-items (a 256-item limit still gets the H100's 64x64x16/4x4). */
    static final Map<String, String> SMALL = Map.of("OCLGRIND_MAX_WGSIZE", "64", "OCLGRIND_LOCAL_MEM_SIZE", "32768",
            "OCLGRIND_COMPUTE_UNITS", "4", "OCLGRIND_GLOBAL_MEM_SIZE", String.valueOf(1L << 30));
    static final Map<String, String> RACES = Map.of("OCLGRIND_DATA_RACES", "1");

    @TempDir Path dir;

    @Test
    void gpuProfile() throws Exception {
        Result r = run(GPU, RACES, "parity", "fusion", "updates");
        r.assertTuning("64x64x16/4x4/264");
        r.assertClean();
    }

    @Test
    void smallProfile() throws Exception {
        Result r = run(SMALL, RACES, "parity", "fusion", "updates", "nature");
        r.assertTuning("32x32x8/4x4/8");
        r.assertClean();
    }

    /** The two tiles no profile above picks (a device whose local memory is between them), forced. */
    @Test
    void otherTiles() throws Exception {
        for (String tuning : new String[] {"32x32x16/2x2/8", "16x16x8/2x2/8"}) {
            Map<String, String> forced = new HashMap<>(RACES);
            forced.put("DQN_OPENCL_TUNING", tuning);
            Result r = run(GPU, forced, "parity", "fusion", "updates");
            r.assertTuning(tuning);
            r.assertClean();
        }
    }

    record Result(int exit, String stdout, String log) {
        void assertTuning(String tuning) {
            assertTrue(stdout.contains("tuning " + tuning), "expected the kernels built for " + tuning + ":\n" + tail(stdout));
        }

        void assertClean() {
            if (!log.isBlank()) fail("Oclgrind reported:\n" + log.lines().limit(60).reduce("", (a, b) -> a + b + "\n"));
            assertEquals(0, exit, "the workload under Oclgrind failed or died:\n" + tail(stdout));
            assertTrue(stdout.contains(" passed, 0 failed"), tail(stdout));
        }
    }

    static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The workload's parts in a child JVM on Oclgrind with the profile and the checks asked for. */
    Result run(Map<String, String> profile, Map<String, String> checks, String... parts) throws IOException, InterruptedException {
        boolean required = "1".equals(System.getenv("DQN_REQUIRE_OCLGRIND"));
        Assumptions.assumeTrue(required || "1".equals(System.getenv("DQN_OCLGRIND")),
                "the Oclgrind test takes about 6 minutes: DQN_OCLGRIND=1 runs it (CI sets DQN_REQUIRE_OCLGRIND=1)");
        if (!Files.exists(RUNTIME)) {
            if (required) fail("Oclgrind is required (DQN_REQUIRE_OCLGRIND=1) but " + RUNTIME + " is missing: apt-get install oclgrind");
            Assumptions.abort("Oclgrind is not installed (" + RUNTIME + ")");
        }
        Path vendors = Files.createDirectories(dir.resolve("vendors"));
        Files.writeString(vendors.resolve("oclgrind.icd"), RUNTIME + "\n");
        Path log = dir.resolve("oclgrind.log"), out = dir.resolve("stdout.txt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OclgrindWorkload.class.getName()));
        cmd.addAll(List.of(parts));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OCLGRIND_") || k.equals("DQN_OPENCL_TUNING") || k.equals("DQN_OPENCL_DEVICE"));
        env.put("OCL_ICD_VENDORS", vendors.toString());
        env.put("OCLGRIND_CHECK_API", "1");
        env.put("OCLGRIND_LOG", log.toString());
        env.putAll(profile);
        env.putAll(checks);
        Process p = pb.start();
        Thread reaper = new Thread(p::destroyForcibly); // a test JVM stopped early takes the child with it
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                fail("the workload under Oclgrind ran past " + TIMEOUT_MINUTES + " minutes:\n" + tail(Files.readString(out)));
            }
        } finally {
            p.destroyForcibly();
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        System.out.println(stdout.lines().filter(l -> !l.startsWith("  ")).reduce("", (a, b) -> a + b + "\n"));
        return new Result(p.exitValue(), stdout, Files.exists(log) ? Files.readString(log) : "");
    }
}
