package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the POSIX, mapped-file and process tests share: unique object names, cleanup that works
 * on whatever a test left at a name (object, symlink, directory), the leak check run after
 * each class, and running other processes with a time limit.
 */
final class ShmTestSupport {

    static final Path SHM_DIR = Path.of("/dev/shm");
    /** Every name a test creates starts with this, so leftovers are easy to find. */
    static final String PREFIX = "jshm-test-";
    /**
     * This JVM's names also carry its pid: several suites (other worktrees) may run at once, and
     * the leak check must only blame this one for what it left.
     */
    static final String RUN_PREFIX = PREFIX + ProcessHandle.current().pid() + "-";

    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /**
     * The test JVM's class path. Surefire may run tests from a manifest-only jar; the real path
     * is then in {@code surefire.test.class.path}.
     */
    static final String CLASS_PATH = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    private ShmTestSupport() {
    }

    /** A fresh POSIX name, such as {@code /jshm-test-1234-5f3a9c0e1b2d}. */
    static String uniqueName() {
        return "/" + RUN_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    static Path shmPath(String name) {
        return SHM_DIR.resolve(name.substring(1));
    }

    /** Removes whatever is at the name (object, symlink or empty directory), never following a link. */
    static void removeQuietly(String name) {
        Path path = shmPath(name);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cleanup of " + path + " failed", e);
        }
    }

    static boolean existsNoFollow(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** This JVM's entries in /dev/shm. */
    static List<String> leftovers() throws IOException {
        try (Stream<Path> entries = Files.list(SHM_DIR)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).sorted().toList();
        }
    }

    /**
     * Fails if this JVM left anything in /dev/shm. Entries of other suites running at the same
     * time (another pid in the name) are reported in the message but not blamed.
     */
    static void assertNothingLeftInDevShm() throws IOException {
        List<String> all = leftovers();
        List<String> ours = all.stream().filter(n -> n.startsWith(RUN_PREFIX)).toList();
        assertEquals(List.of(), ours, "this test run left objects in /dev/shm (all jshm-test- entries: " + all + ")");
    }

    /** What a finished process printed. */
    record Result(List<String> command, int exit, String out, String err) {
        String describe() {
            String shown = String.join(" ", command).replace(CLASS_PATH, "<test class path>");
            return "command [" + shown + "] exited " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }

        Result assertSuccess() {
            assertEquals(0, exit, this::describe);
            return this;
        }
    }

    /** Runs a command to its end, killing it after {@code timeout}; stdin gets {@code input}. */
    static Result run(Duration timeout, Path workDir, String input, List<String> command) throws IOException, InterruptedException {
        return run(timeout, new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile()), input);
    }

    static Result run(Duration timeout, ProcessBuilder builder, String input) throws IOException, InterruptedException {
        Process process = builder.start();
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(finished, () -> "did not finish within " + timeout + ": " + builder.command());
            return new Result(builder.command(), process.exitValue(), out.join(), err.join());
        } finally {
            process.destroyForcibly();
        }
    }

    static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The command line of a child JVM that runs a main class of the test sources with the test
     * JVM's own {@code java} and class path, checking JNI, writing any crash log into
     * {@code errorDir}.
     */
    static List<String> javaCommand(Path errorDir, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xcheck:jni", "-XX:ErrorFile=" + errorDir.resolve("hs_err_%p.log"),
                "-cp", CLASS_PATH));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** The JVM's crash logs in {@code dir}; a test fails if there are any. */
    static List<Path> crashLogs(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
        }
    }

    /** The value of a {@code Name:  value kB} line of /proc/self/status, in kB. */
    static long procStatusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }

    /** This process's umask, from /proc/self/status. */
    static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        return 0022;
    }

    static boolean isRoot() {
        return Native.geteuid() == 0;
    }
}
