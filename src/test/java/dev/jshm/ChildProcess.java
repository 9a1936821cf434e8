package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process that shares a segment with the test: a JVM running {@link SyncChild} or a C
 * program. Its standard output is read line by line in the background; every wait has a timeout;
 * closing it kills it if it still runs. A JNI warning in its output fails the test.
 */
final class ChildProcess implements AutoCloseable {

    private static final String EOF = "\u0000EOF";

    private final List<String> command;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer output = new StringBuffer();
    private final StringBuffer errors = new StringBuffer();

    private ChildProcess(List<String> command, SegmentLocator locator) throws IOException {
        this.command = command;
        ProcessBuilder builder = new ProcessBuilder(command);
        if (locator != null) {
            locator.passTo(builder);
        }
        this.process = builder.start();
        Thread out = new Thread(() -> pump(process.getInputStream(), output, true), "child-stdout-" + process.pid());
        Thread err = new Thread(() -> pump(process.getErrorStream(), errors, false), "child-stderr-" + process.pid());
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** A JVM with the test's class path and {@code -Xcheck:jni}, running {@link SyncChild} with {@code args}. */
    static ChildProcess jvm(SegmentLocator locator, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.add("-Xcheck:jni");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SyncChild.class.getName());
        command.addAll(List.of(args));
        return new ChildProcess(command, locator);
    }

    /** Any program. */
    static ChildProcess program(List<String> command) throws IOException {
        return new ChildProcess(List.copyOf(command), null);
    }

    long pid() {
        return process.pid();
    }

    /** The next line of output; fails on a timeout, on end of output, or on a JNI warning. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        assertNotNull(line, () -> "no output from " + command + " within " + timeout + describe());
        assertFalse(line.equals(EOF), () -> "the output of " + command + " ended" + describe());
        assertFalse(line.contains("WARNING"), () -> "warning from " + command + ": " + line + describe());
        return line;
    }

    void expectLine(String expected, Duration timeout) throws InterruptedException {
        String line = nextLine(timeout);
        assertTrue(line.equals(expected), () -> "expected \"" + expected + "\" from " + command + ", got \"" + line + "\"" + describe());
    }

    /** Writes a line to the child's standard input. */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the exit and returns its status; fails on a timeout. */
    int waitFor(Duration timeout) throws InterruptedException {
        assertTrue(process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS),
                () -> command + " did not exit within " + timeout + describe());
        return process.exitValue();
    }

    /** SIGKILL, and waits until the process is gone (so the kernel has released what it held). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    String describe() {
        return "\n--- stdout:\n" + output + "--- stderr:\n" + errors;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private void pump(InputStream stream, StringBuffer copy, boolean queue) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                copy.append(line).append('\n');
                if (queue) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            copy.append("(reading failed: ").append(e).append(")\n");
        } finally {
            if (queue) {
                lines.add(EOF);
            }
        }
    }
}
