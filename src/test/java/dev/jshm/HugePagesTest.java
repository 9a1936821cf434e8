package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Huge pages end to end, on pages this class reserves ({@code vm.nr_hugepages}) and a hugetlbfs
 * it mounts, both given back afterwards: System V segments made with {@code SHM_HUGETLB} and
 * files on hugetlbfs are really backed by huge pages (the kernel's own page size for the
 * mapping, in /proc/self/smaps), share their data between attachments, and are detached whole
 * at close, so their huge pages return to the pool and the mount can be unmounted. Skipped, with
 * the reason, on a machine that cannot reserve any (not root, or no memory for them).
 */
class HugePagesTest {

    /** Enough for every test here at once: a segment and a file of two huge pages each, with room. */
    private static final int PAGES = 8;

    private static TestHugePages huge;

    @BeforeAll
    static void reserve() throws Exception {
        huge = TestHugePages.reserve(PAGES);
    }

    @AfterAll
    static void giveBack() throws Exception {
        if (huge != null) {
            huge.close();
        }
    }

    @BeforeEach
    void skipWithoutHugePages() {
        Assumptions.assumeTrue(huge.unavailable() == null, () -> "no huge pages to test with: " + huge.unavailable());
    }

    @Test
    void aSysVSegmentWithHugePagesIsBackedByThemAndSharedBetweenAttachments() throws Exception {
        long size = 2 * huge.size;
        long freeBefore = TestHugePages.meminfo("HugePages_Free");
        try (SysVSegment segment = SysVSegment.builder().size(size).hugePages().create()) {
            segment.remove();
            assertEquals(huge.size, TestHugePages.vmaOf(segment.address()).kernelPageSize(), "the mapping's page size");
            segment.putLong(0, 0x1122334455667788L);
            segment.putLong(size - 8, 42);
            assertEquals(freeBefore - 2, TestHugePages.meminfo("HugePages_Free"), "two huge pages touched");
            try (SysVSegment other = SysVSegment.openById(segment.shmid(), Access.READ_WRITE)) {
                assertEquals(size, other.size());
                assertEquals(huge.size, TestHugePages.vmaOf(other.address()).kernelPageSize());
                assertEquals(0x1122334455667788L, other.getLong(0));
                assertEquals(42, other.getLong(size - 8));
            }
        }
        assertEquals(freeBefore, TestHugePages.meminfo("HugePages_Free"), "closing detached the removed segment: its pages are free");
    }

    /**
     * A size below one huge page: the kernel maps a whole huge page, and close() must replace all
     * of it (a 4 KiB retire is refused with EINVAL), or the segment would stay attached.
     */
    @Test
    void closeDetachesAWholeHugePageEvenWhenTheSizeIsSmaller() throws Exception {
        long freeBefore = TestHugePages.meminfo("HugePages_Free");
        SysVSegment segment = SysVSegment.builder().size(4096).hugePages().create();
        int shmid = segment.shmid();
        long address = segment.address();
        segment.remove();
        segment.putLong(4088, 7);
        assertEquals(freeBefore - 1, TestHugePages.meminfo("HugePages_Free"));
        segment.close();
        TestHugePages.Vma retired = TestHugePages.vmaOf(address);
        assertEquals(Mapping.PAGE_SIZE, retired.kernelPageSize(), "after close the range holds small anonymous pages");
        assertTrue(retired.end() - address >= huge.size, "the whole huge page was replaced: " + retired);
        assertFalse(retired.name().startsWith("/SYSV"), "no longer the segment: " + retired);
        assertEquals(freeBefore, TestHugePages.meminfo("HugePages_Free"));
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.statById(shmid), "the removed segment is gone");
        assertThrows(IllegalStateException.class, () -> segment.getLong(0));
    }

    @Test
    void aFileOnHugetlbfsIsBackedByHugePagesAndKeepsItsData() throws Exception {
        Path file = huge.mount.resolve("segment");
        long size = 2 * huge.size;
        try (MappedFileSegment segment = MappedFileSegment.create(file, size)) {
            assertEquals(huge.size, TestHugePages.vmaOf(segment.address()).kernelPageSize(), "the mapping's page size");
            segment.putLong(0, 1);
            segment.putLong(size - 8, 2);
            segment.force();
        }
        try (MappedFileSegment segment = MappedFileSegment.open(file)) {
            assertEquals(size, segment.size());
            assertEquals(1, segment.getLong(0));
            assertEquals(2, segment.getLong(size - 8));
        }
        // A window smaller than a huge page maps (and at close retires) a whole one.
        try (MappedFileSegment window = MappedFileSegment.builder(file).offset(huge.size).size(4096).open()) {
            assertEquals(huge.size, TestHugePages.vmaOf(window.address()).kernelPageSize());
            assertEquals(0, window.getLong(0));
        }
        Files.delete(file);
    }

    /**
     * What {@code jvmCopies()} is for: jshm cannot heal a truncated huge page, so a large copy and
     * a string read out of a cut-off page of a file on hugetlbfs fail as the JVM's accesses do
     * there, and the JVM lives on, when the segment was built with it, while
     * by default the copy is a {@code memcpy} in C and the JVM dies of the SIGBUS (the limit the
     * README states). Each runs in a child JVM ({@link HugeTruncationPeer}), so the crash is the
     * child's.
     */
    @Test
    void aTruncatedFileOnHugetlbfsFailsTheJvmsCopyAndCrashesTheNativeOne(@TempDir Path workDir) throws Exception {
        Path jvmDir = Files.createDirectory(workDir.resolve("jvm"));
        TestProcesses.Result jvm = TestProcesses.run(Duration.ofSeconds(60), jvmDir, null,
                TestProcesses.javaCommand(jvmDir, List.of("-XX:-CreateCoredumpOnCrash"), HugeTruncationPeer.class,
                        huge.mount.toString(), "jvm"));
        jvm.assertSuccess();
        // The JVM's own report of a fault it could not prevent: jshm's exception made from its
        // InternalError, or (compiled code raises it where it next checks) the error itself.
        List<String> lines = jvm.out().lines().toList();
        assertEquals(4, lines.size(), jvm::describe);
        assertEquals("NATIVE false", lines.get(0), jvm::describe);
        for (String[] access : new String[][] {{lines.get(1), "read"}, {lines.get(2), "getString"}}) {
            assertTrue(access[0].startsWith("THREW dev.jshm.SegmentFaultException | " + access[1] + "(offset=")
                    || access[0].startsWith("THREW java.lang.InternalError | "), jvm::describe);
        }
        assertEquals("ALIVE", lines.get(3), jvm::describe);
        assertEquals(List.of(), TestProcesses.crashLogs(jvmDir), jvm::describe);

        Path nativeDir = Files.createDirectory(workDir.resolve("native"));
        TestProcesses.Result crashed = TestProcesses.run(Duration.ofSeconds(60), nativeDir, null,
                TestProcesses.javaCommand(nativeDir, List.of("-XX:-CreateCoredumpOnCrash"), HugeTruncationPeer.class,
                        huge.mount.toString(), "native"));
        Files.deleteIfExists(huge.mount.resolve("cut-native")); // the child died before its own cleanup
        assertTrue(crashed.out().startsWith("NATIVE true\n"), crashed::describe);
        assertNotEquals(0, crashed.exit(), crashed::describe);
        assertFalse(crashed.out().contains("ALIVE"), crashed::describe);
        List<Path> logs = TestProcesses.crashLogs(nativeDir);
        assertEquals(1, logs.size(), crashed::describe);
        assertTrue(Files.readString(logs.get(0)).contains("SIGBUS"), () -> logs.get(0).toString());
    }

    @Test
    void aReservedFileOnHugetlbfsTakesItsPagesAtCreate() throws Exception {
        Path file = huge.mount.resolve("reserved");
        long freeBefore = TestHugePages.meminfo("HugePages_Free");
        try (MappedFileSegment segment = MappedFileSegment.builder(file).size(2 * huge.size).reserve().create()) {
            assertEquals(freeBefore - 2, TestHugePages.meminfo("HugePages_Free"), "posix_fallocate took both pages");
            segment.putInt(0, 5);
        } finally {
            Files.deleteIfExists(file);
        }
        assertEquals(freeBefore, TestHugePages.meminfo("HugePages_Free"));
    }

    @Test
    void aSizeThatIsNotWholeHugePagesIsRefusedWithTheReasonAndLeavesNoFile() {
        Path file = huge.mount.resolve("odd");
        ShmInvalidArgumentException e = assertThrows(ShmInvalidArgumentException.class,
                () -> MappedFileSegment.create(file, 4096));
        assertTrue(e.getMessage().contains("ftruncate(path=" + file) && e.getMessage().contains("EINVAL")
                && e.getMessage().contains("hugetlbfs") && e.getMessage().contains("multiple of"), e.getMessage());
        assertFalse(Files.exists(file), "the file this call created is removed again");
    }

    @Test
    void anOffsetThatIsNotWholeHugePagesIsRefusedWithTheReason() throws Exception {
        Path file = huge.mount.resolve("offset");
        try (MappedFileSegment segment = MappedFileSegment.create(file, 2 * huge.size)) {
            assertNotEquals(0, segment.address());
            ShmInvalidArgumentException e = assertThrows(ShmInvalidArgumentException.class,
                    () -> MappedFileSegment.builder(file).offset(4096).size(4096).open());
            assertTrue(e.getMessage().contains("mmap(") && e.getMessage().contains("EINVAL")
                    && e.getMessage().contains("the file offset must be a multiple"), e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
