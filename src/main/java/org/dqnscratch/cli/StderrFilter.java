package org.dqnscratch.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Copies a child process's stderr to ours, without the banner the Arcade Learning Environment
 * (C++, straight to stderr) prints for every emulator it creates (with {@code --envs 8}, 150 lines
 * before the first step) and without Ray's info lines (its bundled log4j reporting its own
 * configuration; its C++ core's "I" lines), which native code and a library we do not configure
 * print. Everything else passes through as it comes, byte by byte as soon as a line can no longer be
 * one of those (so a progress bar's {@code \r} updates are not held back); blank lines right after
 * banner lines go too. Ray's warnings and errors pass.
 */
final class StderrFilter implements Runnable {
    static final List<String> BANNER = List.of("A.L.E: Arcade Learning Environment", "[Powered by Stella]", "Use -help for help screen.",
            "Warning: couldn't load settings file: ./ale.cfg", "Game console created:", "  ROM file:", "  Cart Name:", "  Cart MD5:",
            "  Display Format:", "  ROM Size:", "  Bankswitch Type:", "WARNING: Possibly unsupported ROM: mismatched MD5.",
            "Cartridge_MD5:", "Cartridge_name:", "Running ROM file...", "Random seed is ");

    /** Ray's info lines, by how they start: log4j's status logger ("2026-...Z main INFO ..."), its C++ core's glog style ("[2026-... I pid tid] "). */
    static final List<Pattern> RAY_INFO = List.of(
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z \\S+ INFO "),
            Pattern.compile("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d+ I \\d+ \\d+\\] "));

    private final InputStream in;
    private final OutputStream out;

    StderrFilter(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    private enum Mode { UNDECIDED, PASS, DROP }

    @Override public void run() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        Mode mode = Mode.UNDECIDED;
        boolean afterBanner = false;
        try {
            for (int b; (b = in.read()) != -1; ) {
                if (mode == Mode.PASS) {
                    out.write(b);
                    if (b == '\n') mode = Mode.UNDECIDED;
                    if (in.available() == 0) out.flush();
                    continue;
                }
                if (b == '\n') {
                    boolean blank = mode == Mode.UNDECIDED && line.size() == 0;
                    if (mode == Mode.UNDECIDED && !(blank && afterBanner)) {
                        line.writeTo(out);
                        out.write('\n');
                        out.flush();
                        afterBanner = false;
                    } else if (mode == Mode.DROP) {
                        afterBanner = true;
                    }
                    line.reset();
                    mode = Mode.UNDECIDED;
                    continue;
                }
                if (mode == Mode.DROP) continue;
                line.write(b);
                String so = line.toString(StandardCharsets.UTF_8);
                boolean prefix = false;
                for (String p : BANNER) {
                    if (so.startsWith(p)) {
                        mode = Mode.DROP;
                        break;
                    }
                    prefix |= p.startsWith(so);
                }
                for (Pattern p : RAY_INFO) {
                    if (mode == Mode.DROP) break;
                    Matcher m = p.matcher(so);
                    if (m.lookingAt()) mode = Mode.DROP;
                    else prefix |= m.hitEnd(); // more of the line could still make it one
                }
                if (mode == Mode.UNDECIDED && !prefix) {
                    line.writeTo(out);
                    line.reset();
                    mode = Mode.PASS;
                    afterBanner = false;
                    if (in.available() == 0) out.flush();
                }
            }
            line.writeTo(out);
            out.flush();
        } catch (IOException e) {
            // the child or our stderr went away: nothing left to copy
        }
    }
}
