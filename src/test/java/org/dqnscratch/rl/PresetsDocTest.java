package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/presets.md's generated tables are the YAML presets' (run scripts/presets-doc.sh after changing a preset). */
class PresetsDocTest {
    @Test
    void docsListEveryPresetsSettingsAsTheFilesGiveThem() throws Exception {
        String doc = Files.readString(Path.of("docs/presets.md"));
        assertEquals(PresetsDoc.update(doc), doc, "docs/presets.md is out of date: run scripts/presets-doc.sh");
        for (String command : Presets.COMMANDS) {
            for (String name : Presets.forCommand(command).keySet()) assertTrue(doc.contains("| `" + name + "` |"), name);
        }
        assertTrue(doc.contains("| `c51` | `cleanrl`'s settings, distributional: true, atoms: 101"), "a preset that extends another shows it by name");
    }
}
