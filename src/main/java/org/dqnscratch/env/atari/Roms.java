package org.dqnscratch.env.atari;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.io.PythonPackages;

/**
 * Finds and checks Atari ROMs. ROMs are not ours to ship: they are looked up, in this order, as
 * the file given with {@code --rom}; in the folder {@code $ALE_ROMS}; in the {@code roms} folder
 * of an installed Python {@code ale-py} (it bundles them since 0.9: {@code pip install ale-py});
 * in the per-user folder that {@code import-roms} fills. Every ROM is identified by its MD5.
 */
public final class Roms {
    private Roms() {}

    private static final Map<String, String> MD5 = loadTable();

    private static Map<String, String> loadTable() {
        Properties p = new Properties();
        try (InputStream in = Roms.class.getResourceAsStream("/atari/rom-md5.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        new TreeSet<>(p.stringPropertyNames()).forEach(k -> m.put(k, p.getProperty(k).trim().toLowerCase(Locale.ROOT)));
        return m;
    }

    /** The games this build knows (ALE 0.6.1 settings and a known ROM checksum). */
    public static List<String> games() { return List.copyOf(MD5.keySet()); }

    /** "Pong", "Space Invaders": for messages. */
    public static String title(String game) {
        StringBuilder b = new StringBuilder();
        for (String w : game.split("_")) b.append(b.length() == 0 ? "" : " ").append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        return b.toString();
    }

    public static String checkGame(String game) {
        if (!MD5.containsKey(game)) {
            throw new IllegalArgumentException("unknown game '" + game + "' (known: " + String.join(", ", MD5.keySet()) + ")");
        }
        return game;
    }

    /** The per-user ROM folder filled by {@code import-roms}: $XDG_DATA_HOME/dqn-scratch/roms. */
    public static Path userFolder() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("dqn-scratch").resolve("roms");
    }

    /**
     * The ROM of {@code game}: {@code explicit} when given (it must be that game's ROM), else the
     * first found in the places above. Errors are one line saying what is wrong and how to get it.
     */
    public static Path locate(String game, Path explicit) throws IOException {
        checkGame(game);
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) throw new IOException("no ROM file " + explicit);
            String md5 = md5(explicit);
            if (!md5.equals(MD5.get(game))) {
                String other = gameOf(md5);
                throw new IOException(explicit + " is not the " + title(game) + " ROM (md5 " + md5 + ", expected " + MD5.get(game)
                        + (other != null ? "; it is " + title(other) : "") + ")");
            }
            return explicit;
        }
        for (Path folder : searchFolders()) {
            Path found = inFolder(folder, game);
            if (found != null) return found;
        }
        throw new IOException("no " + title(game) + " ROM found: install ale-py (pip install ale-py), set ALE_ROMS to a folder with "
                + game + ".bin, run 'dqn-scratch import-roms PATH', or pass --rom FILE");
    }

    /** Where ROMs are looked for when no file is named, in order. */
    static List<Path> searchFolders() {
        List<Path> out = new ArrayList<>();
        String env = System.getenv("ALE_ROMS");
        if (env != null && !env.isBlank()) out.add(Path.of(env));
        out.addAll(aleRomFolders());
        out.add(userFolder());
        return out;
    }

    /** ROM folders of installed ale-py packages: the active virtualenv, usual site-packages, then python3 itself. */
    static List<Path> aleRomFolders() { return PythonPackages.folders("ale_py/roms", "ale_py.roms"); }

    /** {@code <game>.bin} in {@code folder} if its checksum is right; else any ROM file there with the right checksum. */
    static Path inFolder(Path folder, String game) throws IOException {
        if (!Files.isDirectory(folder)) return null;
        Path named = folder.resolve(game + ".bin");
        if (Files.isRegularFile(named) && md5(named).equals(MD5.get(game))) return named;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files.filter(Roms::looksLikeRom).sorted()::iterator) {
                if (md5(f).equals(MD5.get(game))) return f;
            }
        }
        return null;
    }

    private static boolean looksLikeRom(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            return (n.endsWith(".bin") || n.endsWith(".a26")) && Files.isRegularFile(p) && Files.size(p) <= 1 << 20;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Copies every known ROM found in {@code source} (a folder, searched recursively, or a zip such
     * as an ale-py wheel) into {@code target} as {@code <game>.bin}, atomically. Returns the games imported.
     */
    public static List<String> importRoms(Path source, Path target) throws IOException {
        if (!Files.exists(source)) throw new IOException("no such file or folder: " + source);
        Map<String, byte[]> found = new LinkedHashMap<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.walk(source)) {
                for (Path f : (Iterable<Path>) files.filter(Roms::looksLikeRom).sorted()::iterator) {
                    byte[] bytes = Files.readAllBytes(f);
                    String game = gameOf(md5(bytes));
                    if (game != null) found.putIfAbsent(game, bytes);
                }
            }
        } else {
            byte[] head = new byte[4];
            try (InputStream in = Files.newInputStream(source)) {
                if (in.readNBytes(head, 0, 4) < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
                    throw new IOException(source + " is neither a folder nor a zip/wheel file");
                }
            }
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(source))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    String n = e.getName().toLowerCase(Locale.ROOT);
                    if (e.isDirectory() || !(n.endsWith(".bin") || n.endsWith(".a26"))) continue;
                    byte[] bytes = zip.readNBytes(1 << 20);
                    String game = gameOf(md5(bytes));
                    if (game != null) found.putIfAbsent(game, bytes);
                }
            } catch (java.util.zip.ZipException e) {
                throw new IOException(source + " is neither a folder nor a zip/wheel file");
            }
        }
        Files.createDirectories(target);
        for (var e : found.entrySet()) AtomicFiles.write(target.resolve(e.getKey() + ".bin"), o -> o.write(e.getValue()));
        return List.copyOf(found.keySet());
    }

    static String gameOf(String md5) {
        for (var e : MD5.entrySet()) if (e.getValue().equals(md5)) return e.getKey();
        return null;
    }

    static String md5(Path file) throws IOException { return md5(Files.readAllBytes(file)); }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
