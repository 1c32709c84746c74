package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relaunched JVM gets the JDK's signal-chaining library preloaded, once, ahead of any preload already set. */
class LauncherSignalChainingTest {
    static final Path JSIG = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");

    @Test
    void preloadsLibjsigOnceAheadOfOtherPreloads() {
        assumeTrue(Files.isRegularFile(JSIG), "no libjsig.so in this JDK (not Linux?)");
        Map<String, String> env = new HashMap<>();
        Launcher.chainSignals(env);
        assertEquals(JSIG.toString(), env.get("LD_PRELOAD"));
        Launcher.chainSignals(env);
        assertEquals(JSIG.toString(), env.get("LD_PRELOAD"), "not twice");
        Map<String, String> other = new HashMap<>(Map.of("LD_PRELOAD", "/opt/x.so"));
        Launcher.chainSignals(other);
        assertEquals(JSIG + ":/opt/x.so", other.get("LD_PRELOAD"));
    }

    @Test
    void testForksHaveItToo() {
        // pom.xml gives surefire's forked JVMs the same preload: ALE's SDL would otherwise break the JVM's SIGSEGV handler.
        assumeTrue(Files.isRegularFile(JSIG), "no libjsig.so in this JDK (not Linux?)");
        assertEquals(JSIG.toString(), System.getenv("LD_PRELOAD"));
    }
}
