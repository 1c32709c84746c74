package org.dqnscratch.opencl;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels' sizes for one device: the GEMM tile (gemm.cl: a TSM x TSN tile of outputs per
 * work-group, TSK-deep slices in local memory, WPTM x WPTN outputs per work-item) and how many
 * work-groups a launch should offer the device ({@code groups}: below it, a GEMM splits K across
 * work-groups and a reduction runs in more groups). {@link #choose} picks the largest tile that
 * the device's work-group and local-memory limits allow; {@code DQN_OPENCL_TUNING} overrides it
 * (for tuning on a new GPU), e.g. {@code 64x64x16/4x4/264}.
 */
public record Tuning(int tsm, int tsn, int tsk, int wptm, int wptn, int groups) {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)x(\\d+)x(\\d+)/(\\d+)x(\\d+)/(\\d+)");

    public Tuning {
        if (tsm < 1 || tsn < 1 || tsk < 1 || wptm < 1 || wptn < 1 || groups < 1 || tsm % wptm != 0 || tsn % wptn != 0
                || Integer.bitCount(tsk) != 1 || Integer.bitCount(tsm) != 1 || Integer.bitCount(tsn) != 1) {
            throw new IllegalArgumentException("bad OpenCL tuning " + format(tsm, tsn, tsk, wptm, wptn, groups)
                    + ": tiles are powers of two, each a multiple of its work per item, all >= 1");
        }
    }

    /** Tiles from largest to smallest: 256, 256, 64 and 64 work-items. */
    static final List<Tuning> TILES = List.of(new Tuning(64, 64, 16, 4, 4, 1), new Tuning(32, 32, 16, 2, 2, 1),
            new Tuning(32, 32, 8, 4, 4, 1), new Tuning(16, 16, 8, 2, 2, 1));

    /** Work-items per GEMM work-group. */
    public int threads() { return (tsm / wptm) * (tsn / wptn); }

    /** Local memory of a GEMM work-group (the two staging tiles, padded by a column). */
    public long localBytes() { return 4L * tsk * (tsm + 1 + tsn + 1); }

    /** The compiler's -D options. */
    String defines() { return String.format(Locale.ROOT, "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d", tsm, tsn, tsk, wptm, wptn); }

    Tuning withGroups(int g) { return new Tuning(tsm, tsn, tsk, wptm, wptn, g); }

    /** The override from {@code DQN_OPENCL_TUNING} if set, else the largest tile that fits the device, groups = 2 per compute unit. */
    static Tuning choose(OpenClDevice d) {
        String env = System.getenv("DQN_OPENCL_TUNING");
        if (env != null && !env.isBlank()) return parse(env.trim());
        for (Tuning t : TILES) if (fits(t, d)) return t.withGroups(Math.max(1, 2 * d.computeUnits()));
        throw new OpenClException(d + " offers work-groups of " + d.maxWorkGroupSize() + " and " + d.localMemBytes()
                + " bytes of local memory; the smallest GEMM tile needs " + TILES.get(TILES.size() - 1).threads() + " and "
                + TILES.get(TILES.size() - 1).localBytes());
    }

    static boolean fits(Tuning t, OpenClDevice d) { return t.threads() <= d.maxWorkGroupSize() && t.localBytes() <= d.localMemBytes(); }

    /** {@code TSMxTSNxTSK/WPTMxWPTN/groups}, as {@link #toString} writes it. */
    public static Tuning parse(String s) {
        Matcher m = FORMAT.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("DQN_OPENCL_TUNING '" + s + "' is not TSMxTSNxTSK/WPTMxWPTN/GROUPS, e.g. 64x64x16/4x4/264");
        int[] v = new int[6];
        for (int i = 0; i < 6; i++) v[i] = Integer.parseInt(m.group(i + 1));
        return new Tuning(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    private static String format(int tsm, int tsn, int tsk, int wptm, int wptn, int groups) {
        return tsm + "x" + tsn + "x" + tsk + "/" + wptm + "x" + wptn + "/" + groups;
    }

    @Override public String toString() { return format(tsm, tsn, tsk, wptm, wptn, groups); }

    /** For {@code info --device opencl}. */
    public String describe() {
        return String.format(Locale.ROOT, "GEMM tile %dx%d, %d deep, %dx%d outputs per work-item (%d work-items, %d bytes of local memory); "
                + "launches aim at %d work-groups (DQN_OPENCL_TUNING=%s)", tsm, tsn, tsk, wptm, wptn, threads(), localBytes(), groups, this);
    }
}
