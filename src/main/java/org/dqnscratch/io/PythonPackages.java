package org.dqnscratch.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds what pip installed, the way a user's Python would: ale-py's ROMs, Ray's Java runtime. A
 * folder {@code relative} (such as {@code ale_py/roms}) is looked for in the site-packages of the
 * active virtualenv ($VIRTUAL_ENV), of the user's and the system's Pythons, then in the
 * site-packages the {@code python3} on PATH imports {@code module} from (pyenv, conda...).
 * {@code module} is a package (its {@code __init__.py} in its own folder), such as {@code ale_py.roms}.
 */
public final class PythonPackages {
    private PythonPackages() {}

    /** Every existing {@code <site-packages>/<relative>} folder, in the order above (no duplicates). */
    public static List<Path> folders(String relative, String module) {
        List<Path> roots = new ArrayList<>();
        String venv = System.getenv("VIRTUAL_ENV");
        if (venv != null && !venv.isBlank()) roots.add(Path.of(venv, "lib"));
        String home = System.getProperty("user.home");
        roots.add(Path.of(home, ".local", "lib"));
        roots.add(Path.of("/usr/local/lib"));
        roots.add(Path.of("/usr/lib"));
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> pythons = Files.list(root)) {
                pythons.filter(p -> p.getFileName().toString().startsWith("python3")).sorted().forEach(py -> {
                    for (String sp : new String[] {"site-packages", "dist-packages"}) {
                        Path dir = py.resolve(sp).resolve(relative);
                        if (Files.isDirectory(dir)) out.add(dir);
                    }
                });
            } catch (IOException ignored) {
                // an unreadable folder holds nothing we can use
            }
        }
        Path sitePackages = askPython(module);
        if (sitePackages != null) {
            Path dir = sitePackages.resolve(relative);
            if (Files.isDirectory(dir) && !out.contains(dir)) out.add(dir);
        }
        return out;
    }

    /** Asks the python3 on PATH where package {@code module} lies: its site-packages folder; null if it cannot say within seconds. */
    private static Path askPython(String module) {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import os, " + module + " as m; print(os.path.dirname(m.__file__))")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String line = new String(p.getInputStream().readAllBytes()).trim();
            if (p.exitValue() != 0 || line.isEmpty() || line.contains("\n")) return null;
            Path dir = Path.of(line); // the package's own folder: up one level per name in "a.b.c"
            for (int i = module.split("\\.").length; i > 0 && dir != null; i--) dir = dir.getParent();
            return dir != null && Files.isDirectory(dir) ? dir : null;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return null;
        }
    }
}
