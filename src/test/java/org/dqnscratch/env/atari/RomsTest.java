package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding, checking and importing ROMs by MD5 (with the real Pong ROM found as users find it). */
class RomsTest {
    @Test
    void explicitFileMustBeTheGameAsked(@TempDir Path dir) throws IOException {
        Path pong = AtariSupport.pongRom();
        assertEquals(pong, Roms.locate("pong", pong));
        IOException e = assertThrows(IOException.class, () -> Roms.locate("breakout", pong));
        assertTrue(e.getMessage().contains("is not the Breakout ROM") && e.getMessage().contains("it is Pong"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Roms.locate("nosuchgame", null));
        assertTrue(assertThrows(IOException.class, () -> Roms.locate("pong", dir.resolve("x.bin"))).getMessage().contains("no ROM file"));
    }

    @Test
    void aFolderIsSearchedByNameThenByChecksum(@TempDir Path dir) throws IOException {
        Path pong = AtariSupport.pongRom();
        Files.copy(pong, dir.resolve("Video Olympics (1977).bin"));
        Files.write(dir.resolve("pong.bin"), new byte[2048]); // right name, wrong content: not taken
        assertEquals(dir.resolve("Video Olympics (1977).bin"), Roms.inFolder(dir, "pong"));
        assertEquals(null, Roms.inFolder(dir, "breakout"));
    }

    @Test
    void importFromAFolderOrAWheel(@TempDir Path dir) throws IOException {
        Path pong = AtariSupport.pongRom();
        Path src = Files.createDirectories(dir.resolve("src/deep"));
        Files.copy(pong, src.resolve("some name.a26"));
        Files.write(src.resolve("junk.bin"), new byte[100]);
        assertEquals(List.of("pong"), Roms.importRoms(dir.resolve("src"), dir.resolve("out")));
        assertEquals(Files.size(pong), Files.size(dir.resolve("out/pong.bin")));

        Path wheel = dir.resolve("ale_py-0.12.1-cp311-linux_x86_64.whl");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(wheel))) {
            z.putNextEntry(new ZipEntry("ale_py/roms/pong.bin"));
            z.write(Files.readAllBytes(pong));
            z.closeEntry();
        }
        assertEquals(List.of("pong"), Roms.importRoms(wheel, dir.resolve("out2")));
        Files.writeString(dir.resolve("notes.txt"), "no zip");
        assertTrue(assertThrows(IOException.class, () -> Roms.importRoms(dir.resolve("notes.txt"), dir.resolve("o3")))
                .getMessage().contains("neither a folder nor a zip"));
    }
}
