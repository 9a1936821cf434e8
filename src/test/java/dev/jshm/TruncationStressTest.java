package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole matrix: another process (python) truncates a POSIX object or a file at a random
 * moment while threads run every public access path on it (typed, bulk, strings read and
 * written, fill, views
 * with {@link Segment#checkBacked}, {@code atomics()}, {@code nativeAtomics()}, futex wait and
 * wake, and the protocols of {@link TruncationProtocolPaths}: ring offer, claim and commit, MPSC
 * claim, poll, await and futex idle, and lock, tryLock and timed tryLock, also while waiting in
 * the C library), in the interpreter, with C1 only, and with C2, on JDK 17 and JDK 25. Each run is a child
 * JVM ({@link TruncationPeer} {@code threads}); {@link TruncationTest#assertThreadsScenario} names
 * the forbidden outcomes: a JVM death (crash log, non-zero exit), a fault that is not
 * {@link SegmentFaultException} from the faulting call, an access to memory that was gone before
 * it began that returns normally, memory below the cut that stops working.
 *
 * <p>The children run with {@code -Xcheck:jni}, which prints one report when jshm installs its
 * SIGBUS handler ("Warning: SIGBUS handler modified!" and the handler table after it). That
 * report is the only warning allowed: {@link TestProcesses} removes exactly it from the output,
 * and any other warning on either stream fails the test.
 */
class TruncationStressTest {

    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    /** Debian's JDK 17, for a suite that runs on another JDK. */
    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    /** How long the threads run after the cut: short, the matrix has twelve runs. */
    private static final String RUN_MILLIS = "250";

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    Path workDir;

    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        for (String jdk : List.of("17", "25")) {
            for (String compiler : List.of("interpreter", "C1", "C2")) {
                for (String kind : List.of("posix", "file")) {
                    all.add(Arguments.of(jdk, compiler, kind));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "JDK {0}, {1}, {2}")
    @MethodSource("matrix")
    @Timeout(90)
    void truncationAtARandomMomentNeverKillsTheJvmAndIsAlwaysReported(String jdk, String compiler, String kind) throws Exception {
        String java;
        if (jdk.equals("25")) {
            Assumptions.assumeTrue(Files.isExecutable(JDK25), "JDK 25 is not installed at " + JDK25);
            java = JDK25.toString();
        } else if (Runtime.version().feature() == 17) {
            java = TestProcesses.JAVA;
        } else {
            Assumptions.assumeTrue(Files.isExecutable(JDK17), "the suite runs on " + Runtime.version()
                    + " and JDK 17 is not installed at " + JDK17);
            java = JDK17.toString();
        }
        List<String> options = switch (compiler) {
            case "interpreter" -> List.of("-Xint");
            case "C1" -> List.of("-XX:TieredStopAtLevel=1");
            default -> List.of("-XX:-TieredCompilation");
        };
        String target = kind.equals("posix") ? shm.newName() : workDir.resolve("truncated").toString();
        List<String> command = new ArrayList<>(TestProcesses.javaCommand(workDir, options, TruncationPeer.class,
                "threads", kind, target, RUN_MILLIS));
        command.set(0, java);
        TestProcesses.Result result = TestProcesses.run(CHILD_TIMEOUT, workDir, null, command);
        assertEquals(List.of(), TestProcesses.crashLogs(workDir), result::describe);
        result.assertSuccess();
        for (String warning : List.of("A fatal error", "Exception in thread", "WARNING", "Warning", "FATAL ERROR")) {
            assertFalse(result.output().contains(warning), () -> warning + "\n" + result.describe());
        }
        assertTrue(result.out().contains("\nDONE\n"), result::describe);
        TruncationTest.assertThreadsScenario(result);
        if (kind.equals("posix")) {
            assertFalse(TestShm.existsNoFollow(TestShm.shmPath(target)), () -> target + " left behind\n" + result.describe());
        } else {
            assertFalse(Files.exists(Path.of(target)), () -> target + " left behind\n" + result.describe());
        }
    }
}
