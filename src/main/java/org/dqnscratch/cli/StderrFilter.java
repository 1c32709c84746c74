package org.dqnscratch.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Copies a child process's stderr to ours, without the banner the Arcade Learning Environment
 * (C++, straight to stderr) prints for every emulator it creates: with {@code --envs 8} that is
 * 150 lines before the first step. Everything else passes through as it comes, byte by byte as
 * soon as a line can no longer be a banner line (so a progress bar's {@code \r} updates are not
 * held back); blank lines right after banner lines go too.
 */
final class AleBannerFilter implements Runnable {
    static final List<String> BANNER = List.of("A.L.E: Arcade Learning Environment", "[Powered by Stella]", "Use -help for help screen.",
            "Warning: couldn't load settings file: ./ale.cfg", "Game console created:", "  ROM file:", "  Cart Name:", "  Cart MD5:",
            "  Display Format:", "  ROM Size:", "  Bankswitch Type:", "WARNING: Possibly unsupported ROM: mismatched MD5.",
            "Cartridge_MD5:", "Cartridge_name:", "Running ROM file...", "Random seed is ");

    private final InputStream in;
    private final OutputStream out;

    AleBannerFilter(InputStream in, OutputStream out) {
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
