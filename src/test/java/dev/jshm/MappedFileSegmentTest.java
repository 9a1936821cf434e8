package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Files mapped through {@link MappedFileSegment}: creation, offsets, sharing, private mappings, large files. */
class MappedFileSegmentTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    private static byte[] pattern(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    // ---- create and open ----------------------------------------------------------------------

    @Test
    void createIsExclusiveWithMode0600() throws IOException {
        Path file = dir.resolve("created");
        MappedFileSegment segment = shm.track(MappedFileSegment.create(file, 10000));
        assertEquals(10000, segment.size());
        assertEquals(10000, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(0600, segment.stat().mode());
        assertEquals(file, segment.path());
        assertEquals(0, segment.fileOffset());
        assertFalse(segment.isPrivate());
        segment.putLong(9992, 1234);

        SegmentExistsException exists = assertThrows(SegmentExistsException.class, () -> MappedFileSegment.create(file, 10000));
        assertEquals(Errors.EEXIST, exists.errno());
        assertTrue(exists.getMessage().contains(file.toString()), exists.getMessage());
        assertEquals(1234, segment.getLong(9992), "a refused create leaves the file alone");
        assertEquals(10000, Files.size(file));
    }

    @Test
    void openMapsAnExistingFileToItsEnd() throws IOException {
        Path file = dir.resolve("existing");
        byte[] content = pattern(5000, 1);
        Files.write(file, content);
        MappedFileSegment segment = shm.track(MappedFileSegment.open(file));
        assertEquals(5000, segment.size());
        byte[] read = new byte[5000];
        segment.read(0, read);
        assertArrayEquals(content, read);

        MappedFileSegment tail = shm.track(MappedFileSegment.builder(file).offset(1000).open());
        assertEquals(4000, tail.size());
        assertEquals(content[1000], tail.getByte(0));
        assertEquals(content[4999], tail.getByte(3999));

        ShmInvalidArgumentException bigger = assertThrows(ShmInvalidArgumentException.class,
                () -> MappedFileSegment.builder(file).size(5001).open());
        assertTrue(bigger.getMessage().contains("5000") && bigger.getMessage().contains("5001"), bigger.getMessage());
        assertEquals(5000, Files.size(file), "a refused open never resizes the file");
        assertThrows(ShmInvalidArgumentException.class, () -> MappedFileSegment.builder(file).offset(5000).open());

        SegmentNotFoundException missing = assertThrows(SegmentNotFoundException.class,
                () -> MappedFileSegment.open(dir.resolve("missing")));
        assertEquals(Errors.ENOENT, missing.errno());
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path file = Files.createFile(dir.resolve("empty"));
        ShmInvalidArgumentException e = assertThrows(ShmInvalidArgumentException.class, () -> MappedFileSegment.open(file));
        assertTrue(e.getMessage().contains("0 bytes") && e.getMessage().contains("empty"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(Files.exists(file), "a refused open must not delete a file it did not create");
    }

    @Test
    void unalignedOffsets() throws IOException {
        Path file = dir.resolve("offsets");
        byte[] content = pattern(3 * 4096, 2);
        Files.write(file, content);
        for (long offset : new long[] {100, 4096 + 7}) {
            try (MappedFileSegment segment = MappedFileSegment.builder(file).offset(offset).size(500).open()) {
                assertEquals(500, segment.size());
                assertEquals(offset, segment.fileOffset());
                assertEquals(content[(int) offset], segment.getByte(0));
                assertEquals(ByteBuffer.wrap(content, (int) offset + 492, 8).order(ByteOrder.nativeOrder()).getLong(),
                        segment.getLong(492));
                segment.putLong(8, 0x0A0B0C0D0E0F1011L);
                byte[] file1 = Files.readAllBytes(file);
                assertEquals(0x0A0B0C0D0E0F1011L, ByteBuffer.wrap(file1, (int) offset + 8, 8).order(ByteOrder.nativeOrder()).getLong(),
                        "the write lands at file offset " + (offset + 8));
                assertThrows(IndexOutOfBoundsException.class, () -> segment.getByte(500));
                assertEquals("file:" + file + "?offset=" + offset + "&size=500", segment.locator().toString());
            }
        }

        // Create at an offset: the file is made long enough for offset + size.
        Path fresh = dir.resolve("created-at-offset");
        MappedFileSegment created = shm.track(MappedFileSegment.builder(fresh).offset(4096 + 7).size(1000).create());
        assertEquals(4096 + 7 + 1000, Files.size(fresh));
        created.putInt(0, 0x01020304);
        created.putString(500, "at file offset 4603");
        byte[] bytes = Files.readAllBytes(fresh);
        assertEquals(0x01020304, ByteBuffer.wrap(bytes, 4103, 4).order(ByteOrder.nativeOrder()).getInt());
        assertEquals("at file offset 4603", new String(bytes, 4603, 19, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[4103], Arrays.copyOf(bytes, 4103), "nothing before the offset is touched");

        // The locator finds the same range.
        try (Segment again = SegmentLocator.parse(created.locator().toString()).open(Access.READ_ONLY)) {
            assertEquals(1000, again.size());
            assertEquals(0x01020304, again.getInt(0));
            assertEquals("at file offset 4603", again.getString(500));
        }
    }

    @Test
    void sharedMappingIsSeenByOtherMappingsAndByReads() throws IOException {
        Path file = dir.resolve("shared");
        MappedFileSegment writer = shm.track(MappedFileSegment.create(file, 8192));
        MappedFileSegment other = shm.track(MappedFileSegment.open(file));
        writer.putLong(4096, 0x7766554433221100L);
        writer.putString(10, "shared with everyone");
        assertEquals(0x7766554433221100L, other.getLong(4096));
        assertEquals("shared with everyone", other.getString(10));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x7766554433221100L, ByteBuffer.wrap(bytes, 4096, 8).order(ByteOrder.nativeOrder()).getLong());

        // And the other way: a write to the file is seen through the mapping.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {9, 8, 7}), 100);
        }
        assertEquals(9, writer.getByte(100));
        assertEquals(7, other.getByte(102));
    }

    @Test
    void privateMappingKeepsWritesToItself() throws IOException {
        Path file = dir.resolve("private");
        byte[] content = pattern(8192, 3);
        Files.write(file, content);
        MappedFileSegment shared = shm.track(MappedFileSegment.open(file));
        MappedFileSegment copy = shm.track(MappedFileSegment.builder(file).privateMapping().open());
        assertTrue(copy.isPrivate());
        assertEquals(shared.getLong(0), copy.getLong(0), "a private mapping starts with the file's content");

        copy.putLong(0, 42);
        copy.fill(4096, 4096, (byte) 0x33);
        copy.force();
        assertEquals(42, copy.getLong(0));
        assertEquals(0x33, copy.getByte(8191));
        assertArrayEquals(content, Files.readAllBytes(file), "private writes never reach the file");
        assertNotEquals(42, shared.getLong(0));
        assertEquals(content[8191], shared.getByte(8191), "nor another mapping");
        try (MappedFileSegment later = MappedFileSegment.open(file)) {
            assertEquals(content[4096], later.getByte(4096));
        }
    }

    @Test
    void readOnlyRefusesWrites() throws IOException {
        Path file = dir.resolve("read-only");
        Files.write(file, pattern(4096, 4));
        MappedFileSegment segment = shm.track(MappedFileSegment.open(file, Access.READ_ONLY));
        assertTrue(segment.isReadOnly());
        ReadOnlySegmentException e = assertThrows(ReadOnlySegmentException.class, () -> segment.putInt(0, 1));
        assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains(file.toString()), e.getMessage());
        assertThrows(ReadOnlySegmentException.class, () -> segment.write(0, new byte[1]));
        assertThrows(ReadOnlySegmentException.class, () -> segment.fill(0, 1, (byte) 0));
        assertThrows(ReadOnlySegmentException.class, () -> segment.resize(8192));
        assertTrue(segment.asByteBuffer().isReadOnly());
        assertEquals(4096, Files.size(file));
        // A file the process may only read maps read-only.
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        try (MappedFileSegment again = MappedFileSegment.open(file, Access.READ_ONLY)) {
            assertEquals(segment.getLong(0), again.getLong(0));
        }
    }

    @Test
    void forceWritesDirtyPagesBack() throws IOException {
        Path file = dir.resolve("forced");
        assumeTrue(!"tmpfs".equals(Files.getFileStore(dir).type()), "tmpfs pages stay dirty: nothing to write back");
        MappedFileSegment segment = shm.track(MappedFileSegment.create(file, 4 * 4096));
        segment.putLong(0, 1);
        segment.putLong(2 * 4096 + 16, 2);
        assertEquals(8, dirtyKb(file), "two pages written");

        // A range in the third page (unaligned start): only that page is written back.
        segment.force(2 * 4096 + 5, 100, false);
        assertEquals(4, dirtyKb(file), "force(offset, length, false) writes back the range's pages");
        segment.force();
        assertEquals(0, dirtyKb(file), "force() writes back every page");

        segment.putLong(4096, 3);
        segment.force(4096 + 7, 1, true);
        segment.force(0, segment.size(), true);
        assertEquals(3, ByteBuffer.wrap(Files.readAllBytes(file), 4096, 8).order(ByteOrder.nativeOrder()).getLong());

        assertThrows(IndexOutOfBoundsException.class, () -> segment.force(4 * 4096 - 10, 11, false));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.force(-1, 1, false));
        segment.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, segment::force);
        assertTrue(closed.getMessage().contains("Already closed"), closed.getMessage());
    }

    // ---- what is at the path --------------------------------------------------------------------

    @Test
    void symbolicLinkIsRefused() throws IOException {
        Path target = dir.resolve("target");
        byte[] content = pattern(4096, 5);
        Files.write(target, content);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        for (Runnable attempt : List.<Runnable>of(() -> MappedFileSegment.open(link),
                () -> MappedFileSegment.open(link, Access.READ_ONLY),
                () -> MappedFileSegment.builder(link).size(4096).openOrCreate().create(),
                () -> MappedFileSegment.builder(link).anyOwner().open())) {
            ShmPermissionException e = assertThrows(ShmPermissionException.class, attempt::run);
            assertEquals(Errors.ELOOP, e.errno(), e.getMessage());
            assertEquals("ELOOP", e.errnoName());
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
        assertThrows(SegmentExistsException.class, () -> MappedFileSegment.create(link, 4096));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(target, Files.readSymbolicLink(link));
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void fileOwnedBySomeoneElseIsRefusedUnlessAnyOwner() throws IOException {
        assumeTrue(TestShm.isRoot(), "giving a file to another user needs root");
        Path file = dir.resolve("foreign");
        byte[] content = pattern(4096, 6);
        Files.write(file, content);
        Files.setAttribute(file, "unix:uid", 65534);
        Files.setAttribute(file, "unix:gid", 65534);
        ShmPermissionException e = assertThrows(ShmPermissionException.class, () -> MappedFileSegment.open(file));
        assertTrue(e.getMessage().contains("uid 65534") && e.getMessage().contains("anyOwner()"), e.getMessage());
        assertThrows(ShmPermissionException.class, () -> MappedFileSegment.builder(file).size(4096).openOrCreate().create());
        assertTrue(Files.exists(file), "a refused open must not delete someone else's file");
        assertArrayEquals(content, Files.readAllBytes(file));

        try (MappedFileSegment accepted = MappedFileSegment.builder(file).anyOwner().open()) {
            assertEquals(65534, accepted.stat().uid());
            assertEquals(content[7], accepted.getByte(7));
        }
    }

    @Test
    void directoryIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        ShmException e = assertThrows(ShmException.class, () -> MappedFileSegment.open(sub));
        assertTrue(e.getMessage().contains("EISDIR") || e.getMessage().contains("not a regular file"), e.getMessage());
        ShmException readOnly = assertThrows(ShmException.class, () -> MappedFileSegment.open(sub, Access.READ_ONLY));
        assertTrue(readOnly.getMessage().contains("not a regular file"), readOnly.getMessage());
        assertTrue(Files.isDirectory(sub));
    }

    // ---- resize -------------------------------------------------------------------------------

    @Test
    void resizeGrowsTheFile() throws IOException {
        Path file = dir.resolve("growing");
        MappedFileSegment segment = shm.track(MappedFileSegment.create(file, 4096));
        segment.putLong(4088, 55);
        ByteBuffer before = segment.asByteBuffer();
        segment.resize(100_000);
        assertEquals(100_000, segment.size());
        assertEquals(100_000, Files.size(file));
        assertEquals(55, segment.getLong(4088));
        segment.putLong(99_992, 66);
        segment.putLong(0, 77);
        assertEquals(77, before.getLong(0), "a view taken before the resize still works");
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(66, ByteBuffer.wrap(bytes, 99_992, 8).order(ByteOrder.nativeOrder()).getLong());

        IllegalArgumentException shrink = assertThrows(IllegalArgumentException.class, () -> segment.resize(50_000));
        assertTrue(shrink.getMessage().contains("50000"), shrink.getMessage());
        assertEquals(100_000, Files.size(file));

        // At an offset, the file grows to offset + size.
        Path atOffset = dir.resolve("growing-at-offset");
        MappedFileSegment shifted = shm.track(MappedFileSegment.builder(atOffset).offset(4096 + 7).size(100).create());
        shifted.putByte(99, (byte) 1);
        shifted.resize(5000);
        assertEquals(4096 + 7 + 5000, Files.size(atOffset));
        assertEquals(1, shifted.getByte(99));
        shifted.putByte(4999, (byte) 2);
        assertEquals(2, Files.readAllBytes(atOffset)[4096 + 7 + 4999]);
    }

    // ---- files larger than 2 GiB ----------------------------------------------------------------

    @Test
    void fileLargerThan2GiB() throws IOException {
        Path file = dir.resolve("three-gib");
        long size = 3 * GIB;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size); // sparse: costs no disk until written
        }
        MappedFileSegment segment = shm.track(MappedFileSegment.open(file));
        assertEquals(size, segment.size());

        long[] offsets = {(1L << 31) - 8, 1L << 31, size - 8, GIB - 4, (1L << 31) - 4, 2 * GIB + 12345};
        for (long at : offsets) {
            long value = 0x5A5A000000000000L | at;
            segment.putLong(at, value);
            assertEquals(value, segment.getLong(at), "at " + at);
        }
        assertEquals(0x5A5A000000000000L | (size - 8), readLongFromFile(file, size - 8), "long offsets reach the file");
        assertEquals(0x5A5A000000000000L | (GIB - 4), readLongFromFile(file, GIB - 4), "a long across the 1 GiB chunk edge");
        assertEquals(0x5A5A000000000000L | ((1L << 31) - 4), readLongFromFile(file, (1L << 31) - 4));
        IndexOutOfBoundsException beyond = assertThrows(IndexOutOfBoundsException.class, () -> segment.getLong((1L << 32) - 8));
        assertTrue(beyond.getMessage().contains("size=" + size), beyond.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> segment.putLong(size - 7, 0));

        // Bulk copies across the 1 GiB and 2 GiB chunk edges.
        for (long edge : new long[] {GIB, 2 * GIB}) {
            byte[] data = pattern(256 * 1024, edge);
            long at = edge - 100_000;
            segment.write(at, data);
            byte[] back = new byte[data.length];
            segment.read(at, back);
            assertArrayEquals(data, back, "bulk round trip across " + edge);
            ByteBuffer fromFile = ByteBuffer.allocate(data.length);
            try (FileChannel channel = FileChannel.open(file)) {
                channel.read(fromFile, at);
            }
            assertArrayEquals(data, fromFile.array(), "the file holds what was written across " + edge);
            segment.fill(edge - 10, 20, (byte) 0x11);
            assertEquals(0x11, segment.getByte(edge - 10));
            assertEquals(0x11, segment.getByte(edge + 9));
            assertEquals(data[100_000 + 10], segment.getByte(edge + 10));
        }

        UnsupportedOperationException tooBig = assertThrows(UnsupportedOperationException.class, segment::asByteBuffer);
        assertTrue(tooBig.getMessage().contains(Long.toString(size)), tooBig.getMessage());

        // Windows across 2^31, and windows as large as a buffer can be.
        ByteBuffer window = segment.asByteBuffer((1L << 31) - 64, 128);
        assertEquals(128, window.capacity());
        assertEquals(ByteOrder.nativeOrder(), window.order());
        assertEquals(segment.getLong((1L << 31) - 8), window.getLong(56));
        assertEquals(segment.getLong(1L << 31), window.getLong(64));
        window.putLong(72, -3);
        assertEquals(-3, segment.getLong((1L << 31) + 8));
        ByteBuffer huge = segment.asByteBuffer(GIB, Integer.MAX_VALUE);
        assertEquals(segment.getLong((1L << 31) - 8), huge.getLong((int) ((1L << 31) - 8 - GIB)));
        ByteBuffer last = segment.asByteBuffer(size - 4096, 4096);
        assertEquals(segment.getLong(size - 8), last.getLong(4088));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.asByteBuffer(1L << 31, Integer.MAX_VALUE));
    }

    @Test
    void fileBeyond4GiB() throws IOException {
        Path file = dir.resolve("four-gib");
        long size = (1L << 32) + 4096;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        MappedFileSegment segment = shm.track(MappedFileSegment.open(file));
        for (long at : new long[] {(1L << 32) - 8, (1L << 32) - 4, 1L << 32, size - 8}) {
            segment.putLong(at, ~at);
            assertEquals(~at, segment.getLong(at), "at " + at);
            assertEquals(~at, readLongFromFile(file, at), "at " + at);
        }
        // 4 GiB + 4096 as an int would be 4096: the size must not be cut to 32 bits anywhere.
        assertEquals(size, segment.size());
        assertEquals(size, segment.stat().size());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static long readLongFromFile(Path file, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(file)) {
            channel.read(buffer, position);
        }
        return buffer.getLong(0);
    }

    /** The dirty kB of this process's mappings of {@code file} (from /proc/self/smaps). */
    private static long dirtyKb(Path file) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String suffix = " " + file;
        long dirty = 0;
        boolean inside = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inside = line.endsWith(suffix);
            } else if (inside && (line.startsWith("Private_Dirty:") || line.startsWith("Shared_Dirty:"))) {
                dirty += Long.parseLong(line.substring(line.indexOf(':') + 1).trim().split("\\s+")[0]);
            }
        }
        return dirty;
    }
}
