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
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel against its Java twin on the CPU backend: same name (a kernel set is
 * {@code op__part}), same arguments in the same order, same results on random shapes (odd sizes,
 * sizes that are not multiples of the work-group) within {@code tol + |ref| * eps}. A kernel
 * without a twin or without a parity case fails.
 */
class OpenClParityTest {
    private static final Path KERNEL_DIR = Path.of("src/main/resources/kernels");
    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final int SHAPES = 4;

    /** Runs one op on a backend with inputs drawn from {@code r}; returns every output. */
    interface Case {
        List<float[]> run(Backend b, Random r);
    }

    static final Map<String, Case> CASES = new LinkedHashMap<>();

    static Tensor rand(Backend b, Random r, int... shape) {
        float[] a = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian());
        return b.fromArray(a, shape);
    }

    static Tensor actions(Backend b, Random r, int N, int A) {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) a[i] = r.nextInt(A);
        return b.fromArray(a, N);
    }

    static int odd(Random r, int max) { return 1 + r.nextInt(max); }

    static List<float[]> out(Backend b, Tensor... ts) {
        List<float[]> o = new ArrayList<>();
        for (Tensor t : ts) if (t != null) o.add(b.toArray(t));
        return o;
    }

    static {
        CASES.put("matmul_forward", (b, r) -> {
            int N = odd(r, 37), C = odd(r, 45), OC = odd(r, 33);
            Tensor y = b.zeros(N, OC), bias = r.nextBoolean() ? rand(b, r, OC) : null;
            b.matmul_forward(y, rand(b, r, N, C), rand(b, r, OC, C), bias, N, C, OC);
            return out(b, y);
        });
        CASES.put("matmul_backward", (b, r) -> {
            int N = odd(r, 37), C = odd(r, 45), OC = odd(r, 33);
            Tensor dx = rand(b, r, N, C), dw = rand(b, r, OC, C), db = r.nextBoolean() ? rand(b, r, OC) : null;
            b.matmul_backward(dx, dw, db, rand(b, r, N, OC), rand(b, r, N, C), rand(b, r, OC, C), N, C, OC);
            return out(b, dx, dw, db);
        });
        CASES.put("conv2d_forward", (b, r) -> {
            ConvGeometry g = geometry(r);
            Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW()), bias = r.nextBoolean() ? rand(b, r, g.OC()) : null;
            b.conv2d_forward(y, rand(b, r, g.N(), g.C(), g.H(), g.W()), rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), bias, g);
            return out(b, y);
        });
        CASES.put("conv2d_backward", (b, r) -> {
            ConvGeometry g = geometry(r);
            Tensor dx = rand(b, r, g.N(), g.C(), g.H(), g.W()), dw = rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), db = rand(b, r, g.OC());
            b.conv2d_backward(r.nextBoolean() ? dx : null, dw, db, rand(b, r, g.N(), g.OC(), g.OH(), g.OW()),
                    rand(b, r, g.N(), g.C(), g.H(), g.W()), rand(b, r, g.OC(), g.C(), g.KH(), g.KW()), g);
            return out(b, dx, dw, db);
        });
        CASES.put("relu_forward", (b, r) -> {
            int n = odd(r, 999);
            Tensor y = b.zeros(n);
            b.relu_forward(y, rand(b, r, n), n);
            return out(b, y);
        });
        CASES.put("relu_backward", (b, r) -> {
            int n = odd(r, 999);
            Tensor dx = rand(b, r, n);
            b.relu_backward(dx, rand(b, r, n), rand(b, r, n), n);
            return out(b, dx);
        });
        CASES.put("scale_forward", (b, r) -> {
            int n = odd(r, 999);
            Tensor y = b.zeros(n);
            b.scale_forward(y, rand(b, r, n), 1f / 255f, n);
            return out(b, y);
        });
        CASES.put("gather_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor y = b.zeros(N);
            b.gather_forward(y, rand(b, r, N, A), actions(b, r, N, A), N, A);
            return out(b, y);
        });
        CASES.put("gather_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor dq = rand(b, r, N, A);
            b.gather_backward(dq, rand(b, r, N), actions(b, r, N, A), N, A);
            return out(b, dq);
        });
        CASES.put("max_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor m = b.zeros(N), arg = b.zeros(N);
            boolean both = r.nextBoolean();
            b.max_forward(m, both ? arg : null, rand(b, r, N, A), N, A);
            return out(b, m, arg);
        });
        CASES.put("max_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor dq = rand(b, r, N, A);
            b.max_backward(dq, rand(b, r, N), actions(b, r, N, A), N, A);
            return out(b, dq);
        });
        CASES.put("dueling_forward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor q = b.zeros(N, A);
            b.dueling_forward(q, rand(b, r, N), rand(b, r, N, A), N, A);
            return out(b, q);
        });
        CASES.put("dueling_backward", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            Tensor dv = rand(b, r, N), da = rand(b, r, N, A);
            b.dueling_backward(dv, r.nextBoolean() ? da : null, rand(b, r, N, A), N, A);
            return out(b, dv, da);
        });
        CASES.put("td_target", (b, r) -> {
            int N = odd(r, 70), A = odd(r, 9);
            float[] terminated = new float[N];
            for (int i = 0; i < N; i++) terminated[i] = r.nextInt(3) == 0 ? 1 : 0;
            Tensor y = b.zeros(N), online = r.nextBoolean() ? rand(b, r, N, A) : null;
            b.td_target(y, rand(b, r, N, A), online, rand(b, r, N), b.fromArray(terminated, N), 0.99f, N, A);
            return out(b, y);
        });
        CASES.put("mse_forward", (b, r) -> {
            int N = odd(r, 700);
            Tensor l = b.zeros(1);
            b.mse_forward(l, rand(b, r, N), rand(b, r, N), N);
            return out(b, l);
        });
        CASES.put("mse_backward", (b, r) -> {
            int N = odd(r, 700);
            Tensor d = rand(b, r, N);
            b.mse_backward(d, rand(b, r, 1), rand(b, r, N), rand(b, r, N), N);
            return out(b, d);
        });
        CASES.put("smooth_l1_forward", (b, r) -> {
            int N = odd(r, 700);
            Tensor l = b.zeros(1);
            b.smooth_l1_forward(l, rand(b, r, N), rand(b, r, N), r.nextBoolean() ? 1f : 0.5f, N);
            return out(b, l);
        });
        CASES.put("smooth_l1_backward", (b, r) -> {
            int N = odd(r, 700);
            Tensor d = rand(b, r, N);
            b.smooth_l1_backward(d, rand(b, r, 1), rand(b, r, N), rand(b, r, N), r.nextBoolean() ? 1f : 0.5f, N);
            return out(b, d);
        });
        CASES.put("sgd_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), buf = rand(b, r, n);
            float momentum = r.nextBoolean() ? 0.9f : 0f;
            b.sgd_step(p, rand(b, r, n), momentum == 0 ? null : buf, 0.05f, momentum, r.nextBoolean(), r.nextBoolean(), n);
            return out(b, p, buf);
        });
        CASES.put("adam_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), m = rand(b, r, n), v = b.fromArray(abs(b.toArray(rand(b, r, n))), n);
            int t = 1 + r.nextInt(50);
            float stepSize = (float) (1e-2 / (1 - Math.pow(0.9, t))), bc2Sqrt = (float) Math.sqrt(1 - Math.pow(0.999, t));
            b.adam_step(p, rand(b, r, n), m, v, stepSize, bc2Sqrt, 0.9f, 0.999f, 1e-8f, n);
            return out(b, p, m, v);
        });
        CASES.put("rmsprop_step", (b, r) -> {
            int n = odd(r, 999);
            Tensor p = rand(b, r, n), sq = b.fromArray(abs(b.toArray(rand(b, r, n))), n), gavg = b.zeros(n), mom = rand(b, r, n);
            boolean centered = r.nextBoolean(), epsInside = r.nextBoolean();
            float momentum = r.nextBoolean() ? 0.95f : 0f;
            b.rmsprop_step(p, rand(b, r, n), sq, centered ? gavg : null, momentum == 0 ? null : mom, 2.5e-4f, 0.95f, 0.01f, momentum,
                    centered, epsInside, n);
            return out(b, p, sq, gavg, mom);
        });
        CASES.put("clip_by_value", (b, r) -> {
            int n = odd(r, 999);
            Tensor g = rand(b, r, n);
            b.clip_by_value(g, 0.5f, n);
            return out(b, g);
        });
        CASES.put("sum_squares", (b, r) -> {
            int n = odd(r, 5000);
            Tensor s = b.zeros(1);
            b.sum_squares(s, rand(b, r, n), n);
            return out(b, s);
        });
        CASES.put("clip_by_norm", (b, r) -> {
            int n = odd(r, 999);
            Tensor g = rand(b, r, n), s = b.zeros(1);
            b.sum_squares(s, g, n);
            b.clip_by_norm(g, s, r.nextBoolean() ? 1f : 1e4f, n);
            return out(b, g);
        });
        CASES.put("polyak", (b, r) -> {
            int n = odd(r, 999);
            Tensor t = rand(b, r, n);
            b.polyak(t, rand(b, r, n), r.nextBoolean() ? 1f : 0.3f, n);
            return out(b, t);
        });
    }

    static float[] abs(float[] a) {
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(a[i]);
        return a;
    }

    static ConvGeometry geometry(Random r) {
        while (true) {
            int K = odd(r, 4), pad = r.nextInt(3), H = odd(r, 9), W = odd(r, 9);
            if (H + 2 * pad < K || W + 2 * pad < K) continue;
            return new ConvGeometry(odd(r, 2), odd(r, 3), H, W, odd(r, 4), K, K, odd(r, 3), pad);
        }
    }

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

    static Method twin(String kernel) {
        String op = kernel.contains("__") ? kernel.substring(0, kernel.indexOf("__")) : kernel;
        return Arrays.stream(Backend.class.getMethods()).filter(m -> m.getName().equals(op)).findFirst().orElse(null);
    }

    @Test
    void everyKernelHasAJavaTwinWithTheSameArgumentsAndAParityCase() throws Exception {
        try (Stream<Path> files = Files.list(KERNEL_DIR)) {
            assertEquals(new TreeSet<>(Arrays.asList(Kernels.FILES)),
                    new TreeSet<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cl")).toList()),
                    "Kernels.FILES must list every kernels/*.cl file");
        }
        Map<String, List<String>> kernels = kernelsOnDisk();
        assertTrue(kernels.size() >= 25, "found only " + kernels.keySet());
        for (var e : kernels.entrySet()) {
            Method m = twin(e.getKey());
            assertTrue(m != null, "kernel " + e.getKey() + " has no Java twin on Backend");
            List<String> javaParams = Arrays.stream(m.getParameters()).map(Parameter::getName).toList();
            List<String> expanded = new ArrayList<>();
            for (String p : javaParams) {
                if (p.equals("g") && m.getParameterTypes()[javaParams.indexOf(p)] == ConvGeometry.class) {
                    expanded.addAll(List.of("N", "C", "H", "W", "OC", "KH", "KW", "stride", "pad"));
                } else {
                    expanded.add(p);
                }
            }
            assertEquals(expanded, e.getValue(), "arguments of kernel " + e.getKey() + " vs Backend." + m.getName());
            assertTrue(CASES.containsKey(m.getName()), "no parity case for " + m.getName() + " (kernel " + e.getKey() + ")");
        }
    }

    @TestFactory
    Stream<DynamicTest> kernelsMatchTheirJavaTwins() {
        return CASES.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Backend cl = OpenClSupport.backend(), cpu = new CpuBackend();
            for (int s = 0; s < SHAPES; s++) {
                long seed = e.getKey().hashCode() * 31L + s;
                List<float[]> want = e.getValue().run(cpu, new Random(seed)), got = e.getValue().run(cl, new Random(seed));
                assertEquals(want.size(), got.size());
                for (int k = 0; k < want.size(); k++) close(e.getKey() + " shape " + s + " output " + k, want.get(k), got.get(k));
            }
        }));
    }

    static void close(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": length");
        double tol = 1e-4, eps = 1e-4;
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tol + Math.abs(want[i]) * eps)) {
                throw new AssertionError(what + " at " + i + ": java " + want[i] + " vs kernel " + got[i]);
            }
        }
    }
}
