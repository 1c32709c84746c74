package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kernel through NVIDIA's assembler for an H100/H200 (sm_90) without a GPU, by
 * {@code scripts/ptx-check.sh} (clang-15 and libclc to PTX, then ptxas), at every tile of
 * {@link Tuning#TILES}. Where the tools are missing (the script exits 2) the test is skipped,
 * unless {@code DQN_REQUIRE_PTXAS=1} (CI sets it where ptxas exists), where it fails.
 */
class PtxasCheckTest {
    private static final Path KERNEL_DIR = Path.of("src/main/resources/kernels");
    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)");
    private static final Pattern GEMM_OR_CONV = Pattern.compile("(matmul_|conv2d_|gemm_).*");

    /** The script's exit status and output. */
    private record Run(int status, String output) {}

    private static Run runScript(Path root, Path out) throws IOException, InterruptedException {
        Path log = Files.createTempFile("ptx-check", ".log");
        try {
            Process p = new ProcessBuilder("bash", root.resolve("scripts/ptx-check.sh").toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("scripts/ptx-check.sh ran past 5 minutes:\n" + Files.readString(log));
            }
            Run r = new Run(p.exitValue(), Files.readString(log));
            if (r.status == 2) { // a tool is missing, and the script says which
                if ("1".equals(System.getenv("DQN_REQUIRE_PTXAS"))) fail("DQN_REQUIRE_PTXAS=1 but " + r.output.strip());
                Assumptions.abort(r.output.strip());
            }
            return r;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tile(Tuning t) { return t.tsm() + "x" + t.tsn() + "x" + t.tsk() + "/" + t.wptm() + "x" + t.wptn(); }

    /** The script's ptxas.tsv: tile -> kernel -> column -> value. */
    private static Map<String, Map<String, Map<String, String>>> table(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        String[] header = lines.get(0).split("\t");
        Map<String, Map<String, Map<String, String>>> byTile = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split("\t");
            assertEquals(header.length, v.length, "ptxas.tsv row: " + line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) row.put(header[i], v[i]);
            byTile.computeIfAbsent(row.get("tile"), k -> new LinkedHashMap<>()).put(row.get("kernel"), row);
        }
        return byTile;
    }

    private static TreeSet<String> kernelNames() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (String f : Kernels.FILES) {
            Matcher m = KERNEL.matcher(Files.readString(KERNEL_DIR.resolve(f)));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyKernelAssemblesForSm90AtEveryTileAndTheGemmsDoNotSpillAtTheH100Tile() throws Exception {
        Path out = Path.of("target/ptx");
        Run r = runScript(Path.of("."), out);
        assertEquals(0, r.status, r.output);

        Map<String, Map<String, Map<String, String>>> table = table(out.resolve("ptxas.tsv"));
        List<String> tiles = new ArrayList<>();
        for (Tuning t : Tuning.TILES) tiles.add(tile(t));
        assertEquals(tiles, new ArrayList<>(table.keySet()), "the script's tiles are Tuning.TILES, in order");

        TreeSet<String> kernels = kernelNames();
        assertTrue(kernels.size() > 30, "kernel names found in " + KERNEL_DIR + ": " + kernels);
        for (Tuning t : Tuning.TILES) {
            Map<String, Map<String, String>> rows = table.get(tile(t));
            assertEquals(kernels, new TreeSet<>(rows.keySet()), "kernels in the table at " + tile(t));
            for (Map<String, String> row : rows.values()) {
                String where = row.get("kernel") + " at " + tile(t);
                // the GEMM kernels' group is the tile's; the rest run 256 work-items (OpenClBackend.GROUP, REDUCE)
                assertEquals("gemm".equals(row.get("kind")) ? t.threads() : 256, Integer.parseInt(row.get("threads")), where);
                assertTrue(Integer.parseInt(row.get("registers")) > 0, where);
                assertTrue(Integer.parseInt(row.get("blocks_per_sm")) >= 1, where + " must fit an SM");
            }
        }
        // the eight GEMM kernels OpenClBackend.gemmThreads checks are the ones launched with the tile's group
        assertEquals(8, table.get(tiles.get(0)).values().stream().filter(row -> "gemm".equals(row.get("kind"))).count());

        Map<String, Map<String, String>> h100 = table.get(tile(Tuning.TILES.get(0)));
        for (Map<String, String> row : h100.values()) {
            if (!GEMM_OR_CONV.matcher(row.get("kernel")).matches()) continue;
            assertEquals("0/0", row.get("spill_stores") + "/" + row.get("spill_loads"), row.get("kernel") + " spills at " + tile(Tuning.TILES.get(0)));
        }
    }

    /**
     * The check can fail: a copy of the sources in which matmul_forward keeps 300 floats live across
     * its GEMM (more than the 255 registers a work-item can have) must make the script fail, naming it.
     */
    @Test
    void aSpillingGemmKernelFailsTheCheck(@TempDir Path copy) throws Exception {
        for (String p : new String[] {"scripts/ptx-check.sh", "src/main/java/org/dqnscratch/opencl/Kernels.java",
                "src/main/java/org/dqnscratch/opencl/Tuning.java"}) {
            Files.createDirectories(copy.resolve(p).getParent());
            Files.copy(Path.of(p), copy.resolve(p));
        }
        Files.createDirectories(copy.resolve(KERNEL_DIR));
        try (Stream<Path> files = Files.list(KERNEL_DIR)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(KERNEL_DIR).resolve(f.getFileName()));
        }
        Path dense = copy.resolve(KERNEL_DIR).resolve("dense.cl");
        String call = "    dense_forward(out, out_off, inp, inp_off, weight, weight_off, bias, bias_off, N, C, OC, part, kchunk, 0, As, Bs, acc);\n";
        String src = Files.readString(dense);
        assertEquals(1, src.split(Pattern.quote(call), -1).length - 1, "matmul_forward's call to plant the spill around");
        Files.writeString(dense, src.replace(call, """
                    float live[300];
                    #pragma unroll
                    for (int i = 0; i < 300; i++) live[i] = inp[inp_off + i * N + get_global_id(0)];
                """ + call + """
                    float s = 0.0f;
                    #pragma unroll
                    for (int i = 0; i < 300; i++) s += live[i] * live[299 - i];
                    out[get_global_id(0)] += s;
                """), StandardCharsets.UTF_8);

        Run r = runScript(copy, copy.resolve("out"));
        assertNotEquals(0, r.status, r.output);
        assertTrue(r.output.contains("matmul_forward spills at the H100 tile " + tile(Tuning.TILES.get(0))), r.output);
        assertFalse(r.output.contains("matmul_relu_forward spills at the H100"), "only the planted kernel spills:\n" + r.output);
    }
}
