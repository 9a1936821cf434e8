package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jshm.sync.Futex;
import dev.jshm.sync.WaitResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on aarch64, proven here without an ARM machine: an arm64 JVM runs under
 * qemu-user emulation ({@code qemu-aarch64 -L /}), loads the jar's
 * {@code native/linux-aarch64/libjshm.so}, and shares segments with this x86_64 JVM: the demo;
 * System V, POSIX and file segments created on each side and used and removed by the other;
 * atomics, release/acquire hand-offs and futex wake-ups between the two; the message ring both
 * ways; bounds and use-after-close errors on the emulated side.
 *
 * <p>Emulation runs every aarch64 instruction, but on this host's memory model: qemu's TCG on
 * x86_64 does not reorder, so weak ordering is not exercised here (the code argues each
 * release/acquire pair instead, see README "Supported platforms"). No lock holder is killed here:
 * owner death is proven on x86_64 by RobustLockTest and LockOwnerTest, on the same C code.
 *
 * <p>Needs {@code qemu-user} and {@code openjdk-17-jre-headless:arm64}. Without them the class
 * is skipped with a loud assumption failure, unless {@code -Djshm.aarch64.required=true} (set by
 * {@code .ci/run}, which installs both) turns the skip into a failure.
 */
class Aarch64EmulationIT {

    private static final Path JAR = Path.of(System.getProperty("jshm.jar", "target/jshm.jar")).toAbsolutePath();
    private static final Path ARM_JAVA = Path.of(System.getProperty("jshm.aarch64.java",
            "/usr/lib/jvm/java-17-openjdk-arm64/bin/java"));
    private static final String INSTALL = "dpkg --add-architecture arm64 && apt-get update && "
            + "apt-get install qemu-user openjdk-17-jre-headless:arm64 (.ci/run does this)";
    private static final Duration REPLY = Duration.ofSeconds(90);
    private static final String LINE = "seed line for the aarch64 demo";

    private static TestProcesses.Child peer;
    private static int lastTag;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startEmulatedPeer() throws Exception {
        Path qemu = onPath("qemu-aarch64");
        String missing = qemu == null ? "qemu-aarch64 is not on the PATH"
                : !Files.isExecutable(ARM_JAVA) ? "no arm64 JVM at " + ARM_JAVA : null;
        if (missing != null) {
            String why = "aarch64 smoke suite NOT RUN: " + missing + "; install with: " + INSTALL;
            System.err.println("*** " + why);
            if (Boolean.getBoolean("jshm.aarch64.required")) {
                fail(why + ". -Djshm.aarch64.required=true forbids skipping it.");
            }
            assumeTrue(false, why);
        }
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run mvn package first");
        String classPath = JAR + File.pathSeparator + TestProcesses.targetDir().resolve("test-classes");
        peer = TestProcesses.start(new ProcessBuilder(emulatedJava("-Xcheck:jni", "-cp", classPath,
                CrossArchPeer.class.getName())));
        assertEquals(" aarch64", ask("hello"), "the emulated JVM must be an aarch64 one");
    }

    @AfterAll
    static void stopEmulatedPeer() throws Exception {
        if (peer == null) {
            return;
        }
        try {
            peer.send("quit");
            assertEquals(0, peer.waitFor(REPLY), peer.describe());
            assertFalse(peer.stderr().contains("WARNING"), peer.describe());
        } finally {
            peer.close();
        }
    }

    @Test
    void demoRunsEmulatedFromThePackagedJar() throws Exception {
        TestProcesses.Result result = TestProcesses.run(REPLY, workDir, LINE + "\n",
                emulatedJava("-jar", JAR.toString(), "demo"));
        assertEquals(0, result.exit(), result::describe);
        assertTrue(result.out().contains("read back: " + LINE), result::describe);
        assertEquals("", result.err(), "stderr must be empty");
    }

    @Test
    void segmentsCreatedOnX86AreUsedOnAarch64() throws Exception {
        String posixName = "/jshm-arm-" + ProcessHandle.current().pid() + "-x86";
        List<Segment> segments = new ArrayList<>();
        try {
            segments.add(SysVSegment.createPrivate(CrossArchPeer.SIZE));
            segments.add(PosixSegment.create(posixName, CrossArchPeer.SIZE));
            segments.add(MappedFileSegment.create(workDir.resolve("x86-file"), CrossArchPeer.SIZE));
            for (Segment segment : segments) {
                segment.putString(0, CrossArchPeer.X86_TEXT);
                segment.putLong(512, CrossArchPeer.X86_LONG);
                assertEquals(" " + CrossArchPeer.SIZE, ask("visit " + segment.locator()), segment.toString());
                assertEquals(CrossArchPeer.ARM_TEXT, segment.getString(1024), segment.toString());
                assertEquals(CrossArchPeer.ARM_LONG, segment.getLong(1536), segment.toString());
            }
        } finally {
            for (Segment segment : segments) {
                if (segment instanceof SysVSegment sysv) {
                    sysv.remove();
                }
                segment.close();
            }
            try {
                PosixSegment.unlink(posixName);
            } catch (SegmentNotFoundException notCreated) {
                // Creating it failed: nothing to remove.
            }
        }
    }

    @Test
    void segmentsCreatedOnAarch64AreUsedOnX86AndRemovedThere() throws Exception {
        String posixName = "/jshm-arm-" + ProcessHandle.current().pid() + "-arm";
        Path file = workDir.resolve("arm-file");
        List<SegmentLocator> made = new ArrayList<>();
        try {
            for (String kind : List.of("sysv", "posix " + posixName, "file " + file)) {
                SegmentLocator locator = SegmentLocator.parse(ask("create " + kind).strip());
                made.add(locator);
                try (Segment segment = locator.open(Access.READ_WRITE)) {
                    assertEquals(CrossArchPeer.ARM_TEXT, segment.getString(0), locator.toString());
                    assertEquals(CrossArchPeer.ARM_LONG, segment.getLong(512), locator.toString());
                    segment.putString(1024, CrossArchPeer.X86_TEXT);
                    segment.putLong(1536, CrossArchPeer.X86_LONG);
                }
                ask("remove " + kind.split(" ")[0]);
            }
            assertThrows(SegmentNotFoundException.class, () -> SysVSegment.statById(Integer.parseInt(made.get(0).target())));
            assertThrows(SegmentNotFoundException.class, () -> PosixSegment.open(posixName));
            assertFalse(Files.exists(file), file + " must be deleted by the aarch64 side");
        } finally {
            // Only if the aarch64 side failed half way: nothing it made may outlive the test.
            for (SegmentLocator locator : made) {
                try {
                    switch (locator.kind()) {
                        case SYSV_ID -> SysVSegment.removeById(Integer.parseInt(locator.target()));
                        case POSIX -> PosixSegment.unlink(locator.target());
                        default -> Files.deleteIfExists(Path.of(locator.target()));
                    }
                } catch (SegmentNotFoundException gone) {
                    // Removed, as it should be.
                }
            }
        }
    }

    @Test
    void atomicsCountTogetherWithAnEmulatedJvm() throws Exception {
        int rounds = 20_000;
        try (SysVSegment segment = SysVSegment.createPrivate(CrossArchPeer.SIZE)) {
            segment.remove();
            SegmentAtomics java = segment.atomics();
            SegmentAtomics c = segment.nativeAtomics();
            int tag = send("atomics " + segment.locator() + " " + rounds);
            long deadline = System.nanoTime() + REPLY.toNanos();
            long ours = 0;
            // Acquire: pairs with the release of DONE after the aarch64 side's last increment.
            while (java.getIntAcquire(CrossArchPeer.DONE) == 0) {
                CrossArchPeer.increment(java, c);
                ours++;
                assertTrue(System.nanoTime() - deadline < 0, "the aarch64 side did not finish within " + REPLY);
            }
            assertEquals(" " + rounds, answer(tag, "atomics"));
            assertTrue(ours > 0, "the two sides must have counted at the same time");
            long expected = rounds + ours;
            assertEquals((int) expected, java.getIntVolatile(CrossArchPeer.COUNTERS[0]), "int getAndAdd");
            assertEquals(expected, java.getLongVolatile(CrossArchPeer.COUNTERS[1]), "long getAndAdd");
            assertEquals(expected, java.getLongVolatile(CrossArchPeer.COUNTERS[2]), "long CAS");
            assertEquals((int) expected, java.getIntVolatile(CrossArchPeer.COUNTERS[3]), "int CAS");
        }
    }

    @Test
    void releaseAcquireHandOffsBetweenArchitectures() throws Exception {
        int rounds = 300;
        try (SysVSegment segment = SysVSegment.createPrivate(CrossArchPeer.SIZE)) {
            segment.remove();
            SegmentAtomics atomics = segment.atomics();
            int tag = send("pingpong " + segment.locator() + " " + rounds);
            for (long round = 1; round <= rounds; round++) {
                long deadline = System.nanoTime() + REPLY.toNanos();
                // Acquire: pairs with the aarch64 side's release of PING after its payload.
                while (atomics.getLongAcquire(CrossArchPeer.PING) != round) {
                    assertTrue(System.nanoTime() - deadline < 0, "no ping for round " + round);
                    Thread.onSpinWait();
                }
                for (int w = 0; w < CrossArchPeer.PAYLOAD_WORDS; w++) {
                    long word = segment.getLong(CrossArchPeer.PING_PAYLOAD + 8L * w);
                    assertEquals(CrossArchPeer.payload(round, w), word, "ping word " + w + " of round " + round);
                    segment.putLong(CrossArchPeer.PONG_PAYLOAD + 8L * w, -word);
                }
                // Release: our payload stores happen-before the aarch64 side's acquire of PONG.
                atomics.putLongRelease(CrossArchPeer.PONG, round);
            }
            assertEquals(" " + rounds, answer(tag, "pingpong"));
        }
    }

    @Test
    void futexWakesAcrossArchitecturesBothWays() throws Exception {
        try (SysVSegment segment = SysVSegment.createPrivate(CrossArchPeer.SIZE)) {
            segment.remove();
            int tag = send("futex-wait " + segment.locator());
            assertEquals("", answer(tag, "futex-waiting"));
            assertEquals(1, CrossArchPeer.wakeOne(segment, REPLY));
            assertEquals(" " + WaitResult.WOKEN, answer(tag, "futex-wait"), "the emulated waiter must be woken, not time out");

            CompletableFuture<WaitResult> waiting = CompletableFuture.supplyAsync(
                    () -> Futex.await(segment, 0, 0, REPLY));
            assertEquals(" 1", ask("futex-wake " + segment.locator()));
            assertEquals(WaitResult.WOKEN, waiting.get(REPLY.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void ringCarriesMessagesBothWays() throws Exception {
        int count = 3_000;
        try (SysVSegment segment = SysVSegment.createPrivate(CrossArchRingPeer.requiredSize())) {
            segment.remove();
            CrossArchRingPeer.create(segment);
            int tag = send("ring-consume " + segment.locator() + " " + count);
            assertEquals("", answer(tag, "ring-consuming"));
            CrossArchRingPeer.produce(segment, count, REPLY);
            assertEquals(" " + count, answer(tag, "ring-consume"));
        }
        try (SysVSegment segment = SysVSegment.createPrivate(CrossArchRingPeer.requiredSize())) {
            segment.remove();
            CrossArchRingPeer.create(segment);
            int tag = send("ring-produce " + segment.locator() + " " + count);
            assertEquals(count, CrossArchRingPeer.consume(segment, count, REPLY));
            assertEquals(" " + count, answer(tag, "ring-produce"));
        }
    }

    @Test
    void boundsAlignmentAndUseAfterCloseFailCleanlyOnAarch64() throws Exception {
        assertEquals(" 10", ask("errors"));
    }

    /** Sends a command and returns what follows {@code ok <tag> <command>} in its answer. */
    private static String ask(String command) throws IOException, InterruptedException {
        return answer(send(command), command.split(" ")[0]);
    }

    /** Sends a command and returns its tag. */
    private static int send(String command) throws IOException {
        int tag = ++lastTag;
        peer.send(tag + " " + command);
        return tag;
    }

    /**
     * Waits for the line of {@code tag} that says {@code word} and returns what follows it;
     * skips the late lines of commands an earlier, failed test gave up on.
     */
    private static String answer(int tag, String word) throws InterruptedException {
        long deadline = System.nanoTime() + REPLY.toNanos();
        while (true) {
            String line = peer.nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            String[] words = line.split(" ", 3);
            if (words.length < 2 || !words[1].matches("\\d+")) {
                fail("an answer without a tag from the aarch64 side: \"" + line + "\"" + peer.describe());
            }
            if (Integer.parseInt(words[1]) < tag) {
                continue;
            }
            String ok = "ok " + tag + " " + word;
            assertTrue(line.startsWith(ok), () -> "the aarch64 side answered \"" + line + "\", expected \"" + ok
                    + " ...\"" + peer.describe());
            return line.substring(ok.length());
        }
    }

    /** The command line of the arm64 JVM under qemu-user, crash logs into target/. */
    private static List<String> emulatedJava(String... args) {
        List<String> command = new ArrayList<>(List.of("qemu-aarch64", "-L", "/", ARM_JAVA.toString(),
                "-XX:ErrorFile=" + TestProcesses.targetDir().resolve("hs_err_pid%p.log")));
        // The JVM's own messages (-Xcheck:jni's report of jshm's SIGBUS handler among them) go to
        // a log that jni-clean.sh reads, not into the peer's replies on stdout.
        command.addAll(TestProcesses.vmLogOptions(TestProcesses.targetDir().resolve("vm-aarch64-%p.log")));
        command.addAll(List.of(args));
        return command;
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
