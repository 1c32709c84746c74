package org.dqnscratch.ray;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Loads Ray's runtime (ray_dist.jar) beside our classes without mixing the two: ray_dist.jar bundles
 * its own Jackson, Guava, protobuf... of versions our jar may hold too. Child-first for what
 * ray_dist.jar holds and for our {@code org.dqnscratch.ray.remote} package (the only code that
 * calls Ray: it sees Ray's classes and, through the parent, the rest of ours); everything else of
 * ours from the parent, so the learner and the remote fleet share one set of our classes. This works
 * in any JVM (the CLI's, a Java API user's) with no change to its class path. One per JVM: Ray loads
 * native libraries, which a JVM binds to a single class loader.
 */
final class RayLoader extends URLClassLoader {
    static final String REMOTE = "org.dqnscratch.ray.remote.";
    private static RayLoader instance;
    private final Path jar;

    private RayLoader(Path rayJar) throws MalformedURLException {
        super("ray", new URL[] {rayJar.toUri().toURL()}, RayLoader.class.getClassLoader());
        this.jar = rayJar;
    }

    /** The JVM's loader for {@code rayJar}; a second, different jar is refused (its natives could not load). */
    static synchronized RayLoader of(Path rayJar) {
        if (instance != null) {
            if (!instance.jar.equals(rayJar)) throw new RayException("this JVM already runs Ray from " + instance.jar + ", not " + rayJar);
            return instance;
        }
        try {
            instance = new RayLoader(rayJar);
        } catch (MalformedURLException e) {
            throw new RayException("cannot load " + rayJar + ": " + e.getMessage(), e);
        }
        return instance;
    }

    /**
     * Where Ray's workers load our classes and what they use from: this JVM's class path (the fat jar
     * alone under {@code java -jar}; a Java API user's jars; target/classes and the dependencies in
     * tests) and our own code's location, without any Ray jar (the workers have Ray's own: an older
     * Ray API before it breaks them).
     */
    static java.util.List<String> codeSearchPath() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        try {
            out.add(Path.of(RayLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) add(Path.of(entry).toAbsolutePath(), out);
        }
        return new java.util.ArrayList<>(out);
    }

    /** {@code entry} unless it holds Ray, and what its manifest's Class-Path names (a launcher jar, such as Surefire's, lists them there). */
    private static void add(Path entry, java.util.Set<String> out) {
        if (holdsRay(entry) || !out.add(entry.toString()) || java.nio.file.Files.isDirectory(entry)) return;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry.toFile())) {
            java.util.jar.Manifest m = jar.getManifest();
            String listed = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (listed == null) return;
            for (String url : listed.trim().split("\\s+")) {
                try {
                    java.net.URI u = entry.toUri().resolve(url);
                    if ("file".equals(u.getScheme())) add(Path.of(u), out);
                } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException ignored) {
                    // not a local file: nothing a worker could load
                }
            }
        } catch (java.io.IOException notAJar) {
            // a missing entry or not a jar: nothing to expand
        }
    }

    private static boolean holdsRay(Path entry) {
        if (java.nio.file.Files.isDirectory(entry)) return java.nio.file.Files.exists(entry.resolve("io/ray/api/Ray.class"));
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(entry.toFile())) {
            return z.getEntry("io/ray/api/Ray.class") != null;
        } catch (java.io.IOException notAZip) {
            return false;
        }
    }

    @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null && name.startsWith(REMOTE)) c = defineRemote(name);
            if (c == null && childFirst(name)) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notRays) {
                    // not in ray_dist.jar: the parent's
                }
            }
            if (c == null) c = getParent().loadClass(name);
            if (resolve) resolveClass(c);
            return c;
        }
    }

    /** A class of our remote package, defined here from our own class file (the parent's resource). */
    private Class<?> defineRemote(String name) throws ClassNotFoundException {
        String file = name.replace('.', '/') + ".class";
        try (java.io.InputStream in = getParent().getResourceAsStream(file)) {
            if (in == null) throw new ClassNotFoundException(name);
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length, RayLoader.class.getProtectionDomain());
        } catch (java.io.IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    /**
     * Anything not ours and not the JDK's is looked for in ray_dist.jar first (Ray's classes and what it
     * bundles, JNA's com.sun.jna among them); what it lacks comes from the parent (a library only our
     * jar holds: one copy, shared).
     */
    private static boolean childFirst(String name) {
        if (name.startsWith("org.dqnscratch.")) return false;
        try {
            Class.forName(name, false, ClassLoader.getPlatformClassLoader());
            return false; // the JDK's
        } catch (ClassNotFoundException notTheJdks) {
            return true;
        }
    }
}
