package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.internal.Secrets;
import dev.jshm.ring.MessageHandler;
import dev.jshm.ring.MessageRing;
import dev.jshm.ring.ProducerMode;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.LockCorruptedException;
import dev.jshm.sync.RobustLock;
import dev.jshm.sync.SignalBlock;

/**
 * Heal and report for the protocols on shared memory, one call at a time, in this JVM (see
 * {@link SegmentFaultTest}): after a truncation, every method of a {@link MessageRing}, a
 * {@link SignalBlock} and a {@link RobustLock} that touches the cut-off memory throws
 * {@link SegmentFaultException} naming itself, never a value read from the zero pages, and never
 * a {@code RingCorruptedException}, {@link LockCorruptedException} or "not claimed" error made
 * from them. The threaded runs against another process are {@link TruncationStressTest}.
 */
class ProtocolFaultTest {

    private static final int SIZE = 1 << 20;
    private static final int KEPT = 8192;
    private static final int CAPACITY = 64 * 1024;
    private static final MessageHandler IGNORE = (type, buffer, index, length) -> { };

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    Path dir;

    @Test
    void everyRingMethodReportsTheTruncationOnAPosixObject() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            assertEveryRingMethodReports(segment, Path.of("/dev/shm" + name));
        }
    }

    @Test
    void everyRingMethodReportsTheTruncationOnAFile() throws Exception {
        Path file = dir.resolve("ring");
        try (MappedFileSegment segment = MappedFileSegment.create(file, SIZE)) {
            assertEveryRingMethodReports(segment, file);
        }
    }

    /**
     * A poll that finds a zero length at the head takes the short path, which must check the
     * backing too: the zeros of a cut-off ring are not an empty ring.
     */
    @Test
    void anEmptyPollOfACutOffRingReportsTheTruncation() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            assertAnEmptyPollReports(segment, Path.of("/dev/shm" + name));
        }
        Path file = dir.resolve("empty-ring");
        try (MappedFileSegment segment = MappedFileSegment.create(file, SIZE)) {
            assertAnEmptyPollReports(segment, file);
        }
    }

    private static void assertAnEmptyPollReports(Segment segment, Path file) throws Exception {
        MessageRing ring = MessageRing.create(segment, 64 * 1024, CAPACITY, ProducerMode.SINGLE);
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        assertEquals(1, ring.poll(IGNORE, 10));
        assertEquals(0, ring.poll(IGNORE, 10), "empty before the cut");
        cut(file);
        SegmentFaultException e = assertThrows(SegmentFaultException.class, () -> ring.poll(IGNORE, 10));
        assertTrue(e.getMessage().startsWith("poll of MessageRing(SINGLE"), e.getMessage());
    }

    private static void assertEveryRingMethodReports(Segment segment, Path file) throws Exception {
        MessageRing ring = MessageRing.create(segment, 64 * 1024, CAPACITY, ProducerMode.MANY);
        byte[] message = new byte[100];
        assertTrue(ring.offer(1, message, 0, message.length));
        int claimed = ring.claim(1, 16);
        int claimedToAbort = ring.claim(1, 16);
        cut(file);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("offer", () -> ring.offer(1, message, 0, message.length));
        calls.put("claim", () -> ring.claim(1, 8));
        // The claim marks read 0 on the zero pages: "not claimed" is what the memory says.
        calls.put("commit", () -> ring.commit(claimed));
        calls.put("abort", () -> ring.abort(claimedToAbort));
        calls.put("offerBatch", () -> ring.offerBatch(1, ByteBuffer.allocate(8), ByteBuffer.allocate(8)));
        calls.put("poll", () -> ring.poll(IGNORE, 10));
        calls.put("drain", () -> ring.drain(IGNORE));
        calls.put("await", () -> ring.await(Duration.ofSeconds(30)));
        calls.put("unblock", () -> ring.unblock(Duration.ofMillis(1)));
        calls.put("tailPosition", ring::tailPosition);
        calls.put("headPosition", ring::headPosition);
        calls.put("waiters", ring::waiters);
        calls.put("producerHeartbeat", ring::producerHeartbeat);
        calls.put("consumerPid", ring::consumerPid);
        calls.put("heartbeatConsumer", ring::heartbeatConsumer);
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            SegmentFaultException e = assertThrows(SegmentFaultException.class, call.getValue(), call.getKey());
            assertTrue(e.getMessage().startsWith(call.getKey() + " of MessageRing(MANY"), e.getMessage());
            assertTrue(e.getMessage().contains("faulted: the memory from offset "), e.getMessage());
        }
        // A second attach reads the cut-off header as zeros: a truncation, not "no ring there".
        SegmentFaultException attach = assertThrows(SegmentFaultException.class, () -> MessageRing.attach(segment, 64 * 1024));
        assertTrue(attach.getMessage().startsWith("attach of the ring at offset 65536: its header was cut off by a truncation"),
                attach.getMessage());
        assertEquals(1, attach.getSuppressed().length, "the format error it explains");
        SignalBlock block = new SignalBlock(segment, ring.futexOffset());
        Map<String, Executable> blockCalls = new LinkedHashMap<>();
        blockCalls.put("signal", block::signal);
        blockCalls.put("word", block::word);
        blockCalls.put("announce", block::announce);
        blockCalls.put("sleepers", block::sleepers);
        FutexIdleStrategy idle = new FutexIdleStrategy(block, 0, 0, Duration.ofSeconds(30));
        blockCalls.put("idle", () -> idle.idle(0));
        for (Map.Entry<String, Executable> call : blockCalls.entrySet()) {
            SegmentFaultException e = assertThrows(SegmentFaultException.class, call.getValue(), call.getKey());
            assertTrue(e.getMessage().contains(" of SignalBlock(offset=" + ring.futexOffset() + ")"), e.getMessage());
        }
    }

    /**
     * The ring's head is on a page that is cut off and its tail on one that is not: the head
     * reads 0, more than a capacity behind the tail, which a consumer would call corrupt. It is
     * a truncation, and reported as one.
     */
    @Test
    void aHeadCutOffBehindItsTailIsATruncationNotACorruptRing() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
            int capacity = MessageRing.MIN_CAPACITY_BYTES;
            // The header's tail line (at 128) ends the kept page; its head line (at 256) starts the next one.
            long offset = KEPT - 192;
            MessageRing ring = MessageRing.create(segment, offset, capacity, ProducerMode.SINGLE);
            byte[] message = new byte[ring.maxMessageLength() / 2];
            while (ring.tailPosition() <= 2L * capacity) {
                assertTrue(ring.offer(1, message, 0, message.length));
                ring.drain(IGNORE);
            }
            ring.offer(1, message, 0, message.length);
            ring.unblock(Duration.ofMillis(1)); // the head is not blocked: nothing to note
            cut(Path.of("/dev/shm" + name));
            SegmentFaultException e = assertThrows(SegmentFaultException.class, () -> ring.unblock(Duration.ofMillis(1)));
            assertTrue(e.getMessage().startsWith("unblock of MessageRing"), e.getMessage());
            assertTrue(e.getMessage().contains("the memory from offset " + KEPT + " on"), e.getMessage());
        }
    }

    /**
     * A thread waiting for the lock in the C library when the lock is cut off: its next look
     * at the lock (within one poll period) reads zeros, which the C code takes for a free lock.
     * Only the check after the native call tells it that it acquired nothing.
     */
    @Test
    void aWaiterBlockedInTheCLibraryLearnsOfTheTruncation() throws Exception {
        for (boolean timed : new boolean[] {false, true}) {
            String name = shm.newName();
            try (PosixSegment segment = PosixSegment.create(name, SIZE)) {
                RobustLock lock = RobustLock.initialize(segment, KEPT + 64);
                lock.lock();
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> timed
                        ? lock.tryLock(Duration.ofSeconds(30))
                        : lockAndSay(lock));
                // Until the waiter sleeps in the C library: it has set the waiters flag.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (segment.atomics().getLongVolatile(KEPT + 64) == Secrets.segmentMemory().lockSelf()) {
                    assertTrue(System.nanoTime() < deadline, "the waiter never waited");
                    Thread.sleep(1);
                }
                Thread.sleep(20);
                cut(Path.of("/dev/shm" + name));
                ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
                assertEquals(SegmentFaultException.class, e.getCause().getClass(), () -> String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().startsWith((timed ? "tryLock" : "lock") + "(offset=" + (KEPT + 64)
                        + ", length=16) of "), e.getCause().getMessage());
                SegmentFaultException unlock = assertThrows(SegmentFaultException.class, lock::unlock);
                assertTrue(unlock.getMessage().startsWith("unlock() of RobustLock at offset " + (KEPT + 64)), unlock.getMessage());
                // The holder's slot is free again: nothing is held.
                assertThrows(SegmentFaultException.class, lock::lock);
                assertThrows(SegmentFaultException.class, lock::tryLock);
                assertThrows(SegmentFaultException.class, lock::isHeldByCurrentThread);
                assertThrows(SegmentFaultException.class, () -> RobustLock.attach(segment, KEPT + 64));
            }
        }
    }

    private static boolean lockAndSay(RobustLock lock) {
        lock.lock();
        return true;
    }

    private static void cut(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(KEPT);
        }
    }
}
