package org.dqnscratch.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dqnscratch.env.atari.Roms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code import-roms PATH}: copies the Atari ROMs found in a folder or an ale-py wheel into the per-user ROM folder. */
@Command(name = "import-roms", mixinStandardHelpOptions = true,
        description = "Copies Atari ROMs (identified by MD5) from a folder or an ale-py wheel into the per-user folder the Atari commands search.")
final class ImportRomsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "a folder (searched recursively) or a .whl/.zip file, e.g. an ale-py wheel")
    Path source;

    @Override public Integer call() throws Exception {
        Path target = Roms.userFolder();
        List<String> games = Roms.importRoms(source, target);
        if (games.isEmpty()) {
            throw new IllegalArgumentException("no known Atari ROM in " + source + " (ROMs are recognised by MD5; ale-py's wheels hold them under ale_py/roms)");
        }
        System.out.println("imported " + games.size() + " ROM" + (games.size() == 1 ? "" : "s") + " into " + target + ": " + String.join(", ", games));
        return 0;
    }
}
