package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AleBannerFilterTest {
    static String filter(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new AleBannerFilter(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), out).run();
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
}
