package dev.jshm;

import static dev.jshm.TestSysV.hexKey;
import static dev.jshm.TestSysV.unusedKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.stat.SysVStat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The System V foundation, one round trip per way of creating or attaching a segment, and the
 * kernel-side state (stat, mode, owner, lock, removal) that each call should change.
 */
class SysVSegmentTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    // ---- a round trip for every way in ----------------------------------------------------------

    @Test
    void createPrivateRoundTrip() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        assertEquals(SysVSegment.IPC_PRIVATE, segment.key());
        assertEquals(0, segment.stat().key());
        assertEquals(4096, segment.size());
        assertFalse(segment.isReadOnly());

        exerciseMemory(segment);
        // Only the id reaches a private segment: a second attachment through it sees the bytes.
        try (SysVSegment second = cleanup.add(SysVSegment.openById(segment.shmid(), Access.READ_WRITE))) {
            assertSharedWith(segment, second);
        }
        closeAndRemove(segment);
    }

    @Test
    void createByKeyRoundTrip() {
        int key = unusedKey();
        // Not a multiple of the page size: the last valid offsets are inside the last page.
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 5000));
        assertEquals(key, segment.key());
        assertEquals(key, segment.stat().key());
        assertEquals(5000, segment.size());
        assertEquals(5000, segment.stat().size());
        assertEquals(segment.shmid(), SysVSegment.idOf(key));

        exerciseMemory(segment);
        try (SysVSegment second = cleanup.add(SysVSegment.open(key))) {
            assertEquals(segment.shmid(), second.shmid());
            assertSharedWith(segment, second);
        }
        closeAndRemove(segment);
    }

    @Test
    void ftokRoundTrip(@TempDir Path dir) throws IOException {
        Path file = Files.createFile(dir.resolve("segment.key"));
        int projId = unusedProjId(file);
        int key = SysVSegment.ftok(file, projId);
        assertEquals(key, SysVSegment.ftok(file, projId), "the same path and id give the same key");
        assertNotEquals(key, SysVSegment.ftok(file, projId ^ 0x01), "another project id gives another key");
        // glibc's ftok: project id in the top byte, then the low byte of the device, then the
        // low 16 bits of the inode.
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        long device = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        int expected = (projId & 0xff) << 24 | (int) (device & 0xff) << 16 | (int) (inode & 0xffff);
        assertEquals(hexKey(expected), hexKey(key));

        SysVSegment segment = cleanup.add(SysVSegment.builder().ftok(file, projId).size(4096).create());
        assertEquals(key, segment.key());
        assertEquals(key, segment.stat().key());
        exerciseMemory(segment);
        try (SysVSegment second = cleanup.add(SysVSegment.builder().ftok(file, projId).size(4096).openOrCreate().create())) {
            assertEquals(segment.shmid(), second.shmid());
            assertSharedWith(segment, second);
        }
        closeAndRemove(segment);
    }

    @Test
    void ftokRefusesAMissingPathAndProjectIdZero(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-file");
        SegmentNotFoundException notFound = assertThrows(SegmentNotFoundException.class, () -> SysVSegment.ftok(missing, 1));
        assertEquals("ENOENT", notFound.errnoName());
        assertTrue(notFound.getMessage().contains(missing.toString()), notFound.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SysVSegment.ftok(dir, 0));
        assertThrows(IllegalArgumentException.class, () -> SysVSegment.ftok(dir, 0x100));
    }

    @Test
    void openOrCreateCreatesWhenTheKeyIsNew() {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.builder().key(key).size(8192).openOrCreate().create());
        assertEquals(key, segment.key());
        SysVStat stat = segment.stat();
        assertEquals(8192, stat.size());
        assertEquals(PID, stat.cpid(), "this process created it");
        assertEquals(0600, stat.mode());
        exerciseMemory(segment);
        closeAndRemove(segment);
    }

    @Test
    void openOrCreateOpensWhenTheKeyExists() {
        int key = unusedKey();
        SysVSegment first = cleanup.add(SysVSegment.create(key, 8192));
        first.putString(100, "written by the first");
        first.putLong(8184, 0x0102030405060708L);

        SysVSegment second = cleanup.add(SysVSegment.builder().key(key).size(8192).openOrCreate().create());
        assertEquals(first.shmid(), second.shmid());
        assertEquals("written by the first", second.getString(100));
        assertEquals(0x0102030405060708L, second.getLong(8184));
        assertEquals(2, first.stat().attachments());
        exerciseMemory(second);
        assertSharedWith(second, first);

        // A smaller size is fine and attaches the whole existing segment.
        try (SysVSegment smaller = cleanup.add(SysVSegment.builder().key(key).size(100).openOrCreate().create())) {
            assertEquals(first.shmid(), smaller.shmid());
            assertEquals(8192, smaller.size());
        }
        second.close();
        closeAndRemove(first);
    }

    @Test
    void openOrCreateLargerThanTheExistingSegmentIsEinval() {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        ShmInvalidArgumentException e = assertThrows(ShmInvalidArgumentException.class,
                () -> cleanup.add(SysVSegment.builder().key(key).size(8192).openOrCreate().create()));
        assertEquals(Errors.EINVAL, e.errno());
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        assertTrue(e.getMessage().contains(hexKey(key)), e.getMessage());
        assertEquals(1, segment.stat().attachments(), "the failed call attached nothing");
        assertEquals(4096, segment.stat().size());
    }

    @Test
    void openByKeyReadWriteRoundTrip() {
        int key = unusedKey();
        SysVSegment creator = cleanup.add(SysVSegment.create(key, 4096));
        SysVSegment opened = cleanup.add(SysVSegment.open(key));
        assertEquals(creator.shmid(), opened.shmid());
        assertEquals(key, opened.key());
        assertFalse(opened.isReadOnly());
        exerciseMemory(opened);
        assertSharedWith(opened, creator);
        opened.close();
        closeAndRemove(creator);
    }

    @Test
    void openByKeyReadOnly() {
        int key = unusedKey();
        SysVSegment creator = cleanup.add(SysVSegment.create(key, 4096));
        creator.putString(0, "read me");
        creator.putLong(4088, -42L);

        SysVSegment reader = cleanup.add(SysVSegment.open(key, Access.READ_ONLY));
        assertTrue(reader.isReadOnly());
        assertEquals("read me", reader.getString(0));
        assertEquals(-42L, reader.getLong(4088));
        assertWritesRefused(reader);
        // It sees everything the writer does after it attached, byte for byte and through views.
        exerciseMemory(creator);
        assertSharedWith(creator, reader);
        byte[] written = new byte[4096];
        byte[] seen = new byte[4096];
        creator.read(0, written);
        reader.read(0, seen);
        assertArrayEquals(written, seen);
        assertEquals(creator.getDouble(4088), reader.asByteBuffer(4080, 16).getDouble(8));
        reader.close();
        closeAndRemove(creator);
    }

    @Test
    void openByIdRoundTripBothAccesses() {
        int key = unusedKey();
        SysVSegment creator = cleanup.add(SysVSegment.create(key, 4096));

        SysVSegment writer = cleanup.add(SysVSegment.openById(creator.shmid(), Access.READ_WRITE));
        assertEquals(creator.shmid(), writer.shmid());
        assertEquals(key, writer.key(), "openById learns the key from the kernel");
        exerciseMemory(writer);
        assertSharedWith(writer, creator);

        SysVSegment reader = cleanup.add(SysVSegment.openById(creator.shmid(), Access.READ_ONLY));
        assertTrue(reader.isReadOnly());
        assertSharedWith(writer, reader);
        assertWritesRefused(reader);

        assertEquals(3, creator.stat().attachments());
        reader.close();
        writer.close();
        closeAndRemove(creator);
    }

    // ---- modes and failures -------------------------------------------------------------------

    @Test
    void defaultModeIs0600() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        assertEquals(SysVSegment.DEFAULT_MODE, segment.stat().mode());
        assertEquals(0600, segment.stat().mode());
        assertEquals("rw-------", segment.stat().permissions());

        SysVSegment privateOne = cleanup.add(SysVSegment.createPrivate(4096));
        assertEquals(0600, privateOne.stat().mode());
    }

    @Test
    void builderModeIsTheSegmentsMode() {
        SysVSegment open = cleanup.add(SysVSegment.builder().key(unusedKey()).size(4096).mode(0666).create());
        assertEquals(0666, open.stat().mode());
        assertEquals("rw-rw-rw-", open.stat().permissions());

        SysVSegment group = cleanup.add(SysVSegment.builder().key(unusedKey()).size(4096).mode(0640).create());
        assertEquals(0640, group.stat().mode());
        assertEquals("rw-r-----", group.stat().permissions());

        assertThrows(IllegalArgumentException.class, () -> SysVSegment.builder().mode(01000));
        assertThrows(IllegalArgumentException.class, () -> SysVSegment.builder().mode(-1));
    }

    @Test
    void creatingAnExistingKeyThrowsSegmentExists() {
        int key = unusedKey();
        SysVSegment first = cleanup.add(SysVSegment.create(key, 4096));
        first.putString(0, "still here");

        SegmentExistsException e = assertThrows(SegmentExistsException.class, () -> cleanup.add(SysVSegment.create(key, 4096)));
        assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
        assertTrue(e.getMessage().contains(hexKey(key)), e.getMessage());
        assertEquals(Errors.EEXIST, e.errno());
        assertEquals("EEXIST", e.errnoName());
        assertTrue(e.operation().startsWith("shmget("), e.operation());

        // The same through the builder, and the first segment is untouched.
        assertThrows(SegmentExistsException.class, () -> cleanup.add(SysVSegment.builder().key(key).size(4096).create()));
        assertEquals("still here", first.getString(0));
        assertEquals(1, first.stat().attachments());
    }

    @Test
    void openingAMissingKeyThrowsSegmentNotFound() {
        int key = unusedKey();
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, () -> cleanup.add(SysVSegment.open(key)));
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        assertTrue(e.getMessage().contains(hexKey(key)), e.getMessage());
        assertEquals(Errors.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());

        assertThrows(SegmentNotFoundException.class, () -> cleanup.add(SysVSegment.open(key, Access.READ_ONLY)));
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.idOf(key));
    }

    @Test
    void openByIdOfADestroyedSegmentThrowsSegmentNotFound() {
        // The javadoc of openById promises SegmentNotFoundException "if there is no such id, or
        // its segment is gone"; Linux answers EINVAL (not ENOENT or EIDRM) for an id that is gone.
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        int shmid = segment.shmid();
        segment.remove();
        segment.close();
        assertThrows(SegmentNotFoundException.class, () -> cleanup.add(SysVSegment.openById(shmid, Access.READ_WRITE)));
        assertThrows(SegmentNotFoundException.class, () -> SysVSegment.statById(shmid));
    }

    @Test
    void openByIdAttachesASegmentMarkedForRemovalWhileItIsStillAttached() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        segment.putLong(64, 0x1234_5678_9abcL);
        segment.remove();
        assertTrue(SysVSegment.statById(segment.shmid()).removed());
        try (SysVSegment second = cleanup.add(SysVSegment.openById(segment.shmid(), Access.READ_WRITE))) {
            assertEquals(0x1234_5678_9abcL, second.getLong(64), "the same memory");
            assertEquals(4096, second.size());
        }
        segment.close();
    }

    @Test
    void theLocatorOfARemovedKeyedSegmentNamesItsIdAndStillReachesTheMemory() {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        segment.putLong(0, 77);
        assertEquals(SegmentLocator.sysvKey(key), segment.locator(), "by key while the key names it");
        SysVSegment.removeById(segment.shmid()); // as another process would (ipcrm)
        SegmentLocator locator = segment.locator();
        assertEquals(SegmentLocator.sysvId(segment.shmid()), locator, "the key no longer names it");
        // A newer segment may now own the key: the locator must not lead there.
        try (SysVSegment newer = cleanup.add(SysVSegment.create(key, 4096))) {
            try (Segment reached = locator.open(Access.READ_WRITE)) {
                assertEquals(77, reached.getLong(0), "the removed segment's memory, not the newer one's");
            }
            newer.remove();
        }
        segment.close();
        assertThrows(SegmentNotFoundException.class, () -> locator.open(Access.READ_WRITE).close(), "gone with its last attachment");
    }

    @Test
    void kernelSideCallsOnAGoneSegmentSayWhatTheJavadocSays() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        segment.remove();
        segment.close();
        assertThrows(SegmentNotFoundException.class, segment::stat);
        assertThrows(SegmentNotFoundException.class, segment::remove);
        assertThrows(SegmentNotFoundException.class, () -> segment.setMode(0600));
        assertThrows(SegmentNotFoundException.class, () -> segment.setOwner(-1, -1));
        // Every shmctl on a gone id says so the same way, SHM_LOCK and SHM_UNLOCK included.
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, segment::lock);
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("no segment has id " + segment.shmid()), e.getMessage());
        assertThrows(SegmentNotFoundException.class, segment::unlock);
    }

    @Test
    void ipcPrivateSegmentsHaveKeyZeroAndAreAlwaysNew() {
        assertEquals(0, SysVSegment.IPC_PRIVATE);
        SysVSegment a = cleanup.add(SysVSegment.createPrivate(4096));
        SysVSegment b = cleanup.add(SysVSegment.builder().key(SysVSegment.IPC_PRIVATE).size(4096).create());
        assertEquals(0, a.key());
        assertEquals(0, b.key());
        assertEquals(0, a.stat().key());
        assertEquals(0, b.stat().key());
        assertNotEquals(a.shmid(), b.shmid(), "IPC_PRIVATE never finds an existing segment");
        a.putInt(0, 1);
        b.putInt(0, 2);
        assertEquals(1, a.getInt(0));
    }

    @Test
    void sizeMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> cleanup.add(SysVSegment.createPrivate(0)));
        assertThrows(IllegalArgumentException.class, () -> cleanup.add(SysVSegment.create(unusedKey(), -1)));
        assertThrows(IllegalArgumentException.class, () -> cleanup.add(SysVSegment.builder().create()));
    }

    // ---- stat and the kernel-side operations -----------------------------------------------------

    @Test
    void statFieldsFollowAttachDetachAndRemove() {
        int key = unusedKey();
        Instant before = Instant.now().minusSeconds(2);
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 12345));
        SysVStat stat = segment.stat();
        assertEquals(key, stat.key());
        assertEquals(segment.shmid(), stat.shmid());
        assertEquals(12345, stat.size());
        assertEquals(PID, stat.cpid());
        assertEquals(PID, stat.lpid(), "the last attach was ours");
        assertEquals(TestShm.euid(), stat.uid());
        assertEquals(TestShm.egid(), stat.gid());
        assertEquals(TestShm.euid(), stat.cuid());
        assertEquals(TestShm.egid(), stat.cgid());
        assertEquals(1, stat.attachments());
        assertRecent(before, stat.attachTime());
        assertRecent(before, stat.changeTime());
        assertEquals(Instant.EPOCH, stat.detachTime(), "nothing detached yet");
        assertFalse(stat.removed());
        assertFalse(stat.locked());

        SysVSegment second = cleanup.add(SysVSegment.open(key));
        assertEquals(2, segment.stat().attachments());
        second.close();
        assertTrue(second.isClosed());
        SysVStat afterClose = segment.stat();
        assertEquals(1, afterClose.attachments(), "close() detaches");
        assertRecent(before, afterClose.detachTime());
        second.close(); // idempotent: does not detach the other attachment
        assertEquals(1, segment.stat().attachments());
        assertEquals(1, second.stat().attachments(), "stat() works after close");

        segment.putString(0, "alive after remove");
        segment.remove();
        SysVStat removed = segment.stat();
        assertTrue(removed.removed(), "marked for removal while attached");
        assertEquals(0, removed.key(), "the kernel clears the key at removal");
        assertEquals(1, removed.attachments());
        assertEquals("alive after remove", segment.getString(0), "still attached and usable");
        assertThrows(SegmentNotFoundException.class, () -> cleanup.add(SysVSegment.open(key)), "the key is free at once");
        SysVSegment reuse = cleanup.add(SysVSegment.create(key, 4096));
        assertNotEquals(segment.shmid(), reuse.shmid());

        int shmid = segment.shmid();
        segment.close();
        assertThrows(ShmException.class, () -> SysVSegment.statById(shmid), "destroyed at the last detach");
    }

    @Test
    void accessAfterCloseThrowsAndViewsNoLongerReachTheSegment() {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        SysVSegment other = cleanup.add(SysVSegment.open(key));
        ByteBuffer staleView = segment.asByteBuffer();
        segment.putInt(0, 42);
        assertEquals(42, staleView.getInt(0));

        segment.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> segment.getInt(0));
        assertTrue(e.getMessage().startsWith("Already closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> segment.putInt(0, 1));
        assertThrows(IllegalStateException.class, () -> segment.read(0, new byte[4]));
        assertThrows(IllegalStateException.class, () -> segment.getString(0));
        assertThrows(IllegalStateException.class, segment::asByteBuffer);
        assertEquals(4096, segment.size(), "size() is allowed after close");

        // A view taken before close reads private zeroes and its writes reach no one.
        assertEquals(0, staleView.getInt(0));
        staleView.putInt(0, 7);
        assertEquals(42, other.getInt(0));
        assertEquals(1, other.stat().attachments());
    }

    @Test
    void setModeIsReflectedInStat() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        segment.setMode(0640);
        assertEquals(0640, segment.stat().mode());
        assertEquals("rw-r-----", segment.stat().permissions());
        segment.setMode(0400);
        assertEquals("r--------", segment.stat().permissions());
        segment.close();
        segment.setMode(0600); // a kernel-side call: works after close
        assertEquals(0600, segment.stat().mode());
    }

    @Test
    void setModeRefusesBitsOutside0777() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> segment.setMode(01000));
        assertTrue(e.getMessage().contains("01000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> segment.setMode(02600));
        assertThrows(IllegalArgumentException.class, () -> segment.setMode(-1));
        assertEquals(0600, segment.stat().mode(), "unchanged");
        assertFalse(segment.stat().removed());
    }

    @Test
    void setOwnerWithTheCurrentIds() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        long uid = TestShm.euid();
        long gid = TestShm.egid();
        segment.setOwner((int) uid, (int) gid);
        SysVStat stat = segment.stat();
        assertEquals(uid, stat.uid());
        assertEquals(gid, stat.gid());
        assertEquals(0600, stat.mode(), "setOwner keeps the mode");
        segment.setOwner(-1, -1);
        assertEquals(uid, segment.stat().uid(), "negative ids keep the owner");
        assertEquals(gid, segment.stat().gid());
    }

    @Test
    void setOwnerToAnotherUserKeepsTheCreator() {
        Assumptions.assumeTrue(TestShm.isRoot(), "giving a segment away needs root");
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        segment.setMode(0640);
        segment.setOwner(65534, 65533);
        SysVStat stat = segment.stat();
        assertEquals(65534, stat.uid());
        assertEquals(65533, stat.gid());
        assertEquals(0, stat.cuid(), "the creator does not change");
        assertEquals(0, stat.cgid());
        assertEquals(0640, stat.mode(), "setOwner keeps the mode");
        segment.setOwner(-1, 0);
        assertEquals(65534, segment.stat().uid());
        assertEquals(0, segment.stat().gid());
    }

    @Test
    void lockAndUnlockToggleLocked() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        TestSysV.lockOrAbort(segment);
        assertTrue(segment.stat().locked());
        assertEquals(0600, segment.stat().mode(), "mode() holds only the permission bits");
        segment.unlock();
        assertFalse(segment.stat().locked());
    }

    // ---- wide segments ----------------------------------------------------------------------

    @Test
    void typedAccessAcrossTheOneGibChunkBoundary() {
        long chunk = 1L << 30;
        // Pages of System V memory are allocated on first touch: only a few are touched here.
        SysVSegment segment = cleanup.add(SysVSegment.builder().size(chunk + 4096).noReserve().create());
        segment.putLong(chunk - 4, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, segment.getLong(chunk - 4));
        assertEquals(NATIVE == ByteOrder.LITTLE_ENDIAN ? 0x11223344 : 0x55667788, segment.getInt(chunk));
        segment.putDouble(chunk + 4088, Math.E);
        assertEquals(Math.E, segment.getDouble(chunk + 4088));
        assertThrows(IndexOutOfBoundsException.class, () -> segment.getLong(chunk + 4089));

        ByteBuffer straddle = segment.asByteBuffer(chunk - 8, 16);
        assertEquals(0x1122334455667788L, straddle.getLong(4));
        straddle.putInt(12, 0x0badf00d);
        assertEquals(0x0badf00d, segment.getInt(chunk + 4));

        byte[] bytes = new byte[64];
        new Random(7).nextBytes(bytes);
        segment.write(chunk - 32, bytes);
        byte[] back = new byte[64];
        segment.read(chunk - 32, back);
        assertArrayEquals(bytes, back);
        segment.putString(chunk - 3, "über");
        assertEquals("über", segment.getString(chunk - 3));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Every access kind on a writable segment of at least 4096 bytes, at both ends. */
    private static void exerciseMemory(Segment s) {
        long size = s.size();
        assertTrue(size >= 4096, "exerciseMemory needs 4096 bytes");

        // Typed access at the start, unaligned, in the middle and at the last valid offset for
        // each width; the offsets are 10 bytes apart, so no value overlaps another.
        s.fill(0, size, (byte) 0);
        for (long offset : offsets(size, Byte.BYTES)) {
            byte value = (byte) (0x80 | offset);
            s.putByte(offset, value);
            assertEquals(value, s.getByte(offset));
        }
        assertOutOfBounds(size, Byte.BYTES, o -> s.putByte(o, (byte) 1), o -> s.getByte(o));

        for (long offset : offsets(size, Short.BYTES)) {
            short value = (short) (0xbe00 | offset & 0xff);
            s.putShort(offset, value);
            assertEquals(value, s.getShort(offset));
            assertBytes(s, offset, ByteBuffer.allocate(2).order(NATIVE).putShort(value).array());
        }
        assertOutOfBounds(size, Short.BYTES, o -> s.putShort(o, (short) 1), o -> s.getShort(o));

        for (long offset : offsets(size, Integer.BYTES)) {
            int value = 0xcafe0000 | (int) (offset & 0xffff);
            s.putInt(offset, value);
            assertEquals(value, s.getInt(offset));
            assertBytes(s, offset, ByteBuffer.allocate(4).order(NATIVE).putInt(value).array());
        }
        assertOutOfBounds(size, Integer.BYTES, o -> s.putInt(o, 1), o -> s.getInt(o));

        for (long offset : offsets(size, Long.BYTES)) {
            long value = 0x0123456789ab0000L | offset;
            s.putLong(offset, value);
            assertEquals(value, s.getLong(offset));
            assertBytes(s, offset, ByteBuffer.allocate(8).order(NATIVE).putLong(value).array());
        }
        assertOutOfBounds(size, Long.BYTES, o -> s.putLong(o, 1), o -> s.getLong(o));

        for (long offset : offsets(size, Float.BYTES)) {
            float value = -1.5e-7f * (offset + 1);
            s.putFloat(offset, value);
            assertEquals(Float.floatToRawIntBits(value), Float.floatToRawIntBits(s.getFloat(offset)));
            assertBytes(s, offset, ByteBuffer.allocate(4).order(NATIVE).putFloat(value).array());
        }
        s.putFloat(0, Float.NaN);
        assertTrue(Float.isNaN(s.getFloat(0)));
        assertOutOfBounds(size, Float.BYTES, o -> s.putFloat(o, 1f), o -> s.getFloat(o));

        for (long offset : offsets(size, Double.BYTES)) {
            double value = Math.PI * (offset + 1);
            s.putDouble(offset, value);
            assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(s.getDouble(offset)));
            assertBytes(s, offset, ByteBuffer.allocate(8).order(NATIVE).putDouble(value).array());
        }
        assertOutOfBounds(size, Double.BYTES, o -> s.putDouble(o, 1d), o -> s.getDouble(o));

        // Bulk copies, in the middle and up to the last byte.
        byte[] data = new byte[1000];
        new Random(size).nextBytes(data);
        s.write(100, data);
        byte[] back = new byte[1000];
        s.read(100, back);
        assertArrayEquals(data, back);
        byte[] part = new byte[20];
        s.read(110, part, 5, 10);
        assertArrayEquals(Arrays.copyOfRange(data, 10, 20), Arrays.copyOfRange(part, 5, 15));
        assertEquals(0, part[4]);
        assertEquals(0, part[15]);
        s.write(size - 10, data, 990, 10);
        byte[] tail = new byte[10];
        s.read(size - 10, tail);
        assertArrayEquals(Arrays.copyOfRange(data, 990, 1000), tail);
        assertThrows(IndexOutOfBoundsException.class, () -> s.write(size - 9, new byte[10]));
        assertThrows(IndexOutOfBoundsException.class, () -> s.read(size - 9, new byte[10]));
        assertThrows(IndexOutOfBoundsException.class, () -> s.write(0, data, 995, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> s.read(0, back, 995, 10));
        s.read(size - 10, tail);
        assertArrayEquals(Arrays.copyOfRange(data, 990, 1000), tail, "a refused write changes nothing");

        // Strings: ASCII, UTF-8 beyond ASCII, no NUL within maxLength, no NUL before the end.
        assertEquals(5, s.putString(1200, "hello"));
        assertEquals("hello", s.getString(1200));
        assertEquals(0, s.getByte(1205), "putString writes the NUL");
        String unicode = "Grüße, 世界 🚀 ω";
        int encoded = unicode.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(encoded, s.putString(1300, unicode));
        assertEquals(unicode, s.getString(1300));
        assertEquals(0, s.getByte(1300 + encoded));
        s.write(1400, "abcdefgh".getBytes(StandardCharsets.US_ASCII));
        s.putByte(1408, (byte) 'Z');
        s.putByte(1409, (byte) 0);
        assertEquals("abcde", s.getString(1400, 5));
        assertEquals("abcdefgh", s.getString(1400, 8));
        assertEquals("abcdefghZ", s.getString(1400, 20));
        assertEquals("", s.getString(1400, 0));
        s.write(size - 4, "tail".getBytes(StandardCharsets.US_ASCII));
        assertEquals("tail", s.getString(size - 4), "a string may end at the end of the segment");
        assertEquals("ta", s.getString(size - 4, 2));
        assertEquals("", s.getString(size));
        assertThrows(IndexOutOfBoundsException.class, () -> s.getString(size - 4, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> s.putString(size - 4, "tail"), "no room for the NUL");
        assertThrows(IllegalArgumentException.class, () -> s.putString(1500, "a\0b"));
        assertEquals(3, s.putString(size - 4, "end"));
        assertEquals("end", s.getString(size - 4));

        // fill: exactly the range.
        s.putByte(1599, (byte) 0x11);
        s.putByte(1650, (byte) 0x11);
        s.fill(1600, 50, (byte) 0x5a);
        assertEquals(0x11, s.getByte(1599));
        assertEquals(0x11, s.getByte(1650));
        byte[] filled = new byte[50];
        s.read(1600, filled);
        byte[] expected = new byte[50];
        Arrays.fill(expected, (byte) 0x5a);
        assertArrayEquals(expected, filled);
        s.fill(size - 8, 8, (byte) -1);
        assertEquals(-1L, s.getLong(size - 8));
        assertThrows(IndexOutOfBoundsException.class, () -> s.fill(size - 8, 9, (byte) 0));
        assertEquals(-1L, s.getLong(size - 8));

        // Views: native order, shared both ways, windows.
        ByteBuffer view = s.asByteBuffer();
        assertEquals(NATIVE, view.order());
        assertEquals(size, view.capacity());
        assertTrue(view.isDirect());
        assertFalse(view.isReadOnly());
        view.putInt(2000, 0x11223344);
        assertEquals(0x11223344, s.getInt(2000));
        s.putLong(2008, 0x7766554433221100L);
        assertEquals(0x7766554433221100L, view.getLong(2008));
        view.putLong((int) size - 8, 0x0f0e0d0c0b0a0908L);
        assertEquals(0x0f0e0d0c0b0a0908L, s.getLong(size - 8));

        ByteBuffer window = s.asByteBuffer(2100, 64);
        assertEquals(64, window.capacity());
        assertEquals(0, window.position());
        assertEquals(NATIVE, window.order());
        window.putShort(2, (short) 0x1234);
        assertEquals((short) 0x1234, s.getShort(2102));
        s.putDouble(2108, 6.02214076e23);
        assertEquals(6.02214076e23, window.getDouble(8));
        window.put(63, (byte) 0x77);
        assertEquals(0x77, s.getByte(2163));
        assertThrows(IndexOutOfBoundsException.class, () -> window.get(64));
        ByteBuffer end = s.asByteBuffer(size - 16, 16);
        assertEquals(0x0f0e0d0c0b0a0908L, end.getLong(8));
        assertThrows(IndexOutOfBoundsException.class, () -> s.asByteBuffer(size - 16, 17));
        assertThrows(IndexOutOfBoundsException.class, () -> s.asByteBuffer(-1, 1));
    }

    /** Start, unaligned, middle (odd) and the last valid offset for {@code width}. */
    private static long[] offsets(long size, int width) {
        return new long[] {0, 11, 21, size / 2 + 3, size - width};
    }

    private interface OffsetAccess {
        void at(long offset);
    }

    private static void assertOutOfBounds(long size, int width, OffsetAccess put, OffsetAccess get) {
        for (long offset : List.of(size - width + 1, size, -1L, Long.MIN_VALUE, Long.MAX_VALUE)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> put.at(offset),
                    "put of width " + width + " at " + offset);
            assertTrue(e.getMessage().contains("offset=" + offset), e.getMessage());
            assertTrue(e.getMessage().contains("size=" + size), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> get.at(offset), "get of width " + width + " at " + offset);
        }
    }

    private static void assertBytes(Segment s, long offset, byte[] expected) {
        byte[] actual = new byte[expected.length];
        s.read(offset, actual);
        assertArrayEquals(expected, actual, "bytes at " + offset + " in native order");
    }

    /** What {@code writer} writes now is what {@code reader} reads, and the other way round. */
    private static void assertSharedWith(SysVSegment writer, SysVSegment reader) {
        assertEquals(writer.size(), reader.size());
        assertEquals(writer.getString(1300), reader.getString(1300), "bytes written before the second attach");
        long probe = 0x5eed000000000000L | System.nanoTime() & 0xffffffffL;
        writer.putLong(3000, probe);
        assertEquals(probe, reader.getLong(3000));
        if (!reader.isReadOnly()) {
            reader.putString(3100, "back ✓");
            assertEquals("back ✓", writer.getString(3100));
        }
    }

    /** Every write path throws ReadOnlySegmentException and the memory stays as it was. */
    private static void assertWritesRefused(SysVSegment reader) {
        long size = reader.size();
        byte[] before = new byte[(int) size];
        reader.read(0, before);

        List<Executable> writes = List.of(
                () -> reader.putByte(0, (byte) 1),
                () -> reader.putShort(2, (short) 1),
                () -> reader.putInt(4, 1),
                () -> reader.putLong(8, 1L),
                () -> reader.putFloat(16, 1f),
                () -> reader.putDouble(size - 8, 1d),
                () -> reader.write(0, new byte[] {1, 2, 3}),
                () -> reader.write(0, new byte[] {1, 2, 3}, 1, 2),
                () -> reader.fill(0, size, (byte) 1),
                () -> reader.putString(0, "nope"));
        for (Executable write : writes) {
            ReadOnlySegmentException e = assertThrows(ReadOnlySegmentException.class, write);
            assertEquals(0, e.errno());
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        byte[] after = new byte[(int) size];
        reader.read(0, after);
        assertArrayEquals(before, after, "refused writes changed the memory");

        ByteBuffer view = reader.asByteBuffer();
        assertTrue(view.isReadOnly());
        assertTrue(reader.asByteBuffer(8, 8).isReadOnly());
        assertThrows(ReadOnlyBufferException.class, () -> view.putInt(0, 1));
        assertEquals(reader.getLong(8), view.getLong(8));
        assertEquals(NATIVE, view.order());
    }

    /** Marks for removal while attached, then closes: the segment is gone. */
    private static void closeAndRemove(SysVSegment segment) {
        int shmid = segment.shmid();
        segment.remove();
        assertTrue(segment.stat().removed());
        segment.close();
        assertTrue(segment.isClosed());
        assertThrows(IllegalStateException.class, () -> segment.getInt(0));
        assertThrows(ShmException.class, () -> SysVSegment.statById(shmid), "gone after the last detach");
    }

    private static void assertRecent(Instant notBefore, Instant time) {
        assertFalse(time.isBefore(notBefore), time + " is before " + notBefore);
        assertFalse(time.isAfter(Instant.now().plus(Duration.ofSeconds(2))), time + " is in the future");
    }

    /** A project id whose ftok key has no segment yet. */
    private static int unusedProjId(Path file) {
        for (int projId = 0x41; projId < 0x100; projId++) {
            try {
                SysVSegment.idOf(SysVSegment.ftok(file, projId));
            } catch (SegmentNotFoundException free) {
                return projId;
            }
        }
        throw new IllegalStateException("every ftok key of " + file + " has a segment");
    }
}
