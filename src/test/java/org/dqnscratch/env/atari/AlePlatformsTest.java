package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/**
 * The native libraries of every platform ALE 0.6.1 is published for are on the classpath, so the
 * fat jar carries them and JavaCPP loads the one it runs on. Only linux-x86_64 runs here (the Atari
 * tests); macOS and Windows are shipped untested (README, "Platforms").
 */
class AlePlatformsTest {
    @Test
    void everyPublishedPlatformIsShipped() {
        String[][] natives = {
            {"org/bytedeco/ale/linux-x86_64/libjniale.so", "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so"},
            {"org/bytedeco/ale/macosx-x86_64/libjniale.dylib", "org/bytedeco/javacpp/macosx-x86_64/libjnijavacpp.dylib"},
            {"org/bytedeco/ale/windows-x86_64/jniale.dll", "org/bytedeco/javacpp/windows-x86_64/jnijavacpp.dll"},
        };
        ClassLoader cl = AlePlatformsTest.class.getClassLoader();
        for (String[] platform : natives) for (String lib : platform) assertNotNull(cl.getResource(lib), lib + " is not on the classpath");
    }
}
