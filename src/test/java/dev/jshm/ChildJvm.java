package dev.jshm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the tests in a new JVM, as a crash or a JNI warning would show up in a
 * user's process: same {@code java}, same class path, {@code -Xcheck:jni}, its own working
 * directory (where a crash would leave its {@code hs_err_pid*.log}).
 */
final class ChildJvm {

    /** What the child did: its exit code and everything it printed (stdout and stderr merged). */
    record Outcome(int exitCode, String output) {
        String describe() {
            return "exit code " + exitCode + ", output:\n" + output;
        }
    }

    private ChildJvm() {
    }

    /** The test JVM's class path: under surefire {@code java.class.path} may be a manifest-only jar. */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String path = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        return path;
    }

    static Outcome run(Path workDir, Duration timeout, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xcheck:jni");
        // JDK 22+ warns about System.load from the class path without it.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass.getName());
        command.addAll(List.of(args));

        Path log = Files.createTempFile(workDir, "child-", ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child JVM " + mainClass.getSimpleName() + " still running after " + timeout
                    + ", output so far:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Outcome(process.exitValue(), output);
    }

    /** Whether {@code classPath()} can run the test classes at all (a sanity check for the tests). */
    static boolean seesTestClasses() {
        for (String entry : classPath().split(File.pathSeparator)) {
            if (Files.isRegularFile(Path.of(entry).resolve(ChildJvm.class.getName().replace('.', '/') + ".class"))) {
                return true;
            }
        }
        return false;
    }
}
