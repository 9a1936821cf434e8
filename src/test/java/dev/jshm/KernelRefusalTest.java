package dev.jshm;

import static dev.jshm.TestSysV.unusedKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keys, ids, sizes and arguments that the kernel or jshm's own checks refuse: each gives the
 * exception type a caller can catch, a message that names the call, its arguments, the errno
 * and (for limits) what to change, and the errno fields filled in.
 */
class KernelRefusalTest {

    /** Linux errno values, independent of the library's table. */
    private static final Map<String, Integer> ERRNO = Map.of("ENOENT", 2, "ENOMEM", 12, "EEXIST", 17, "EINVAL", 22,
            "ENOSPC", 28, "EIDRM", 43);

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    // ---- sizes ------------------------------------------------------------------------------

    @ParameterizedTest(name = "size={0}")
    @ValueSource(longs = {0, -1, -4096, Integer.MIN_VALUE, Long.MIN_VALUE})
    void sizesBelowOneByteAreRefusedBeforeTheKernelSeesThem(long size) {
        int key = unusedKey();
        for (Executable create : List.<Executable>of(
                () -> cleanup.add(SysVSegment.createPrivate(size)),
                () -> cleanup.add(SysVSegment.create(key, size)),
                () -> cleanup.add(SysVSegment.builder().key(key).size(size).openOrCreate().create()))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, create);
            assertTrue(e.getMessage().contains("size=" + size + ")"), e.getMessage());
        }
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.idOf(key), "nothing was created");
    }

    @Test
    void aSizeTheKernelRefusesNamesTheCallTheErrnoAndTheLimit() throws IOException {
        ShmException e = null;
        BigInteger shmmax = null;
        boolean limitedByShmmax = false;
        long size = 0;
        int key = unusedKey();
        // kernel.shmmax belongs to the IPC namespace, which other processes may change under us:
        // if the kernel accepts, read it again and retry.
        for (int attempt = 0; e == null; attempt++) {
            shmmax = readShmmax();
            limitedByShmmax = shmmax.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) < 0;
            // Above shmmax the kernel says EINVAL; with the default (huge) shmmax, no machine has
            // 2^63 bytes and the kernel says ENOMEM or ENOSPC.
            size = limitedByShmmax ? shmmax.longValueExact() + 1 : Long.MAX_VALUE;
            try {
                SysVSegment accepted = cleanup.add(SysVSegment.create(key, size));
                accepted.remove();
                accepted.close();
                if (attempt == 3 || readShmmax().equals(shmmax)) {
                    Assumptions.abort("this kernel accepted a segment of " + size
                            + " bytes (vm.overcommit_memory=1?)");
                }
            } catch (ShmException refused) {
                e = refused;
            }
        }

        assertTrue(e instanceof ShmLimitException || e instanceof ShmInvalidArgumentException,
                "type " + e.getClass().getName() + ": " + e.getMessage());
        if (limitedByShmmax) {
            assertEquals("EINVAL", e.errnoName(), e.getMessage());
        } else {
            assertTrue(List.of("ENOMEM", "ENOSPC", "EINVAL").contains(e.errnoName()), e.getMessage());
        }
        assertEquals(e instanceof ShmInvalidArgumentException, e.errnoName().equals("EINVAL"), e.getMessage());
        assertErrnoFilled(e);
        String hexKey = String.format("0x%08x", key);
        assertTrue(e.operation().startsWith("shmget(key=" + hexKey + ", size=" + size + ", flags=IPC_CREAT|IPC_EXCL"),
                e.operation());
        String message = e.getMessage();
        assertTrue(message.startsWith(e.operation() + " failed: " + e.errnoName() + " ("), message);
        assertTrue(message.contains("kernel.shm") || message.contains("does not mean you ran out of disk space"),
                "a hint naming the limit: " + message);
        if (limitedByShmmax) {
            assertTrue(message.contains("kernel.shmmax (now " + shmmax + ")"), message);
        }
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.idOf(key), "nothing was created");
    }

    @Test
    void openOrCreateOfAKeyWithASmallerSegmentIsAnInvalidArgument() throws IOException {
        try (SysVSegment small = cleanup.add(TestSysV.createWithFreshKey(4096))) {
            ShmInvalidArgumentException e = assertThrows(ShmInvalidArgumentException.class,
                    () -> cleanup.add(SysVSegment.builder().key(small.key()).size(8192).openOrCreate().create()));
            assertErrno(e, "EINVAL");
            assertTrue(e.operation().startsWith("shmget(key=" + String.format("0x%08x", small.key()) + ", size=8192"),
                    e.operation());
            assertTrue(e.getMessage().contains("a smaller segment already exists for this key"), e.getMessage());
            assertTrue(e.getMessage().contains("kernel.shmmax (now " + procValue("shmmax") + ")"),
                    "the hint shows the limit's real value: " + e.getMessage());
            assertEquals(4096, small.stat().size(), "the existing segment is untouched");
        }
    }

    @Test
    void creatingAnExistingKeyIsRefused() {
        try (SysVSegment first = cleanup.add(TestSysV.createWithFreshKey(4096))) {
            SegmentExistsException e = assertThrows(SegmentExistsException.class,
                    () -> cleanup.add(SysVSegment.create(first.key(), 4096)));
            assertErrno(e, "EEXIST");
            assertTrue(e.getMessage().contains(String.format("key=0x%08x", first.key())), e.getMessage());
            assertEquals(1, first.stat().attachments());
        }
    }

    /** The hints quote the limits' current values, whole. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shmmax", "shmall", "shmmni"})
    void kernelLimitsReadsTheWholeValue(String name) throws IOException {
        assertEquals(procValue(name), KernelLimits.read(name));
    }

    // ---- keys and ids -------------------------------------------------------------------------

    @Test
    void openingAMissingKeyIsNotFound() {
        int key = unusedKey();
        String hexKey = String.format("0x%08x", key);
        for (Executable open : List.<Executable>of(
                () -> cleanup.add(SysVSegment.open(key)),
                () -> cleanup.add(SysVSegment.open(key, Access.READ_ONLY)),
                () -> SysVSegment.idOf(key))) {
            SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, open);
            assertErrno(e, "ENOENT");
            assertEquals("shmget(key=" + hexKey + ", size=0, flags=0)", e.operation());
            assertTrue(e.getMessage().startsWith(e.operation() + " failed: ENOENT ("), e.getMessage());
        }
    }

    /** Linux answers EINVAL for an id that was never used or is gone (EIDRM only in a narrow window). */
    @ParameterizedTest(name = "shmid={0}")
    @ValueSource(ints = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
    void aBogusIdIsRefusedNamingShmctl(int shmid) {
        ShmException open = assertThrows(ShmException.class, () -> cleanup.add(SysVSegment.openById(shmid, Access.READ_WRITE)));
        assertIdRefused(open, shmid, "IPC_STAT");
        assertIdRefused(assertThrows(ShmException.class, () -> SysVSegment.statById(shmid)), shmid, "IPC_STAT");
        assertIdRefused(assertThrows(ShmException.class, () -> SysVSegment.removeById(shmid)), shmid, "IPC_RMID");
    }

    @Test
    void anIdThatIsGoneIsRefused() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        int shmid = segment.shmid();
        segment.remove();
        segment.close();
        ShmException e = assertThrows(ShmException.class, () -> cleanup.add(SysVSegment.openById(shmid, Access.READ_WRITE)));
        assertIdRefused(e, shmid, "IPC_STAT");
        ShmException stat = assertThrows(ShmException.class, segment::stat);
        assertIdRefused(stat, shmid, "IPC_STAT");
    }

    private static void assertIdRefused(ShmException e, int shmid, String command) {
        // Linux says EINVAL for an id that is not (or no longer) there; jshm reports it as not found.
        assertTrue(e instanceof SegmentNotFoundException, e.getClass().getName() + ": " + e.getMessage());
        assertTrue(List.of("EINVAL", "EIDRM", "ENOENT").contains(e.errnoName()), e.getMessage());
        assertTrue(!"EINVAL".equals(e.errnoName()) || e.getMessage().contains("no segment has id " + shmid), e.getMessage());
        assertErrnoFilled(e);
        assertEquals("shmctl(shmid=" + shmid + ", " + command + ")", e.operation());
        assertTrue(e.getMessage().startsWith("shmctl(shmid=" + shmid + ", " + command + ") failed: " + e.errnoName()),
                e.getMessage());
    }

    // ---- ftok ---------------------------------------------------------------------------------

    @Test
    void ftokOfAMissingPathIsNotFoundNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-file");
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, () -> SysVSegment.ftok(missing, 1));
        assertErrno(e, "ENOENT");
        assertEquals("ftok(path=" + missing + ", projId=1)", e.operation());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.builder().ftok(missing, 1));
    }

    @ParameterizedTest(name = "projId={0}")
    @ValueSource(ints = {0, 256, 512, -256, Integer.MIN_VALUE})
    void ftokRefusesAProjIdWhoseLowByteIsZero(int projId, @TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SysVSegment.ftok(dir, projId));
        assertTrue(e.getMessage().contains("projId=" + projId), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void ftokUsesOnlyTheLowByteOfTheProjId(@TempDir Path dir) {
        int one = SysVSegment.ftok(dir, 1);
        assertEquals(one, SysVSegment.ftok(dir, 257));
        assertNotEquals(one, SysVSegment.ftok(dir, 2));
    }

    // ---- modes --------------------------------------------------------------------------------

    @ParameterizedTest(name = "mode={0} (decimal)")
    @ValueSource(ints = {0777 | 01000, 01000, 02000, 04000, 010000, -1, Integer.MIN_VALUE})
    void setModeRefusesAnythingButPermissionBits(int mode) {
        try (SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096))) {
            segment.remove();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> segment.setMode(mode));
            assertTrue(e.getMessage().contains("0777"), e.getMessage());
            assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
            assertEquals(0600, segment.stat().mode(), "the mode is unchanged");
            assertThrows(IllegalArgumentException.class, () -> SysVSegment.builder().mode(mode));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static BigInteger readShmmax() throws IOException {
        return new BigInteger(procValue("shmmax"));
    }

    /**
     * {@code /proc/sys/kernel/<name>}, read line by line: procfs reports a size of 0, and JDK 17's
     * {@code Files.readAllBytes}/{@code readString} then return only the first byte.
     */
    private static String procValue(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/sys/kernel", name), StandardCharsets.US_ASCII).get(0).trim();
    }

    private static void assertErrno(ShmException e, String name) {
        assertEquals(name, e.errnoName(), e.getMessage());
        assertEquals((int) ERRNO.get(name), e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.operation() != null && !e.operation().isEmpty(), "operation() is filled");
    }

    private static void assertErrnoFilled(ShmException e) {
        assertTrue(e.operation() != null && !e.operation().isEmpty(), "operation() is filled: " + e.getMessage());
        assertTrue(e.errnoName() != null && e.errnoName().startsWith("E"), "errnoName(): " + e.errnoName());
        Integer expected = ERRNO.get(e.errnoName());
        assertTrue(expected != null, "an errno this test knows: " + e.errnoName());
        assertEquals((int) expected, e.errno(), e.getMessage());
        assertInstanceOf(RuntimeException.class, e);
    }
}
