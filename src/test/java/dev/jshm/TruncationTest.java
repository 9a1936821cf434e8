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
    private static final Pattern FAULTS = Pattern.compile("^FAULTS (\\w+) sfe=(\\d+) ie=(\\d+) ok=(\\d+) other=(\\d+)$",
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
        TestProcesses.Result result = runPeer(workDir, "threads", "posix", name, "1500");
        assertThreadsScenario(result);
        assertFalse(TestShm.existsNoFollow(TestShm.shmPath(name)), "the child removes its object");
    }

    @Test
    void fileTruncatedUnderThreads() throws Exception {
        Path file = workDir.resolve("truncated");
        TestProcesses.Result result = runPeer(workDir, "threads", "file", file.toString(), "1500");
        assertThreadsScenario(result);
        assertFalse(Files.exists(file), "the child deletes its file");
    }

    private static void assertThreadsScenario(TestProcesses.Result result) {
        String out = result.out();
        assertFalse(out.contains("STUCK"), result::describe);
        Matcher m = FAULTS.matcher(out);
        List<String> seen = new ArrayList<>();
        List<String> silent = new ArrayList<>();
        while (m.find()) {
            String path = m.group(1);
            seen.add(path);
            long faults = Long.parseLong(m.group(2)) + Long.parseLong(m.group(3));
            if (faults == 0) {
                silent.add(path);
            }
            assertEquals(0, Long.parseLong(m.group(5)), () -> path + " threw something other than a fault:\n" + result.describe());
            assertTrue(Long.parseLong(m.group(4)) > 0, () -> path + " never worked, not even before the cut:\n" + result.describe());
        }
        assertEquals(List.copyOf(TruncationPeer.paths().keySet()), seen, result::describe);
        assertEquals(List.of(), silent, () -> "paths that never saw a fault after the cut:\n" + result.describe());
        // Any fault that arrived as jshm's exception names the call the user made and its offset.
        Matcher sample = Pattern.compile("^SAMPLE (\\w+) (.*)$", Pattern.MULTILINE).matcher(out);
        while (sample.find()) {
            String line = sample.group(2);
            String op = sample.group(1);
            assertTrue(line.startsWith(op + "(offset=") && line.endsWith("cause=java.lang.InternalError"), line);
        }
        assertBelowTheCutWorks(result);
    }

    // ---- single accesses from a cold JVM -------------------------------------------------------

    @Test
    void faultInAColdJvmArrivesAsSegmentFaultException() throws Exception {
        TestProcesses.Result result = probe();
        // Interpreted, a typed access gets its fault before jshm's catch: at least one of the
        // probe's accesses must show the exception as documented.
        List<String> documented = result.out().lines()
                .filter(l -> l.startsWith("FIRSTFAULT ") && l.contains(" dev.jshm.SegmentFaultException | "))
                .toList();
        assertFalse(documented.isEmpty(), result::describe);
        for (String line : documented) {
            String[] words = line.split(" ", 3);
            String op = words[1];
            assertTrue(line.contains("| " + op + "(offset="), line);
            assertTrue(line.contains("faulted") && line.contains("truncate"), line);
            assertTrue(line.endsWith("| cause=java.lang.InternalError"), line);
        }
        assertBelowTheCutWorks(result);
    }

    /**
     * Every access to cut-off memory is reported, and the JVM lives on. How it is reported is the
     * JVM's choice, and jshm documents it: HotSpot turns the SIGBUS into an {@link InternalError},
     * which jshm rethrows as {@link SegmentFaultException} when the JVM raises it inside the
     * access (cold code, bulk copies on recent JDKs), and which arrives as a raw
     * {@code InternalError}, possibly after the access returned, when the JVM delivers it
     * asynchronously (compiled code; on JDK 17 a few reads may first return garbage).
     */
    @Test
    void everyFaultIsReported() throws Exception {
        TestProcesses.Result result = probe();
        for (String op : List.of("read", "getLong", "write")) {
            String line = result.out().lines().filter(l -> l.startsWith("FIRSTFAULT " + op + " ")).findFirst().orElse("missing");
            assertTrue(line.startsWith("FIRSTFAULT " + op + " dev.jshm.SegmentFaultException")
                    || line.startsWith("FIRSTFAULT " + op + " java.lang.InternalError"), "cold " + op + ": " + line + "\n" + result.describe());
        }
        Matcher garbage = Pattern.compile("^GARBAGE returned=(\\d+) then=(\\S+)$", Pattern.MULTILINE).matcher(result.out());
        assertTrue(garbage.find(), result::describe);
        assertTrue(List.of("dev.jshm.SegmentFaultException", "java.lang.InternalError").contains(garbage.group(2)),
                "compiled getLong of cut-off memory must end in a fault, got " + garbage.group(2) + "\n" + result.describe());
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
