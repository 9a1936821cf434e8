package dev.jshm;

import static dev.jshm.TestShm.existsNoFollow;
import static dev.jshm.TestShm.shmPath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POSIX shared memory objects through {@link PosixSegment}: lifecycle, modes, sizes, access paths. */
class PosixSegmentTest {

    /** Every name a test used is removed after it, whatever happened; every segment it tracked is closed. */
    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    // ---- lifecycle ------------------------------------------------------------------------

    @Test
    void createOpenUnlinkRoundTrip() {
        String name = shm.newName();
        PosixSegment created = shm.track(PosixSegment.create(name, 8192));
        assertEquals(name, created.name());
        assertEquals(8192, created.size());
        assertTrue(created.createdHere());
        assertTrue(existsNoFollow(shmPath(name)), "the object must be in /dev/shm");
        created.putLong(0, 0x1122334455667788L);
        created.putString(100, "written by the creator");

        PosixSegment opened = shm.track(PosixSegment.open(name));
        assertFalse(opened.createdHere());
        assertEquals(8192, opened.size());
        assertEquals(0x1122334455667788L, opened.getLong(0));
        assertEquals("written by the creator", opened.getString(100));
        opened.putInt(8188, 0xCAFEBABE);
        assertEquals(0xCAFEBABE, created.getInt(8188), "two mappings of one object share the memory");

        created.unlink();
        assertFalse(existsNoFollow(shmPath(name)), "unlink removes the name");
        assertEquals(0x1122334455667788L, opened.getLong(0), "mappings outlive the name");
        SegmentNotFoundException gone = assertThrows(SegmentNotFoundException.class, () -> PosixSegment.open(name));
        assertEquals(Errors.ENOENT, gone.errno());
        assertEquals("ENOENT", gone.errnoName());
        assertTrue(gone.getMessage().contains(name), gone.getMessage());

        created.close();
        assertTrue(created.isClosed());
        assertThrows(IllegalStateException.class, () -> created.getLong(0));
        assertEquals(0x1122334455667788L, opened.getLong(0), "closing one mapping leaves the other");
    }

    @Test
    void createIsExclusiveByDefault() {
        String name = shm.newName();
        PosixSegment first = shm.track(PosixSegment.create(name, 4096));
        first.putLong(0, 42);
        SegmentExistsException exists = assertThrows(SegmentExistsException.class, () -> PosixSegment.create(name, 4096));
        assertEquals(Errors.EEXIST, exists.errno());
        assertEquals("EEXIST", exists.errnoName());
        assertTrue(exists.getMessage().contains(name), exists.getMessage());
        assertTrue(exists.getMessage().contains("EEXIST"), exists.getMessage());
        SegmentExistsException bigger = assertThrows(SegmentExistsException.class,
                () -> PosixSegment.builder(name).size(1 << 20).create());
        assertTrue(bigger.getMessage().contains("O_EXCL"), bigger.getMessage());
        assertEquals(42, first.getLong(0), "a refused create must not touch the object");
        assertEquals(4096, first.stat().size());
        assertTrue(existsNoFollow(shmPath(name)), "a refused create must not remove someone's object");
    }

    @Test
    void modeIs0600ByDefault() throws IOException {
        String name = shm.newName();
        PosixSegment segment = shm.track(PosixSegment.create(name, 4096));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shmPath(name))));
        assertEquals(0600, segment.stat().mode());
        assertEquals(Native.geteuid(), segment.stat().uid());
    }

    @Test
    void modeCanBeChosen() throws IOException {
        String name = shm.newName();
        PosixSegment segment = shm.track(PosixSegment.builder(name).size(4096).mode(0644).create());
        int expected = 0644 & ~TestShm.umask();
        assertEquals(expected, segment.stat().mode());
        assertEquals(permissions(expected), PosixFilePermissions.toString(Files.getPosixFilePermissions(shmPath(name))));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PosixSegment.builder(shm.newName()).mode(04755));
        assertTrue(bad.getMessage().contains("04755"), bad.getMessage());
    }

    @Test
    void readOnlyOpenRefusesWrites() {
        String name = shm.newName();
        PosixSegment writer = shm.track(PosixSegment.create(name, 4096));
        writer.putString(0, "read me");
        PosixSegment reader = shm.track(PosixSegment.open(name, Access.READ_ONLY));
        assertTrue(reader.isReadOnly());
        assertEquals("read me", reader.getString(0));

        ReadOnlySegmentException put = assertThrows(ReadOnlySegmentException.class, () -> reader.putLong(8, 1));
        assertTrue(put.getMessage().contains("putLong(offset=8"), put.getMessage());
        assertTrue(put.getMessage().contains("read-only"), put.getMessage());
        assertThrows(ReadOnlySegmentException.class, () -> reader.putByte(0, (byte) 1));
        assertThrows(ReadOnlySegmentException.class, () -> reader.write(0, new byte[4]));
        assertThrows(ReadOnlySegmentException.class, () -> reader.fill(0, 10, (byte) 1));
        assertThrows(ReadOnlySegmentException.class, () -> reader.putString(0, "no"));

        ByteBuffer view = reader.asByteBuffer();
        assertTrue(view.isReadOnly());
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
        assertTrue(reader.asByteBuffer(16, 8).isReadOnly());
        assertEquals("read me", writer.getString(0), "nothing was written");
        assertEquals('r', view.get(0));
    }

    @Test
    void openTakesTheSizeFromFstat() throws IOException {
        String name = shm.newName();
        Path path = shmPath(name);
        // Made without jshm, with a size that is not a multiple of the page size.
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(12345);
            file.seek(12340);
            file.write(new byte[] {1, 2, 3, 4, 5});
        }
        PosixSegment segment = shm.track(PosixSegment.open(name));
        assertEquals(12345, segment.size());
        assertEquals(12345, segment.stat().size());
        assertEquals(5, segment.getByte(12344));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.getByte(12345));

        PosixSegment part = shm.track(PosixSegment.builder(name).size(100).open());
        assertEquals(100, part.size());
    }

    @Test
    void openOrCreateNeverResizesAnExistingObject() throws IOException {
        String name = shm.newName();
        PosixSegment original = shm.track(PosixSegment.create(name, 8192));
        original.putLong(4096, 77);

        ShmInvalidArgumentException bigger = assertThrows(ShmInvalidArgumentException.class,
                () -> PosixSegment.builder(name).size(16384).openOrCreate().create());
        assertTrue(bigger.getMessage().contains("8192") && bigger.getMessage().contains("16384"), bigger.getMessage());
        assertEquals(8192, Files.size(shmPath(name)), "a refused openOrCreate must not resize the object");
        assertTrue(existsNoFollow(shmPath(name)), "a refused openOrCreate must not remove an object it did not create");

        PosixSegment smaller = shm.track(PosixSegment.builder(name).size(4104).openOrCreate().create());
        assertFalse(smaller.createdHere());
        assertEquals(4104, smaller.size());
        assertEquals(77, smaller.getLong(4096));
        assertEquals(8192, Files.size(shmPath(name)));

        PosixSegment equal = shm.track(PosixSegment.builder(name).size(8192).openOrCreate().create());
        assertEquals(8192, equal.size());
        assertEquals(77, equal.getLong(4096));
        assertEquals(8192, Files.size(shmPath(name)));

        String fresh = shm.newName();
        PosixSegment created = shm.track(PosixSegment.builder(fresh).size(4096).openOrCreate().create());
        assertTrue(created.createdHere(), "openOrCreate creates a missing object");
        assertEquals(4096, Files.size(shmPath(fresh)));
    }

    // ---- resize -----------------------------------------------------------------------------

    @Test
    void resizeGrowsAnObjectCreatedHere() throws IOException {
        String name = shm.newName();
        PosixSegment segment = shm.track(PosixSegment.create(name, 4096));
        segment.putLong(0, 0x0102030405060708L);
        segment.putLong(4088, -5);
        ByteBuffer before = segment.asByteBuffer();

        segment.resize(20000);
        assertEquals(20000, segment.size());
        assertEquals(20000, Files.size(shmPath(name)));
        assertEquals(20000, segment.stat().size());
        assertEquals(0x0102030405060708L, segment.getLong(0), "data survives the resize");
        assertEquals(-5, segment.getLong(4088));
        segment.putLong(19992, 99);
        assertEquals(99, segment.getLong(19992));

        // The view taken before still reaches the same memory, both ways.
        segment.putLong(8, 1234567);
        assertEquals(1234567, before.getLong(8));
        before.putInt(16, 4242);
        assertEquals(4242, segment.getInt(16));
        assertEquals(4096, before.capacity());

        PosixSegment other = shm.track(PosixSegment.open(name));
        assertEquals(20000, other.size());
        assertEquals(99, other.getLong(19992));

        segment.resize(1 << 20);
        assertEquals(1 << 20, segment.size());
        assertEquals(0x0102030405060708L, segment.getLong(0));
        assertEquals(99, segment.getLong(19992));
        assertEquals(1234567, before.getLong(8));
    }

    @Test
    void resizeRefusesShrinking() throws IOException {
        String name = shm.newName();
        PosixSegment segment = shm.track(PosixSegment.create(name, 8192));
        IllegalArgumentException smaller = assertThrows(IllegalArgumentException.class, () -> segment.resize(4096));
        assertTrue(smaller.getMessage().contains("4096") && smaller.getMessage().contains("8192"), smaller.getMessage());
        assertThrows(IllegalArgumentException.class, () -> segment.resize(8192));
        assertEquals(8192, segment.size());
        assertEquals(8192, Files.size(shmPath(name)));
    }

    @Test
    void resizeRefusesObjectsOpenedHere() throws IOException {
        String name = shm.newName();
        shm.track(PosixSegment.create(name, 4096));
        PosixSegment opened = shm.track(PosixSegment.open(name));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> opened.resize(8192));
        assertTrue(refused.getMessage().contains("created"), refused.getMessage());
        assertEquals(4096, opened.size());
        assertEquals(4096, Files.size(shmPath(name)));
    }

    @Test
    void resizeAfterCloseIsRefused() {
        PosixSegment segment = shm.track(PosixSegment.create(shm.newName(), 4096));
        segment.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> segment.resize(8192));
        assertTrue(closed.getMessage().contains("Already closed"), closed.getMessage());
    }

    // ---- memory placement ---------------------------------------------------------------------

    @Test
    void lockAndUnlockPinThePages() throws IOException {
        assumeTrue(TestShm.isRoot(), "mlock of 1 MiB needs root (CAP_IPC_LOCK) here");
        PosixSegment segment = shm.track(PosixSegment.create(shm.newName(), 1 << 20));
        long before = TestShm.procStatusKb("VmLck");
        segment.lock();
        long locked = TestShm.procStatusKb("VmLck");
        assertTrue(locked - before >= 1024, "VmLck " + before + " kB -> " + locked + " kB after lock()");
        segment.unlock();
        assertEquals(before, TestShm.procStatusKb("VmLck"), "unlock() releases the pages");

        PosixSegment lockedAtCreate = shm.track(PosixSegment.builder(shm.newName()).size(1 << 20).lockInMemory().create());
        assertTrue(TestShm.procStatusKb("VmLck") - before >= 1024, "lockInMemory() locks at create");
        lockedAtCreate.close();
        assertEquals(before, TestShm.procStatusKb("VmLck"), "close releases a locked mapping");
    }

    @Test
    void populateFaultsEveryPageIn() throws IOException {
        String lazy = shm.newName();
        String eager = shm.newName();
        shm.track(PosixSegment.create(lazy, 256 * 1024));
        shm.track(PosixSegment.builder(eager).size(256 * 1024).populate().create());
        assertEquals(0, residentKb(lazy), "an untouched mapping has no resident pages");
        assertEquals(256, residentKb(eager), "populate() maps every page at once");
    }

    @Test
    void noReserveSkipsTheAllocation() throws Exception {
        String reserved = shm.newName();
        String sparse = shm.newName();
        shm.track(PosixSegment.create(reserved, 1 << 20));
        PosixSegment unreserved = shm.track(PosixSegment.builder(sparse).size(1 << 20).noReserve().create());
        assertTrue(allocatedBytes(reserved) >= 1 << 20, "create reserves the memory (posix_fallocate)");
        assertEquals(0, allocatedBytes(sparse), "noReserve() leaves the object sparse");
        assertEquals(1 << 20, Files.size(shmPath(sparse)));
        unreserved.putLong(0, 1);
        assertEquals(1, unreserved.getLong(0));
    }

    // ---- access paths -------------------------------------------------------------------------

    @ParameterizedTest(name = "nativeCopies={0}")
    @ValueSource(booleans = {false, true})
    void typedAccessRoundTrips(boolean nativeCopies) {
        PosixSegment segment = shm.track(builder(shm.newName(), nativeCopies).size(8192).create());
        assertEquals(nativeCopies, segment.usesNativeCopies());
        long[] offsets = {0, 1, 3, 4095, 8192 - 8};
        for (long at : offsets) {
            segment.putByte(at, (byte) -7);
            assertEquals(-7, segment.getByte(at));
            segment.putShort(at, Short.MIN_VALUE);
            assertEquals(Short.MIN_VALUE, segment.getShort(at));
            segment.putInt(at, 0xDEADBEEF);
            assertEquals(0xDEADBEEF, segment.getInt(at));
            segment.putLong(at, Long.MIN_VALUE + 12345);
            assertEquals(Long.MIN_VALUE + 12345, segment.getLong(at));
            segment.putFloat(at, -1.5e-3f);
            assertEquals(-1.5e-3f, segment.getFloat(at));
            segment.putDouble(at, Math.PI);
            assertEquals(Math.PI, segment.getDouble(at));
        }
        // Native byte order, as a C program on this host reads it.
        segment.putLong(16, 0x0102030405060708L);
        ByteBuffer view = segment.asByteBuffer();
        assertEquals(ByteOrder.nativeOrder(), view.order());
        byte first = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? (byte) 8 : (byte) 1;
        assertEquals(first, view.get(16));
        assertEquals(Double.doubleToRawLongBits(Math.PI), segment.getLong(8192 - 8));

        IndexOutOfBoundsException end = assertThrows(IndexOutOfBoundsException.class, () -> segment.getLong(8192 - 7));
        assertTrue(end.getMessage().contains("offset=8185") && end.getMessage().contains("size=8192"), end.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> segment.putByte(-1, (byte) 0));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.getShort(Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "nativeCopies={0}")
    @ValueSource(booleans = {false, true})
    void bulkAccessRoundTrips(boolean nativeCopies) {
        int size = 64 * 1024;
        PosixSegment segment = shm.track(builder(shm.newName(), nativeCopies).size(size).create());
        byte[] data = new byte[20000];
        new Random(7).nextBytes(data);
        segment.write(1001, data);
        byte[] back = new byte[data.length];
        segment.read(1001, back);
        assertArrayEquals(data, back);
        ByteBuffer view = segment.asByteBuffer(1001, data.length);
        byte[] viaView = new byte[data.length];
        view.get(0, viaView);
        assertArrayEquals(data, viaView, "bulk writes land where views see them");

        // Partial ranges of the arrays.
        segment.write(50, data, 10, 30);
        byte[] part = new byte[40];
        segment.read(50, part, 5, 30);
        assertArrayEquals(Arrays.copyOfRange(data, 10, 40), Arrays.copyOfRange(part, 5, 35));
        assertArrayEquals(new byte[5], Arrays.copyOfRange(part, 0, 5));

        // fill longer than one copy block, ending exactly at the end.
        segment.fill(size - 20000, 20000, (byte) 0x5A);
        byte[] filled = new byte[20000];
        segment.read(size - 20000, filled);
        byte[] expected = new byte[20000];
        Arrays.fill(expected, (byte) 0x5A);
        assertArrayEquals(expected, filled);
        assertEquals(data[data.length - 1], segment.getByte(1001 + data.length - 1), "fill stays in its range");
        segment.fill(0, 0, (byte) 1);

        assertThrows(IndexOutOfBoundsException.class, () -> segment.read(size - 10, new byte[11]));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.write(size - 10, new byte[11]));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.fill(size - 10, 11, (byte) 0));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.read(0, new byte[4], 2, 3));
        assertEquals(0x5A, segment.getByte(size - 1), "refused copies touch nothing");
    }

    @ParameterizedTest(name = "nativeCopies={0}")
    @ValueSource(booleans = {false, true})
    void stringRoundTrips(boolean nativeCopies) {
        int size = 32 * 1024;
        PosixSegment segment = shm.track(builder(shm.newName(), nativeCopies).size(size).create());
        String text = "héllo, wörld: ∑ 🙂";
        int written = segment.putString(10, text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, written);
        assertEquals(0, segment.getByte(10 + written), "putString ends with a NUL like C");
        assertEquals(text, segment.getString(10));
        assertEquals("héllo", segment.getString(10, 6), "maxLength cuts in bytes");

        // Longer than one scanning block (8192 bytes).
        String longText = "x".repeat(10000) + "end";
        segment.putString(12000, longText);
        assertEquals(longText, segment.getString(12000));

        // No NUL before the end of the segment: the string runs to the end.
        segment.fill(size - 5, 5, (byte) 'z');
        assertEquals("zzzzz", segment.getString(size - 5));
        assertEquals("", segment.getString(size));

        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> segment.putString(0, "a\0b"));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> segment.putString(size - 3, "abc"));
    }

    // ---- locator ----------------------------------------------------------------------------

    @Test
    void locatorRoundTrip() {
        String name = shm.newName();
        PosixSegment segment = shm.track(PosixSegment.create(name, 4096));
        segment.putString(0, "found through the locator");
        String text = segment.locator().toString();
        assertEquals("posix:" + name, text);
        SegmentLocator parsed = SegmentLocator.parse(text);
        assertEquals(segment.locator(), parsed);
        assertEquals(SegmentLocator.Kind.POSIX, parsed.kind());

        Segment opened = shm.track(parsed.open(Access.READ_WRITE));
        assertTrue(opened instanceof PosixSegment);
        assertEquals(4096, opened.size());
        assertEquals("found through the locator", opened.getString(0));
        opened.putInt(2000, 31337);
        assertEquals(31337, segment.getInt(2000));

        Segment readOnly = shm.track(parsed.open(Access.READ_ONLY));
        assertTrue(readOnly.isReadOnly());
        assertEquals("found through the locator", readOnly.getString(0));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static PosixSegment.Builder builder(String name, boolean nativeCopies) {
        PosixSegment.Builder builder = PosixSegment.builder(name);
        return nativeCopies ? builder : builder.jvmCopies();
    }

    /** {@code 0644} as {@code rw-r--r--}. */
    private static String permissions(int mode) {
        StringBuilder text = new StringBuilder();
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & 1 << bit) == 0 ? '-' : "xwr".charAt(bit % 3));
        }
        return text.toString();
    }

    /** The Rss, in kB, of this process's mapping of the object (from /proc/self/smaps). */
    private static long residentKb(String name) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String path = shmPath(name).toString();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith(" " + path)) {
                for (int j = i + 1; j < lines.size(); j++) {
                    String line = lines.get(j);
                    if (line.startsWith("Rss:")) {
                        return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                    }
                }
            }
        }
        throw new AssertionError(path + " is not mapped in this process");
    }

    /** The bytes the file system allocated to the object (st_blocks * 512). */
    private static long allocatedBytes(String name) throws Exception {
        TestProcesses.Result result = TestProcesses.run(Duration.ofSeconds(20), null, null,
                List.of("stat", "-c", "%b %B", shmPath(name).toString())).assertSuccess();
        String[] fields = result.out().trim().split(" ");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }
}
