package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.sync.Futex;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heal and report, one call at a time, in this JVM: every method that touches memory cut off by
 * a truncation throws {@link SegmentFaultException} naming itself, its offset and length and
 * where the lost memory starts; memory below the cut works; a view reads zeros and
 * {@link Segment#checkBacked} reports it; empty ranges and System V never report. Safe to run
 * in the test JVM: the handler heals every fault before the JVM sees it, so nothing arrives late.
 * (A truncation from this process is the same to the kernel as one from another process; the
 * other-process runs are {@link TruncationTest} and {@link TruncationStressTest}.)
 */
class SegmentFaultTest {

    private static final int SIZE = 1 << 20;
    private static final int KEPT = 8192;
    /** Room for two native copies above {@link #KEPT}. */
    private static final int NATIVE_SIZE = 2 * BulkCopy.NATIVE_COPY_THRESHOLD + 65536;

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    Path dir;

    @Test
    void everyMethodReportsItsOwnFaultOnAPosixObject() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            assertEveryMethodReports(segment, Path.of("/dev/shm" + name));
        }
    }

    @Test
    void everyMethodReportsItsOwnFaultOnAFile() throws Exception {
        Path file = dir.resolve("cut");
        try (MappedFileSegment segment = MappedFileSegment.create(file, SIZE)) {
            assertEveryMethodReports(segment, file);
        }
        try (MappedFileSegment segment = MappedFileSegment.builder(dir.resolve("jvm")).size(SIZE).jvmCopies().create()) {
            assertFalse(segment.usesNativeCopies(), segment::toString);
            assertEveryMethodReports(segment, dir.resolve("jvm"));
        }
    }

    private static void assertEveryMethodReports(Segment segment, Path file) throws Exception {
        segment.fill(0, SIZE, (byte) 'a');
        ByteBuffer view = segment.asByteBuffer();
        cut(file);
        // From the top down, so that each call faults itself (each heal replaces everything above).
        Map<String, Executable> calls = new LinkedHashMap<>();
        long at = SIZE - 4096;
        calls.put("futexWake", () -> Futex.wake(segment, at, 1));
        calls.put("await", () -> Futex.await(segment, at - 4096, 0x61616161, Duration.ZERO));
        calls.put("getAndAddLong", () -> segment.nativeAtomics().getAndAddLong(at - 2 * 4096, 1));
        calls.put("compareAndSetInt", () -> segment.atomics().compareAndSetInt(at - 3 * 4096, 0x61616161, 7));
        calls.put("getAndSetLong", () -> segment.atomics().getAndSetLong(at - 4 * 4096, 7));
        calls.put("putLong", () -> segment.putLong(at - 5 * 4096, 7));
        calls.put("getInt", () -> segment.getInt(at - 6 * 4096));
        calls.put("write", () -> segment.write(at - 7 * 4096, new byte[100]));
        calls.put("fill", () -> segment.fill(at - 8 * 4096, 5000, (byte) 1));
        calls.put("putString", () -> segment.putString(at - 9 * 4096, "cut off"));
        calls.put("getString", () -> segment.getString(at - 10 * 4096));
        calls.put("read", () -> segment.read(at - 11 * 4096, new byte[300]));
        calls.put("getDouble", () -> segment.getDouble(KEPT + 40));
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            SegmentFaultException e = assertThrows(SegmentFaultException.class, call.getValue(), call.getKey());
            String op = call.getKey().equals("futexWake") ? "wake" : call.getKey();
            Matcher m = Pattern.compile(Pattern.quote(op) + "\\(offset=(\\d+), length=(\\d+)\\) of .* faulted: the memory from offset (\\d+)"
                    + " on is no longer backed by the object .*").matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            assertEquals(op, e.operation(), e.getMessage());
            assertEquals(null, e.getCause(), "healed, so no JVM error behind it");
        }
        // Below the cut: every byte still the object's, and still working.
        segment.putLong(KEPT - 8, 42);
        assertEquals(42, segment.getLong(KEPT - 8));
        assertEquals(0x61616161, segment.atomics().getIntVolatile(0));
        byte[] below = new byte[KEPT - 8];
        segment.read(0, below);
        byte[] expected = new byte[KEPT - 8];
        java.util.Arrays.fill(expected, (byte) 'a');
        assertArrayEquals(expected, below);
        segment.checkBacked(0, KEPT);
        // A view reads zeros above the cut (everything there was replaced by now) and throws
        // nothing; checkBacked tells.
        assertEquals(0, view.getLong(KEPT + 4096));
        assertThrows(SegmentFaultException.class, () -> segment.checkBacked(KEPT + 4096, 8));
        assertThrows(SegmentFaultException.class, () -> segment.checkBacked(KEPT - 1, 2));
        // Empty ranges overlap nothing.
        segment.read(KEPT + 100, new byte[0]);
        segment.checkBacked(SIZE, 0);
    }

    /**
     * By default a copy from the threshold on is one {@code memcpy} in C, which faults inside the
     * C library; it is healed and reported as the call's own fault like the JVM's copy.
     */
    @Test
    void nativeCopiesReportTheirOwnFaults() throws Exception {
        String name = shm.newName();
        try (PosixSegment posix = PosixSegment.builder(name).size(NATIVE_SIZE).create()) {
            assertNativeCopiesReport(posix, Path.of("/dev/shm" + name));
        }
        Path file = dir.resolve("native-copies");
        try (MappedFileSegment mapped = MappedFileSegment.builder(file).size(NATIVE_SIZE).create()) {
            assertNativeCopiesReport(mapped, file);
        }
    }

    private static void assertNativeCopiesReport(Segment segment, Path file) throws Exception {
        assertTrue(segment.usesNativeCopies(), segment::toString);
        int length = BulkCopy.NATIVE_COPY_THRESHOLD;
        segment.fill(0, NATIVE_SIZE, (byte) 'a');
        cut(file);
        // The write lies above the read: each faults itself, as the heal replaces only what is above.
        long writeAt = NATIVE_SIZE - length - 4096;
        long readAt = KEPT + 4096;
        assertTrue(readAt + length < writeAt);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("write", () -> segment.write(writeAt, new byte[length]));
        calls.put("read", () -> segment.read(readAt, new byte[length]));
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            long at = call.getKey().equals("write") ? writeAt : readAt;
            SegmentFaultException e = assertThrows(SegmentFaultException.class, call.getValue(), call.getKey());
            assertTrue(e.getMessage().startsWith(call.getKey() + "(offset=" + at + ", length=" + length + ") of "), e.getMessage());
            assertTrue(e.getMessage().contains(" faulted: the memory from offset " + at + " on is no longer backed"), e.getMessage());
            assertEquals(null, e.getCause(), "healed, so no JVM error behind it");
        }
        byte[] below = new byte[KEPT];
        segment.read(0, below);
        assertEquals('a', below[KEPT - 1]);
    }

    @Test
    void aViewTakenBeforeAResizeIsCheckedThroughTheNewMapping() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            ByteBuffer old = segment.asByteBuffer();
            segment.resize(2 * SIZE);
            cut(Path.of("/dev/shm" + name));
            assertEquals(0, old.getLong(SIZE - 8)); // faults through the old mapping, healed
            assertThrows(SegmentFaultException.class, () -> segment.checkBacked(SIZE - 8, 8));
            segment.checkBacked(0, KEPT);
        }
    }

    @Test
    void systemVNeverReports() {
        try (SysVSegment segment = SysVSegment.createPrivate(SIZE)) {
            segment.remove();
            segment.putLong(SIZE - 8, 1);
            segment.checkBacked(0, SIZE);
            assertThrows(IndexOutOfBoundsException.class, () -> segment.checkBacked(1, SIZE));
        }
    }

    /**
     * The report of a fault names the cause that fits the kind: System V memory cannot be
     * truncated, but huge pages created with noReserve() can run out on first touch.
     */
    @Test
    void aFaultReportNamesTheCauseThatFitsTheKind() throws Exception {
        try (SysVSegment sysv = SysVSegment.createPrivate(4096)) {
            sysv.remove();
            SegmentFaultException e = sysv.faulted(new InternalError("a fault"), "getLong", 8, 8);
            assertTrue(e.getMessage().startsWith("getLong(offset=8, length=8) of "), e.getMessage());
            assertTrue(e.getMessage().contains("huge pages created with noReserve()"), e.getMessage());
            assertEquals("a fault", e.getCause().getMessage());
        }
        try (PosixSegment posix = PosixSegment.create(shm.newName(), 4096)) {
            posix.unlink();
            String message = posix.faulted(new InternalError(), "putInt", 4, 4).getMessage();
            assertTrue(message.contains("did another process truncate it?"), message);
        }
    }

    @Test
    void checkBackedChecksBoundsAndState() throws Exception {
        String name = shm.newName();
        PosixSegment segment = PosixSegment.create(name, 4096);
        assertThrows(IndexOutOfBoundsException.class, () -> segment.checkBacked(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.checkBacked(4000, 97));
        segment.close();
        assertThrows(IllegalStateException.class, () -> segment.checkBacked(0, 1));
    }

    /**
     * The count that lets every check skip the fault words while nothing was replaced: each
     * replacement raises it before the access that faulted returns, and a segment that is
     * checked afterwards reports its own fault (the check reads the words once the count moved).
     */
    @Test
    void eachReplacementRaisesTheProcessCount() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            long before = FaultWord.replacements();
            segment.putLong(SIZE - 8, 1);
            assertEquals(before, FaultWord.replacements(), "an access of backed memory replaces nothing");
            cut(Path.of("/dev/shm" + name));
            assertThrows(SegmentFaultException.class, () -> segment.atomics().getAndAddLong(SIZE - 8, 1));
            long after = FaultWord.replacements();
            assertTrue(after > before, "the replacement is counted: " + before + " then " + after);
            assertTrue(!FaultWord.noneReplaced());
            assertThrows(SegmentFaultException.class, () -> segment.checkBacked(SIZE - 8, 8));
            segment.checkBacked(0, KEPT);
        }
    }

    @Test
    void theTableSizeMatchesTheCHeader() throws Exception {
        String header = Files.readString(TestProcesses.basedir().resolve("src/main/c/jshm.h"));
        Matcher m = Pattern.compile("#define JSHM_FAULT_MAX_RANGES (\\d+)").matcher(header);
        assertTrue(m.find(), "JSHM_FAULT_MAX_RANGES in jshm.h");
        assertEquals(FaultWord.MAX_RANGES, Integer.parseInt(m.group(1)));
        assertTrue(header.contains("#define JSHM_FAULT_REPLACEMENTS JSHM_FAULT_MAX_RANGES"),
                "the replacement count is the word after the last slot, where FaultWord reads it");
        String readme = Files.readString(TestProcesses.basedir().resolve("README.md"));
        assertTrue(readme.contains("at most " + FaultWord.MAX_RANGES + " POSIX or file mappings"), "the README states the limit");
    }

    private static void cut(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(KEPT);
        }
    }
}
