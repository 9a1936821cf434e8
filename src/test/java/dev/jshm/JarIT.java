package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, run as users run it: {@code java -jar target/jshm.jar} from another working
 * directory, with no flags, on JDK 17 and JDK 25, many JVMs at once.
 */
class JarIT {

    private static final Path JAR = Path.of(System.getProperty("jshm.jar", "target/jshm.jar")).toAbsolutePath();
    private static final String JAVA = TestProcesses.JAVA;
    private static final Path JDK25 = Path.of(System.getProperty("jshm.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    private static final String LINE = "seed line for the jar test";

    @TempDir
    Path workDir;

    private TestProcesses.Result run(String java, Path cwd, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of(args));
        return TestProcesses.run(Duration.ofSeconds(60), cwd, stdin, command);
    }

    private void assertDemoWorked(TestProcesses.Result result) {
        assertEquals(0, result.exit(), () -> "exit code; stderr:\n" + result.err());
        assertTrue(result.out().contains(LINE), () -> "the line read back is missing:\n" + result.out());
        // No JNI, restricted-method or loader warning of any kind.
        assertEquals("", result.err(), "stderr must be empty");
    }

    @Test
    void jarCarriesTheLibrariesAndTheManifestEntries() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (String platform : NativePlatform.BUNDLED) {
                assertNotNull(jar.getEntry("native/" + platform + "/libjshm.so"), "bundled library for " + platform);
            }
            assertEquals(List.of("linux-x86_64", "linux-aarch64"), NativePlatform.BUNDLED);
            Manifest manifest = jar.getManifest();
            assertEquals("ALL-UNNAMED", manifest.getMainAttributes().getValue("Enable-Native-Access"));
            assertEquals("dev.jshm.cli.Main", manifest.getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void demoRunsFromAnotherDirectoryOnJdk17WithNoFlags() throws Exception {
        TestProcesses.Result result = run(JAVA, workDir, LINE + "\n", "-jar", JAR.toString(), "demo");
        assertDemoWorked(result);
    }

    @Test
    void demoRunsOnJdk25WithoutNativeAccessWarnings() throws Exception {
        Path java = JDK25.resolve("bin/java");
        assumeTrue(Files.isExecutable(java), "JDK 25 is not installed at " + JDK25);
        TestProcesses.Result version = run(java.toString(), workDir, "", "-version");
        assertTrue(version.err().contains("\"25"), version.err());
        TestProcesses.Result result = run(java.toString(), workDir, LINE + "\n", "-jar", JAR.toString(), "demo");
        assertDemoWorked(result);
    }

    @Test
    void manyJvmsLoadTheLibraryAtOnceAndLeaveNoCopyBehind() throws Exception {
        Path extractTo = Files.createDirectory(workDir.resolve("native-work"));
        List<TestProcesses.Child> jvms = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                jvms.add(TestProcesses.start(new ProcessBuilder(JAVA, "-Djshm.native.workdir=" + extractTo, "-jar",
                        JAR.toString(), "demo").directory(workDir.toFile()).redirectErrorStream(true)));
            }
            for (TestProcesses.Child jvm : jvms) {
                jvm.send(LINE);
                jvm.closeInput();
            }
            for (TestProcesses.Child jvm : jvms) {
                int exit = jvm.waitFor(Duration.ofSeconds(60));
                String out = jvm.stdout();
                assertEquals(0, exit, out);
                assertTrue(out.contains(LINE), out);
            }
        } finally {
            for (TestProcesses.Child jvm : jvms) {
                jvm.close();
            }
        }
        try (Stream<Path> left = Files.list(extractTo)) {
            assertEquals(List.of(), left.toList(), "extracted copies must be deleted once loaded");
        }
    }

    @Test
    void noexecWorkDirectoryFailsWithAHint() throws Exception {
        Path noexec = Files.createDirectory(workDir.resolve("noexec"));
        TestProcesses.Result mount = run("mount", workDir, "", "-t", "tmpfs", "-o", "noexec,size=4m", "tmpfs", noexec.toString());
        assumeTrue(mount.exit() == 0, "cannot mount a noexec tmpfs here (needs root): " + mount.err());
        try {
            TestProcesses.Result result = run(JAVA, workDir, LINE + "\n", "-Djshm.native.workdir=" + noexec,
                    "-jar", JAR.toString(), "demo");
            assertFalse(result.exit() == 0, "loading from a noexec directory must fail");
            String err = result.err();
            assertTrue(err.contains("noexec") && err.contains("jshm.native.workdir"), err);
            assertTrue(err.contains("os.arch=") && err.contains("java.library.path"), err);
            try (Stream<Path> left = Files.list(noexec)) {
                assertEquals(0, left.count(), "the failed copy must be deleted");
            }
        } finally {
            run("umount", workDir, "", noexec.toString());
        }
    }

    /**
     * A platform the jar has no library for (os.arch overridden to riscv64): the demo fails with
     * the advice, and a library named by jshm.native.path still loads.
     */
    @Test
    void unsupportedArchitectureIsRefusedWithAdviceUnlessALibraryIsNamed() throws Exception {
        TestProcesses.Result refused = run(JAVA, workDir, LINE + "\n", "-Dos.arch=riscv64", "-jar", JAR.toString(), "demo");
        assertFalse(refused.exit() == 0, "no library for riscv64 in the jar: " + refused.out());
        String err = refused.err();
        assertTrue(err.contains("os.arch=riscv64, platform=linux-riscv64)"), err);
        assertTrue(err.contains("this jar bundles libjshm.so for linux-x86_64 and linux-aarch64 with glibc 2.17 or newer only"),
                err);
        assertTrue(err.contains("build the C library from src/main/c") && err.contains("-Djshm.native.path="), err);

        Path copy = workDir.resolve("libjshm-own.so");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Files.copy(jar.getInputStream(jar.getEntry("native/linux-x86_64/libjshm.so")), copy);
        }
        TestProcesses.Result named = run(JAVA, workDir, LINE + "\n", "-Dos.arch=riscv64", "-Djshm.native.path=" + copy,
                "-jar", JAR.toString(), "demo");
        assertDemoWorked(named);
    }

    @Test
    void explicitLibraryPathPropertyIsUsedFirst() throws Exception {
        Path copy = workDir.resolve("libjshm-copy.so");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Files.copy(jar.getInputStream(jar.getEntry("native/linux-x86_64/libjshm.so")), copy);
        }
        // A regular file as the work directory: extracting the bundled copy cannot work, so only
        // the property can make this run succeed.
        Path notADirectory = Files.writeString(workDir.resolve("not-a-directory"), "x");
        TestProcesses.Result broken = run(JAVA, workDir, LINE + "\n", "-Djshm.native.workdir=" + notADirectory,
                "-Djava.library.path=" + workDir.resolve("empty"), "-jar", JAR.toString(), "demo");
        assertFalse(broken.exit() == 0, "without the property this setup cannot load: " + broken.out());
        assertTrue(broken.err().contains("could not be extracted"), broken.err());

        TestProcesses.Result ok = run(JAVA, workDir, LINE + "\n", "-Djshm.native.workdir=" + notADirectory,
                "-Djshm.native.path=" + copy, "-jar", JAR.toString(), "demo");
        assertDemoWorked(ok);
    }
}
