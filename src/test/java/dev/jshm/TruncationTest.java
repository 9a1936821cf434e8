package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process truncates a POSIX object or a file while it is mapped: the JVM must survive,
 * the accesses to the cut-off memory must fail, and the memory below the cut must keep working.
 *
 * <p>Every scenario runs in a child JVM ({@link TruncationPeer}): the JVM may raise the error of
 * a faulting access asynchronously, after the access returned, so it could land anywhere in a
 * test JVM.
 */
class TruncationTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern FAULTS = Pattern.compile("^FAULTS (\\w+) sfe=(\\d+) ie=(\\d+) ok=(\\d+) other=(\\d+) silent=(\\d+)$",
            Pattern.MULTILINE);

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    static Path sharedDir;

    /** The probe child's output, shared by the tests that read it (one cold JVM is enough). */
    private static TestProcesses.Result probe;

    @TempDir
    Path workDir;

    // ---- every access path, many threads ---------------------------------------------------

    @Test
    void posixObjectTruncatedUnderThreads() throws Exception {
        String name = shm.newName();
        TestProcesses.Result result = runPeer(workDir, "threads", "posix", name, "500");
        assertThreadsScenario(result);
        assertFalse(TestShm.existsNoFollow(TestShm.shmPath(name)), "the child removes its object");
    }

    @Test
    void fileTruncatedUnderThreads() throws Exception {
        Path file = workDir.resolve("truncated");
        TestProcesses.Result result = runPeer(workDir, "threads", "file", file.toString(), "500");
        assertThreadsScenario(result);
        assertFalse(Files.exists(file), "the child deletes its file");
    }

    /**
     * Every path saw the cut as {@link SegmentFaultException} from the call that touched cut-off
     * memory, never as the JVM's {@link InternalError} (the handler heals every fault before the
     * JVM sees it); none returned normally from memory that was gone before it began; and the
     * memory below the cut still works.
     */
    static void assertThreadsScenario(TestProcesses.Result result) {
        String out = result.out();
        assertFalse(out.contains("STUCK"), result::describe);
        assertFalse(out.contains("LATE "), () -> "a fault arrived after its access returned:\n" + result.describe());
        Matcher m = FAULTS.matcher(out);
        List<String> seen = new ArrayList<>();
        List<String> unreported = new ArrayList<>();
        while (m.find()) {
            String path = m.group(1);
            seen.add(path);
            if (Long.parseLong(m.group(2)) == 0) {
                unreported.add(path);
            }
            assertEquals(0, Long.parseLong(m.group(3)), () -> path + " got the JVM's InternalError:\n" + result.describe());
            assertEquals(0, Long.parseLong(m.group(5)), () -> path + " threw something other than a fault:\n" + result.describe());
            assertTrue(Long.parseLong(m.group(4)) > 0, () -> path + " never worked, not even before the cut:\n" + result.describe());
            assertEquals(0, Long.parseLong(m.group(6)),
                    () -> path + " returned normally from memory cut off before the access began:\n" + result.describe());
        }
        assertEquals(TruncationPeer.pathNames(), seen, result::describe);
        assertEquals(List.of(), unreported, () -> "paths that never got SegmentFaultException after the cut:\n" + result.describe());
        // Each fault names the call the user made, its offset and where the lost memory starts.
        Matcher sample = Pattern.compile("^SAMPLE (\\w+) (.*)$", Pattern.MULTILINE).matcher(out);
        int samples = 0;
        while (sample.find()) {
            samples++;
            String line = sample.group(2);
            // A ring, signal block or lock names the call and itself first, then the range it checked.
            assertTrue(line.matches("(\\w+(\\(\\))? of (MessageRing|SignalBlock|RobustLock).*: )?\\w+\\(offset=\\d+, length=\\d+\\) of .* faulted:"
                    + " the memory from offset \\d+ on is no longer backed.*")
                    && line.endsWith("| cause=none"), line);
        }
        assertEquals(seen.size(), samples, result::describe);
        assertBelowTheCutWorks(result);
    }

    // ---- single accesses from a cold JVM -------------------------------------------------------

    @Test
    void faultInAColdJvmArrivesAsSegmentFaultException() throws Exception {
        TestProcesses.Result result = probe();
        // Interpreted, every access method reports its own fault, with no JVM error behind it.
        for (String op : List.of("read", "getLong", "write")) {
            String line = result.out().lines().filter(l -> l.startsWith("FIRSTFAULT " + op + " ")).findFirst().orElse("missing");
            assertTrue(line.startsWith("FIRSTFAULT " + op + " dev.jshm.SegmentFaultException | " + op + "(offset="), line + "\n" + result.describe());
            assertTrue(line.contains("faulted") && line.contains("truncated"), line);
            assertTrue(line.endsWith("| cause=none"), line);
        }
        // A view cannot check: it reads zeros, and checkBacked afterwards reports the fault.
        assertTrue(result.out().contains("FIRSTFAULT viewGet none\n"), result::describe);
        assertTrue(result.out().contains("VIEWCHECK dev.jshm.SegmentFaultException checkBacked(offset=30000, length=8)"), result::describe);
        assertBelowTheCutWorks(result);
    }

    /**
     * jshm's SIGBUS handler passes every fault it does not own to the JVM's: the JDK's own
     * {@code MappedByteBuffer} of a truncated file still gets the JVM's {@link InternalError}.
     */
    @Test
    void faultsOutsideJshmStillReachTheJvm() throws Exception {
        TestProcesses.Result result = probe();
        assertTrue(result.out().contains("FIRSTFAULT jdkBuffer java.lang.InternalError"), result::describe);
    }

    /**
     * Compiled code reading cut-off memory in a loop: the first read after the cut throws
     * {@link SegmentFaultException}; no read returns a value (garbage, or zeros) first.
     */
    @Test
    void noCompiledReadReturnsCutOffMemory() throws Exception {
        TestProcesses.Result result = probe();
        assertTrue(result.out().contains("GARBAGE returned=0 then=dev.jshm.SegmentFaultException\n"), result::describe);
    }

    /**
     * {@link Segment#getString(long)} of a string whose bytes and NUL lie below the cut must
     * work: "the segment stays usable for the range that is still backed". The JVM path scans a
     * page at a time and never touches a page past the one that holds the NUL.
     */
    @Test
    void stringBelowTheCutStaysReadable() throws Exception {
        TestProcesses.Result result = probe();
        String line = result.out().lines().filter(l -> l.startsWith("STRING ")).findFirst().orElse("missing");
        assertEquals("STRING ok below the cut", line, result::describe);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static synchronized TestProcesses.Result probe() throws Exception {
        if (probe == null) {
            String name = TestShm.uniqueName();
            try {
                probe = runPeer(sharedDir, "probe", "posix", name);
            } finally {
                TestShm.removeQuietly(name);
                TestShm.removeQuietly(name + "-probe");
            }
        }
        return probe;
    }

    /** Runs the peer in {@code dir}; checks that it ended as it should and left nothing behind. */
    private static TestProcesses.Result runPeer(Path dir, String... args) throws Exception {
        TestProcesses.Result result = TestProcesses.runJvm(CHILD_TIMEOUT, dir, TruncationPeer.class, args);
        result.assertSuccess();
        assertEquals(List.of(), TestProcesses.crashLogs(dir), result::describe);
        for (String fatal : List.of("A fatal error", "Exception in thread", "WARNING in native method", "FATAL ERROR")) {
            assertFalse(result.err().contains(fatal), result::describe);
        }
        assertTrue(result.out().contains("\nDONE\n"), result::describe);
        if (args[1].equals("posix")) {
            for (String name : List.of(args[2], args[2] + "-probe")) {
                assertFalse(TestShm.existsNoFollow(TestShm.shmPath(name)), () -> name + " left behind\n" + result.describe());
            }
        }
        return result;
    }

    private static void assertBelowTheCutWorks(TestProcesses.Result result) {
        for (String check : List.of("typed", "bulk", "view")) {
            assertTrue(result.out().contains("BELOW4096 " + check + " ok\n"), () -> check + " below the cut:\n" + result.describe());
        }
    }
}
