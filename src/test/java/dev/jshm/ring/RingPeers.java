package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the other side of a ring for the tests: the C program {@code src/test/c/ring_peer.c}
 * (compiled here with gcc, with the C core) or another JVM running {@link RingJavaPeer}. Output
 * goes to files (never a pipe that could fill up). {@link #close()} kills whatever still runs.
 */
final class RingPeers implements AutoCloseable {

    private static final Path BASE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Path WORK = BASE.resolve("target/ring-peer");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static Path compiled;
    private static Path compiledSanitized;

    private final List<Peer> started = new ArrayList<>();

    /** A started peer and the files its output goes to. */
    record Peer(Process process, Path out, Path err, List<String> command) {

        /** Waits for the peer to exit 0 and returns its stdout; fails with its stderr otherwise. */
        String await(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("peer did not finish within " + timeout + ": " + command + "\nstdout: " + stdout() + "\nstderr: " + stderr());
            }
            assertEquals(0, process.exitValue(), () -> "peer exit status: " + command + "\nstdout: " + stdout() + "\nstderr: " + stderr());
            return stdout();
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }

    /** The C peer, compiled once per JVM from ring_peer.c and the core sources (not the JNI glue). */
    static Path cPeer() throws IOException, InterruptedException {
        return compile(false);
    }

    /** The C peer under AddressSanitizer and UBSan: any bad access or undefined behaviour ends it with an error. */
    static Path sanitizedCPeer() throws IOException, InterruptedException {
        return compile(true);
    }

    private static synchronized Path compile(boolean sanitized) throws IOException, InterruptedException {
        Path cached = sanitized ? compiledSanitized : compiled;
        if (cached != null) {
            return cached;
        }
        Files.createDirectories(WORK);
        Path binary = WORK.resolve(sanitized ? "ring_peer_asan" : "ring_peer");
        List<String> command = new ArrayList<>(List.of("gcc", "-std=gnu11", "-g", "-Wall", "-Wextra", "-Wshadow",
                "-Wconversion", "-Wno-sign-conversion", "-Werror", "-D_GNU_SOURCE"));
        command.addAll(sanitized
                ? List.of("-O1", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all")
                : List.of("-O2"));
        command.addAll(List.of("-I", BASE.resolve("src/main/c").toString(), "-o", binary.toString(),
                BASE.resolve("src/test/c/ring_peer.c").toString()));
        try (var sources = Files.list(BASE.resolve("src/main/c"))) {
            sources.filter(p -> p.toString().endsWith(".c") && !p.getFileName().toString().equals("jshm_jni.c"))
                    .sorted().forEach(p -> command.add(p.toString()));
        }
        Path log = WORK.resolve(binary.getFileName() + ".gcc.log");
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!gcc.waitFor(120, TimeUnit.SECONDS)) {
            gcc.destroyForcibly();
            fail("gcc did not finish: " + command);
        }
        assertEquals(0, gcc.exitValue(), () -> "gcc failed: " + command + "\n" + Peer.read(log));
        if (sanitized) {
            compiledSanitized = binary;
        } else {
            compiled = binary;
        }
        return binary;
    }

    /** Starts the C peer with {@code key=value} arguments. */
    Peer startC(String mode, String... args) throws IOException, InterruptedException {
        return startC(cPeer(), mode, args);
    }

    /** Starts the C peer built with the sanitizers. */
    Peer startSanitizedC(String mode, String... args) throws IOException, InterruptedException {
        return startC(sanitizedCPeer(), mode, args);
    }

    private Peer startC(Path binary, String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add(mode);
        command.addAll(List.of(args));
        return start(command);
    }

    /** Starts {@link RingJavaPeer} in a new JVM (the same java and class path as this one). */
    Peer startJava(String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xcheck:jni", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), RingJavaPeer.class.getName(), mode));
        command.addAll(List.of(args));
        return start(command);
    }

    private Peer start(List<String> command) throws IOException {
        Files.createDirectories(WORK);
        int n = SEQUENCE.incrementAndGet();
        Path out = WORK.resolve("peer-" + ProcessHandle.current().pid() + "-" + n + ".out");
        Path err = WORK.resolve("peer-" + ProcessHandle.current().pid() + "-" + n + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Peer peer = new Peer(process, out, err, command);
        started.add(peer);
        return peer;
    }

    @Override
    public void close() throws InterruptedException {
        for (Peer peer : started) {
            if (peer.process().isAlive()) {
                peer.process().destroyForcibly();
            }
        }
        for (Peer peer : started) {
            peer.process().waitFor(10, TimeUnit.SECONDS);
            try {
                Files.deleteIfExists(peer.out());
                Files.deleteIfExists(peer.err());
            } catch (IOException ignored) {
                // a leftover log in target/ is harmless
            }
        }
    }
}
