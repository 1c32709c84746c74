package org.dqnscratch.ray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dqnscratch.io.PythonPackages;

/**
 * Ray's Java runtime as {@code pip install ray} installs it: {@code ray/jars/ray_dist.jar} inside
 * the wheel, the one Ray jar used at run time (the cluster's own version; Maven Central's newest
 * ray-api, which we compile against, is older). Found the way ROMs are found: a path given
 * ({@code --ray-jar}), else the active virtualenv, the usual site-packages, then the python3 on PATH.
 *
 * @param jar     ray_dist.jar
 * @param version the wheel's version (ray/_version.py), or "unknown" for a jar given by path outside a wheel
 */
public record RayJar(Path jar, String version) {
    /** The oldest Ray whose Java runtime was run with this engine (2.58 here); older ones may work. */
    static final String TESTED = "2.58.0";

    private static final Pattern VERSION = Pattern.compile("(?m)^version\\s*=\\s*[\"']([^\"']+)[\"']");

    /** {@code explicit} when given (a ray_dist.jar, or a folder holding one), else the installed one; one-line errors. */
    public static RayJar locate(Optional<Path> explicit) {
        if (explicit.isPresent()) {
            Path p = explicit.get();
            Path jar = Files.isDirectory(p) ? p.resolve("ray_dist.jar") : p;
            if (!Files.isRegularFile(jar)) throw new RayException("--ray-jar " + p + ": no such file (Ray's Java runtime is ray/jars/ray_dist.jar in a pip install of ray)");
            return new RayJar(jar, versionNear(jar));
        }
        List<Path> found = PythonPackages.folders("ray/jars", "ray");
        for (Path dir : found) {
            Path jar = dir.resolve("ray_dist.jar");
            if (Files.isRegularFile(jar)) return new RayJar(jar, versionNear(jar));
        }
        throw new RayException("Ray is not installed: `pip install ray` (" + TESTED + " or newer) into a virtualenv and activate it, "
                + "or name its jar with --ray-jar PATH/ray/jars/ray_dist.jar");
    }

    /** The version of the wheel a ray/jars/ray_dist.jar came in: ray/_version.py beside jars/. */
    static String versionNear(Path jar) {
        Path file = jar.toAbsolutePath().getParent().resolveSibling("_version.py");
        try {
            Matcher m = VERSION.matcher(Files.readString(file));
            return m.find() ? m.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
