package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StderrFilterTest {
    static String filter(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StderrFilter(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), out).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dropsTheBannerAndKeepsEverythingElse() {
        String banner = """
                A.L.E: Arcade Learning Environment (version 0.6.0)
                [Powered by Stella]
                Use -help for help screen.
                Warning: couldn't load settings file: ./ale.cfg
                Game console created:
                  ROM file:  /tmp/dqn-ale-1/pong.bin
                  Cart Name: Video Olympics (1978) (Atari)
                  Cart MD5:  60e0ea3cbe0913d39803477945e9e5ec
                  Display Format:  AUTO-DETECT ==> NTSC
                  ROM Size:        2048
                  Bankswitch Type: AUTO-DETECT ==> 2K


                WARNING: Possibly unsupported ROM: mismatched MD5.
                Cartridge_MD5: 60e0ea3cbe0913d39803477945e9e5ec
                Cartridge_name: Video Olympics (1978) (Atari)

                Running ROM file...
                Random seed is 1
                """;
        String mine = "WARNING: Using incubator modules: jdk.incubator.vector\n\rpong  12% [==   ] 1200/10000\rpong  13%\n"
                + "  indented line of ours\n\nerror: something\n";
        assertEquals(mine, filter(banner + mine + banner));
        assertEquals("partial", filter("partial"));
    }

    /** Ray's info lines (log4j's status reports, its C++ core's "I" lines) go; its warnings and errors, and our lines with dates, stay. */
    @Test
    void dropsRaysInfoLinesOnly() {
        String info = "2026-12-03T16:13:35.991400564Z main INFO Starting configuration org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration@42257bdd...\n"
                + "[2026-12-03 16:13:36,252 I 4158 4161] gcs_client.cc:96: GcsClient has no Cluster ID set, and won't fetch from GCS.\n";
        String kept = "[2026-12-03 16:13:36,252 W 4158 4161] core_worker.cc:1: a warning\n"
                + "2026-12-03T16:13:35.991Z main ERROR something broke\n"
                + "2026-12-03 is a date we print\n[2026] bracketed\n";
        assertEquals(kept, filter(info + kept + info));
    }
}
