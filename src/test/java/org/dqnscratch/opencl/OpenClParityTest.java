package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqnscratch.check.Check;
import org.dqnscratch.check.ParityCases;
import org.dqnscratch.check.UpdateCases;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel against its Java twin on the CPU backend: same name (a kernel set is
 * {@code op__part}), same arguments in the same order, same results on random shapes (odd sizes,
 * sizes that are not multiples of the work-group) within {@code tol + |ref| * eps}. A kernel
 * without a twin or without a parity case in {@link ParityCases} (which the {@code check}
 * command runs too) fails.
 */
class OpenClParityTest {
    private static final Path KERNEL_DIR = Path.of("src/main/resources/kernels");
    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /**
     * Kernel name -> its parameter names, from the .cl files on disk: the {@code _off} of each tensor
     * dropped, and a last {@code error} (the backend's bad-action flag, qhead.cl), which has no Java twin.
     */
    static Map<String, List<String>> kernelsOnDisk() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(KERNEL_DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cl")).sorted().toList()) {
                Matcher m = KERNEL.matcher(Files.readString(f));
                while (m.find()) {
                    List<String> names = new ArrayList<>();
                    for (String param : m.group(2).split(",")) {
                        String[] words = param.trim().replace("*", " ").split("\\s+");
                        String name = words[words.length - 1];
                        if (!name.endsWith("_off")) names.add(name);
                    }
                    if (!names.isEmpty() && names.get(names.size() - 1).equals("error")) names.remove(names.size() - 1);
                    out.put(m.group(1), names);
                }
            }
        }
        return out;
    }

    static Method twin(String op) {
        return Arrays.stream(Backend.class.getMethods()).filter(m -> m.getName().equals(op)).findFirst().orElse(null);
    }

    /**
     * A kernel named as an op takes the op's arguments, in order, first (a launch's own, such as a
     * scratch buffer, may follow); a kernel {@code op__part} is one launch of the op's set; a shared
     * kernel ({@link Kernels#SHARED}) names the ops that launch it. Each op named has a parity case.
     */
    @Test
    void everyKernelHasAJavaTwinWithTheSameArgumentsAndAParityCase() throws Exception {
        try (Stream<Path> files = Files.list(KERNEL_DIR)) {
            assertEquals(new TreeSet<>(Arrays.asList(Kernels.FILES)),
                    new TreeSet<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cl")).toList()),
                    "Kernels.FILES must list every kernels/*.cl file");
        }
        Map<String, List<String>> kernels = kernelsOnDisk();
        assertTrue(kernels.size() >= 25, "found only " + kernels.keySet());
        assertTrue(kernels.keySet().containsAll(Kernels.SHARED.keySet()), "Kernels.SHARED names kernels that do not exist: " + Kernels.SHARED.keySet());
        for (var e : kernels.entrySet()) {
            List<String> ops = Kernels.SHARED.getOrDefault(e.getKey(), List.of(e.getKey().split("__")[0]));
            for (String op : ops) {
                Method m = twin(op);
                assertTrue(m != null, "kernel " + e.getKey() + " has no Java twin " + op + " on Backend");
                assertTrue(ParityCases.OPS.containsKey(m.getName()), "no parity case for " + m.getName() + " (kernel " + e.getKey() + ")");
                if (!e.getKey().equals(op)) continue;
                List<String> expanded = javaArguments(m);
                List<String> onDisk = e.getValue();
                assertEquals(expanded, onDisk.subList(0, Math.min(onDisk.size(), expanded.size())), "arguments of kernel " + e.getKey() + " vs Backend." + op);
            }
        }
    }

    /** The Java op's parameter names, a ConvGeometry spelled out as the kernels take it. */
    static List<String> javaArguments(Method m) {
        List<String> expanded = new ArrayList<>();
        Parameter[] params = m.getParameters();
        for (Parameter p : params) {
            if (p.getType() == ConvGeometry.class) expanded.addAll(List.of("N", "C", "H", "W", "OC", "KH", "KW", "stride", "pad"));
            else expanded.add(p.getName());
        }
        return expanded;
    }

    /** Every parity case (random shapes of each op, the Nature-CNN layers at batch 32): the device against the CPU. */
    @TestFactory
    Stream<DynamicTest> kernelsMatchTheirJavaTwins() {
        return ParityCases.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> c.runOrThrow(OpenClSupport.backend())));
    }

    /** The parity tolerance, for the other OpenCL tests. */
    static void close(String what, float[] want, float[] got) {
        Check c = new Check();
        UpdateCases.close(c, what, want, got);
        c.orThrow();
    }
}
