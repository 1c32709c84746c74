package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link Presets#markdown} into docs/presets.md between its two markers, so that the docs'
 * table of every preset's settings is the YAML files' (scripts/presets-doc.sh runs this; a test
 * fails when the file and the presets differ).
 */
public final class PresetsDoc {
    private PresetsDoc() {}

    static final String BEGIN = "<!-- generated from src/main/resources/presets/*.yaml by scripts/presets-doc.sh: edit the YAML, not this -->";
    static final String END = "<!-- end of the generated tables -->";

    /** {@code text} with the generated section replaced by today's. */
    static String update(String text) {
        int b = text.indexOf(BEGIN), e = text.indexOf(END);
        if (b < 0 || e < b) throw new IllegalArgumentException("the markers of the generated section are missing");
        return text.substring(0, b + BEGIN.length()) + "\n" + Presets.markdown() + "\n" + text.substring(e);
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "docs/presets.md");
        String before = Files.readString(file), after = update(before);
        if (!after.equals(before)) Files.writeString(file, after);
        System.out.println(file + (after.equals(before) ? ": up to date" : ": updated"));
    }
}
