package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every access has a fast path (the first chunk's buffer, covering the first 2 GiB - 1 bytes) and
 * a checked path (later chunks, and every refusal); copies and fills also choose between the
 * JVM's copy and the native one by size. Both sides of every switch must give the same bytes
 * and the same refusals.
 */
class AccessPathsTest {

    private static final long VALUE = 0x8877_6655_4433_2211L;

    private static final int SIZE = 2 * 1024 * 1024;

    /**
     * Sizes on both sides of the native thresholds (copies: 64 KiB on AMD CPUs of family 26, 1 MiB
     * on others; fills: 1 MiB), and of the fill's 4 KiB block.
     */
    @ParameterizedTest(name = "length={0}")
    @ValueSource(ints = {0, 1, 7, 63, 4095, 4096, 4097, 8192, 65535, 65536, 65537, 1048575, 1048576, 1048577, SIZE - 3})
    void copiesAndFillsOnBothSidesOfTheThresholdsMoveTheSameBytes(int length) {
        assertEquals(1048576, BulkCopy.DEFAULT_NATIVE_COPY_THRESHOLD, "the lengths above straddle the default");
        assertEquals(65536, BulkCopy.AMD_FAMILY_26_NATIVE_COPY_THRESHOLD, "the lengths above straddle AMD family 26's threshold");
        assertEquals(1048576, BulkCopy.DEFAULT_NATIVE_FILL_THRESHOLD, "the lengths above straddle the fills' threshold");
        assertEquals(4096, FillPatterns.BLOCK, "the lengths above straddle a block");
        try (SysVSegment s = SysVSegment.createPrivate(SIZE)) {
            s.remove();
            assertTrue(s.usesNativeCopies());
            byte[] src = new byte[length + 6];
            new Random(length).nextBytes(src);
            s.write(3, src, 5, length);
            byte[] expected = new byte[SIZE];
            System.arraycopy(src, 5, expected, 3, length);
            assertArrayEquals(expected, snapshot(s), "write of " + length + " bytes");

            byte[] dst = new byte[length + 4];
            s.read(3, dst, 2, length);
            assertArrayEquals(Arrays.copyOfRange(src, 5, 5 + length), Arrays.copyOfRange(dst, 2, 2 + length),
                    "read of " + length + " bytes");
            assertEquals(0, dst[0]);
            assertEquals(0, dst[1]);

            s.fill(1, length, (byte) 0x5c);
            Arrays.fill(expected, 1, 1 + length, (byte) 0x5c);
            assertArrayEquals(expected, snapshot(s), "fill of " + length + " bytes");

            int outside = SIZE - length + 1;
            BoundsTest.assertRefused(() -> s.write(outside, src, 0, length), outside, length, SIZE);
            BoundsTest.assertRefused(() -> s.read(outside, dst, 0, length), outside, length, SIZE);
            BoundsTest.assertRefused(() -> s.fill(outside, length, (byte) 1), outside, length, SIZE);
        }
    }

    /** The same for a POSIX object by default (native copies from the threshold) and with {@code jvmCopies()}. */
    @ParameterizedTest(name = "nativeCopies={0}")
    @ValueSource(booleans = {false, true})
    void posixObjectsCopyTheSameBytesOnEitherPath(boolean nativeCopies) {
        String name = TestShm.uniqueName();
        PosixSegment.Builder builder = PosixSegment.builder(name).size(2 * 1048576);
        try (PosixSegment s = (nativeCopies ? builder : builder.jvmCopies()).create()) {
            s.unlink();
            assertEquals(nativeCopies, s.usesNativeCopies());
            for (int length : new int[] {64, 4096, 8192, 65536, 1048576}) {
                byte[] src = new byte[length];
                new Random(length).nextBytes(src);
                s.write(100, src);
                byte[] dst = new byte[length];
                s.read(100, dst);
                assertArrayEquals(src, dst, "round trip of " + length + " bytes");
                s.fill(100, length, (byte) 9);
                s.read(100, dst);
                byte[] nines = new byte[length];
                Arrays.fill(nines, (byte) 9);
                assertArrayEquals(nines, dst, "fill of " + length + " bytes");
            }
        }
    }

    /**
     * A fill copies from the place in its pattern block that its destination has in its page:
     * from every such place, on the fast path (up to a block) and the chunked one (more), on
     * memory that starts a page (System V) and on memory that does not (a file mapped from offset
     * 4096 + 7), a fill sets exactly its bytes and no others.
     */
    @Test
    void fillsFromEveryPlaceInAPageSetExactlyTheirBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        int size = 3 * 4096 + 10000;
        try (SysVSegment sysv = SysVSegment.createPrivate(size);
                MappedFileSegment file = MappedFileSegment.builder(dir.resolve("fill")).offset(4096 + 7).size(size).create()) {
            sysv.remove();
            assertEquals(7, file.address() & 4095, "the file's memory does not start a page");
            for (Segment s : new Segment[] {sysv, file}) {
                byte[] expected = new byte[size];
                byte value = 1;
                for (int place = 0; place < 4096; place += 61) {
                    for (int length : new int[] {1, 64, FillPatterns.BLOCK, FillPatterns.BLOCK + 1, 10000}) {
                        value = (byte) (value * 31 + 7);
                        s.fill(place, length, value);
                        Arrays.fill(expected, place, place + length, value);
                    }
                }
                assertArrayEquals(expected, snapshot(s), "fills over " + s);
            }
        }
    }

    /**
     * Around the end of the first chunk (2 GiB - 1 bytes), where accesses leave the fast path:
     * the last offsets inside it, those that straddle its end, and those past it, each width, the
     * atomics too. Only a few pages of the segment are touched.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(BoundsTest.Type.class)
    void accessesAroundTheEndOfTheFirstChunk(BoundsTest.Type type) {
        long end = Integer.MAX_VALUE;
        try (SysVSegment s = SysVSegment.createPrivate(end + 8193)) {
            s.remove();
            for (long offset = end - type.width - 2; offset <= end + 2; offset++) {
                s.fill(end - 32, 64, (byte) 0);
                type.put(s, offset, VALUE);
                assertEquals(VALUE & type.mask(), type.get(s, offset), "at " + offset);
                byte[] around = new byte[64];
                s.read(end - 32, around);
                byte[] expected = new byte[64];
                BoundsTest.putNativeOrder(expected, (int) (offset - (end - 32)), type.width, VALUE);
                assertArrayEquals(expected, around, "bytes after a put at " + offset);
            }
            long last = s.size() - type.width;
            type.put(s, last, VALUE);
            assertEquals(VALUE & type.mask(), type.get(s, last));
            BoundsTest.assertRefused(() -> type.get(s, last + 1), last + 1, type.width, s.size());
            BoundsTest.assertRefused(() -> type.put(s, last + 1, 0), last + 1, type.width, s.size());
            // An offset that would alias the first chunk if it were cut to an int, and offsets
            // whose chunk number (offset >>> 30) would alias chunk 0, 2 or -1 if it were cut to one.
            for (long aliased : new long[] {(1L << 32) + 64, (1L << 62) + 64, (1L << 62) + (2L << 30) + 8, Long.MAX_VALUE - 8}) {
                BoundsTest.assertRefused(() -> type.get(s, aliased), aliased, type.width, s.size());
                BoundsTest.assertRefused(() -> type.put(s, aliased, 0), aliased, type.width, s.size());
            }
        }
    }

    @Test
    void atomicsAroundTheEndOfTheFirstChunk() {
        long end = Integer.MAX_VALUE;
        try (SysVSegment s = SysVSegment.createPrivate(end + 8193)) {
            s.remove();
            SegmentAtomics a = s.atomics();
            long firstOutside = (end / 8) * 8;  // 2^31 - 8: its 8 bytes end past the first chunk
            for (long offset = firstOutside - 16; offset <= firstOutside + 16; offset += 8) {
                a.putLongVolatile(offset, offset);
                assertEquals(offset, a.getAndAddLong(offset, 1));
                assertTrue(a.compareAndSetLong(offset, offset + 1, -offset));
                assertEquals(-offset, s.getLong(offset), "at " + offset);
                a.putIntRelease(offset + 4, 7);
                assertEquals(7, a.getIntAcquire(offset + 4));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.getLongVolatile(firstOutside + 4));
            assertTrue(e.getMessage().contains("not 8-byte aligned"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> a.getLongVolatile(12));
            assertTrue(e.getMessage().contains("not 8-byte aligned"), e.getMessage());
            long aliased = (1L << 32) + 64;
            BoundsTest.assertRefused(() -> a.getLongVolatile(aliased), aliased, 8, s.size());
        }
    }

    /**
     * What the README offers for hot regions past 2 GiB, where typed access looks up its chunk:
     * an {@code asByteBuffer(offset, length)} window there is the JDK's own direct buffer (the
     * class of {@code allocateDirect}'s, so its accesses are a raw buffer's code), over the same
     * memory as typed access, with its own bounds.
     */
    @Test
    void aWindowPastTheFirstChunkIsAPlainDirectBufferOverTheSegment() {
        long start = 2L << 30;
        int length = 65536;
        try (SysVSegment s = SysVSegment.createPrivate(start + length)) {
            s.remove();
            ByteBuffer window = s.asByteBuffer(start, length);
            assertEquals(ByteBuffer.allocateDirect(1).getClass(), window.getClass());
            assertEquals(ByteOrder.nativeOrder(), window.order());
            assertEquals(length, window.capacity());

            window.putLong(4096 + 67, VALUE);
            assertEquals(VALUE, s.getLong(start + 4096 + 67));
            s.putLong(start + length - 8, ~VALUE);
            assertEquals(~VALUE, window.getLong(length - 8));
            assertThrows(IndexOutOfBoundsException.class, () -> window.getLong(length - 7));
        }
    }

    /**
     * A grown object publishes its larger buffers to typed access and to atomics obtained
     * before the growth: offsets past the old size work on the fast path at once.
     */
    @Test
    void growthReachesTypedAccessAndAtomicsMadeBefore() {
        try (PosixSegment s = PosixSegment.create(TestShm.uniqueName(), 4096)) {
            s.unlink();
            SegmentAtomics a = s.atomics();
            s.putLong(8, 1);
            BoundsTest.assertRefused(() -> s.getLong(8192), 8192, 8, 4096);
            BoundsTest.assertRefused(() -> a.getLongVolatile(8192), 8192, 8, 4096);
            s.resize(3 * 4096);
            a.putLongVolatile(8192, 5);
            assertEquals(5, s.getLong(8192));
            assertEquals(6, a.getAndAddLong(8192, 1) + 1);
            s.putInt(12284, 7);
            assertEquals(7, a.getIntAcquire(12284));
            assertEquals(1, a.getLongVolatile(8), "the bytes before the growth are the same memory");
            BoundsTest.assertRefused(() -> a.getLongVolatile(3 * 4096), 3 * 4096, 8, 3 * 4096);
        }
    }

    /**
     * The fast path's buffers are dropped on close: the closing thread's next access of every
     * kind throws, on the fast path too, and so do accesses through a read-only segment's writes.
     */
    @Test
    void closedAndReadOnlySegmentsRefuseTheFastPath() {
        SysVSegment s = SysVSegment.createPrivate(4096);
        s.remove();
        SegmentAtomics a = s.atomics();
        s.putLong(8, 1);
        s.close();
        assertThrows(IllegalStateException.class, () -> s.getLong(8));
        assertThrows(IllegalStateException.class, () -> s.putLong(8, 2));
        assertThrows(IllegalStateException.class, () -> s.read(0, new byte[8]));
        assertThrows(IllegalStateException.class, () -> s.write(0, new byte[8]));
        assertThrows(IllegalStateException.class, () -> s.fill(0, 8, (byte) 1));
        assertThrows(IllegalStateException.class, () -> a.getLongVolatile(8));
        assertThrows(IllegalStateException.class, () -> a.getAndAddLong(8, 1));

        try (SysVSegment writer = SysVSegment.createPrivate(4096);
             SysVSegment reader = SysVSegment.openById(writer.shmid(), Access.READ_ONLY)) {
            writer.remove();
            writer.putLong(8, 42);
            assertEquals(42, reader.getLong(8));
            assertEquals(42, reader.atomics().getLongVolatile(8));
            assertThrows(ReadOnlySegmentException.class, () -> reader.putLong(8, 1));
            assertThrows(ReadOnlySegmentException.class, () -> reader.write(0, new byte[8]));
            assertThrows(ReadOnlySegmentException.class, () -> reader.fill(0, 8, (byte) 1));
            assertThrows(ReadOnlySegmentException.class, () -> reader.atomics().putLongRelease(8, 1));
            assertEquals(42, writer.getLong(8));
        }
    }

    /**
     * Typed access, copies, fills and atomics allocate nothing, measured by the JVM's per-thread
     * allocation counter around many calls after a warm-up (interpreted or compiled alike: the
     * paths create no objects).
     */
    @Test
    void hotPathsAllocateNothing() {
        long thread = Thread.currentThread().getId();
        try (SysVSegment s = SysVSegment.createPrivate(SIZE)) {
            s.remove();
            SegmentAtomics a = s.atomics();
            byte[] small = new byte[64];
            byte[] large = new byte[BulkCopy.DEFAULT_NATIVE_COPY_THRESHOLD + 8];
            long sink = 0;
            // Two rounds to warm up: the 1 MiB copies make a round long enough for a compilation to
            // land in it. An allocation per call shows in every round.
            for (int round = 0; round < 3; round++) {
                long before = ThreadAllocations.of(thread);
                for (int i = 0; i < 20_000; i++) {
                    int at = (i * 8) & 4095;
                    s.putLong(at, i);
                    sink += s.getLong(at) + s.getInt(at + 1) + s.getShort(at + 3) + s.getByte(at + 5);
                    s.putDouble(at + 1, i);
                    sink += (long) s.getDouble(at + 1) + (long) s.getFloat(at + 2);
                    s.write(at, small);
                    s.read(at, small);
                    s.fill(at, 64, (byte) i);
                    sink += a.getAndAddLong(at, 1) + a.getLongVolatile(at);
                    a.putIntRelease(at, i);
                    if ((i & 255) == 0) {
                        s.write(8192, large);
                        s.read(8192, large);
                        s.fill(8192, large.length, (byte) 3);
                    }
                }
                long allocated = ThreadAllocations.of(thread) - before;
                if (round == 2) {
                    assertEquals(0, allocated, "bytes allocated by 20,000 rounds of accesses (sink " + sink + ")");
                }
            }
        }
    }

    private static byte[] snapshot(Segment s) {
        byte[] all = new byte[(int) s.size()];
        ByteBuffer view = s.asByteBuffer().order(ByteOrder.nativeOrder());
        view.get(0, all);
        return all;
    }
}
