package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.jshm.TestProcesses;

/**
 * Starts the other side of a ring for the tests, as {@link TestProcesses.Child} processes: the C
 * program {@code src/test/c/ring_peer.c} (compiled here with gcc, with the C core) or another JVM
 * running {@link RingJavaPeer}. A field with {@code @RegisterExtension}: after each test it
 * kills whatever still runs.
 */
final class RingPeers implements AfterEachCallback {

    private static final Path WORK = TestProcesses.targetDir().resolve("ring-peer");
    private static Path compiled;
    private static Path compiledSanitized;

    private final List<TestProcesses.Child> started = new ArrayList<>();

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
        Path base = TestProcesses.basedir();
        List<String> command = new ArrayList<>(List.of("gcc", "-std=gnu11", "-g", "-Wall", "-Wextra", "-Wshadow",
                "-Wconversion", "-Wno-sign-conversion", "-Werror", "-D_GNU_SOURCE"));
        command.addAll(sanitized
                ? List.of("-O1", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all")
                : List.of("-O2"));
        command.addAll(List.of("-I", base.resolve("src/main/c").toString(), "-o", binary.toString(),
                base.resolve("src/test/c/ring_peer.c").toString()));
        command.addAll(TestProcesses.cCoreSources());
        TestProcesses.Result gcc = TestProcesses.run(Duration.ofSeconds(120),
                new ProcessBuilder(command).redirectErrorStream(true), null);
        assertEquals(0, gcc.exit(), () -> "gcc failed: " + command + "\n" + gcc.out());
        if (sanitized) {
            compiledSanitized = binary;
        } else {
            compiled = binary;
        }
        return binary;
    }

    /** Starts the C peer with {@code key=value} arguments. */
    TestProcesses.Child startC(String mode, String... args) throws IOException, InterruptedException {
        return startC(cPeer(), mode, args);
    }

    /** Starts the C peer built with the sanitizers. */
    TestProcesses.Child startSanitizedC(String mode, String... args) throws IOException, InterruptedException {
        return startC(sanitizedCPeer(), mode, args);
    }

    private TestProcesses.Child startC(Path binary, String mode, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add(mode);
        command.addAll(List.of(args));
        return start(command);
    }

    /** Starts {@link RingJavaPeer} in a new JVM (the same java and class path as this one). */
    TestProcesses.Child startJava(String mode, String... args) throws IOException {
        Files.createDirectories(WORK);
        List<String> peerArgs = new ArrayList<>();
        peerArgs.add(mode);
        peerArgs.addAll(List.of(args));
        return start(TestProcesses.javaCommand(WORK, List.of("-Xmx256m", "-XX:+UseSerialGC"), RingJavaPeer.class,
                peerArgs.toArray(String[]::new)));
    }

    private TestProcesses.Child start(List<String> command) throws IOException {
        TestProcesses.Child peer = TestProcesses.start(command);
        started.add(peer);
        return peer;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (TestProcesses.Child peer : started) {
            peer.process().destroyForcibly();
        }
        for (TestProcesses.Child peer : started) {
            peer.close();
        }
        started.clear();
    }
}
