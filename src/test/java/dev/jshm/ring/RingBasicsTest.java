package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.MappedFileSegment;
import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;

/** The ring in one process: the protocol, its edges and its failure modes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingBasicsTest {

    private final List<Segment> segments = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeSegments() {
        segments.forEach(Segment::close);
    }

    /** A private System V segment, removed at once: it goes when this process detaches. */
    private SysVSegment segment(long size) {
        SysVSegment segment = SysVSegment.createPrivate(size);
        segment.remove();
        segments.add(segment);
        return segment;
    }

    private MessageRing ring(int capacity, ProducerMode mode) {
        return MessageRing.create(segment(MessageRing.requiredSize(capacity)), 0, capacity, mode);
    }

    record Message(int type, byte[] bytes) {
    }

    /** Collects copies of what it receives. */
    static final class Collector implements MessageHandler {
        final List<Message> messages = new ArrayList<>();

        @Override
        public void onMessage(int msgTypeId, ByteBuffer buffer, int offset, int length) {
            byte[] bytes = new byte[length];
            buffer.get(offset, bytes);
            messages.add(new Message(msgTypeId, bytes));
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 17 + i);
        }
        return b;
    }

    /** Short messages are copied 8 bytes at a time, the rest by the buffer: every length and source offset. */
    @Test
    void everyLengthAndSourceOffsetArrivesExactly() {
        for (ProducerMode mode : ProducerMode.values()) {
            MessageRing ring = ring(8192, mode);
            byte[] source = bytes(200, 9);
            Collector c = new Collector();
            for (int length = 0; length <= 136; length++) {
                for (int off = 0; off < 9; off++) {
                    assertTrue(ring.offer(1 + off, source, off, length), mode + " length " + length + " at " + off);
                    assertEquals(1, ring.drain(c));
                    Message m = c.messages.remove(0);
                    assertEquals(1 + off, m.type());
                    assertArrayEquals(java.util.Arrays.copyOfRange(source, off, off + length), m.bytes(),
                            mode + " length " + length + " at " + off);
                }
            }
        }
    }

    /**
     * The same from buffers, between position and limit and at an index: heap (also a slice that
     * starts inside its array) and direct, either byte order, read-only; position and limit kept.
     */
    @Test
    void everyLengthAndSourceOffsetArrivesExactlyFromABuffer() {
        byte[] source = bytes(200, 9);
        byte[] wider = new byte[source.length + 5];
        System.arraycopy(source, 0, wider, 5, source.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(source.length).put(source).clear();
        List<ByteBuffer> sources = List.of(ByteBuffer.wrap(source), ByteBuffer.wrap(wider).slice(5, source.length), direct,
                direct.duplicate().order(ByteOrder.LITTLE_ENDIAN), direct.asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN));
        for (ProducerMode mode : ProducerMode.values()) {
            MessageRing ring = ring(8192, mode);
            Collector c = new Collector();
            for (ByteBuffer buffer : sources) {
                for (int length = 0; length <= 136; length++) {
                    for (int off = 0; off < 9; off++) {
                        byte[] expected = java.util.Arrays.copyOfRange(source, off, off + length);
                        String what = mode + " " + buffer + " length " + length + " at " + off;
                        buffer.limit(off + length).position(off);
                        assertTrue(ring.offer(1 + off, buffer), what);
                        assertEquals(off, buffer.position(), what);
                        assertEquals(off + length, buffer.limit(), what);
                        buffer.clear().position(source.length - 1);
                        assertTrue(ring.offer(20 + off, buffer, off, length), what + ", at an index");
                        assertEquals(source.length - 1, buffer.position(), what + ", at an index");
                        assertEquals(source.length, buffer.limit(), what + ", at an index");
                        assertEquals(2, ring.drain(c));
                        assertEquals(List.of(1 + off, 20 + off), c.messages.stream().map(Message::type).toList(), what);
                        assertArrayEquals(expected, c.messages.remove(0).bytes(), what);
                        assertArrayEquals(expected, c.messages.remove(0).bytes(), what + ", at an index");
                    }
                }
                buffer.clear();
            }
        }
    }

    /**
     * An offer at an index checks its range against the buffer's limit, as the buffer's own
     * absolute bulk methods do, before it writes anything; the message's length is checked too.
     */
    @Test
    void anOfferAtAnIndexRefusesARangeOutsideTheLimitAndWritesNothing() {
        for (ProducerMode mode : ProducerMode.values()) {
            MessageRing ring = ring(4096, mode);
            ByteBuffer source = ByteBuffer.allocateDirect(64).limit(40);
            long tail = ring.tailPosition();
            int[][] ranges = {{-1, 8}, {0, -1}, {33, 8}, {40, 1}, {0, 41}, {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}};
            for (int[] range : ranges) {
                assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(1, source, range[0], range[1]),
                        mode + " off " + range[0] + " len " + range[1]);
            }
            ByteBuffer large = ByteBuffer.allocate(ring.maxMessageLength() + 1);
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> ring.offer(1, large, 0, large.capacity()));
            assertTrue(tooLong.getMessage().contains("message length " + large.capacity()), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ring.offer(0, source, 0, 8), "type 0");
            assertEquals(tail, ring.tailPosition(), mode + ": nothing claimed");
            assertEquals(40, source.limit());
            assertEquals(0, source.position());
            assertTrue(ring.offer(1, source, 32, 8), mode + ": the last 8 bytes before the limit");
            assertEquals(1, ring.drain(new Collector()));
        }
    }

    /** A handler forwards what it is handed into another ring, at the index and length it got. */
    @Test
    void aHandlerForwardsItsMessageIntoAnotherRing() {
        MessageRing in = ring(4096, ProducerMode.SINGLE);
        MessageRing out = ring(4096, ProducerMode.MANY);
        for (int i = 0; i < 20; i++) {
            assertTrue(in.offer(1 + i, bytes(i * 7, i), 0, i * 7));
        }
        assertEquals(20, in.drain((type, buffer, offset, length) -> assertTrue(out.offer(type, buffer, offset, length))));
        Collector c = new Collector();
        assertEquals(20, out.drain(c));
        for (int i = 0; i < 20; i++) {
            assertEquals(1 + i, c.messages.get(i).type());
            assertArrayEquals(bytes(i * 7, i), c.messages.get(i).bytes(), "message " + i);
        }
    }

    /**
     * Short copies write the message and nothing after it: the bytes between a message's end and
     * its record's 8-byte boundary keep what was there, from a {@code byte[]} and from a buffer.
     */
    @Test
    void shortCopiesWriteNothingPastTheMessage() {
        MessageRing ring = ring(8192, ProducerMode.SINGLE);
        ByteBuffer area = ring.buffer();
        for (int i = 0; i < area.capacity(); i++) {
            area.put(i, (byte) 0x5a);
        }
        byte[] source = bytes(64, 3);
        for (boolean fromBuffer : new boolean[] {false, true}) {
            for (int length = 1; length <= 64; length++) {
                int record = (int) ring.tailPosition(); // no wrap: all of them fit in the area once
                assertTrue(fromBuffer ? ring.offer(1, ByteBuffer.wrap(source, 0, length)) : ring.offer(1, source, 0, length));
                int payloadEnd = record + 8 + length;
                for (int i = payloadEnd; i < record + RecordDescriptor.align(8 + length); i++) {
                    assertEquals(0x5a, area.get(i), (fromBuffer ? "buffer" : "array") + " length " + length + ": byte " + (i - payloadEnd)
                            + " after the message was written");
                }
            }
        }
    }

    @Test
    void messagesArriveWholeInOrderWithTheirTypes() {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        assertTrue(ring.offer(7, bytes(10, 1), 0, 10));
        assertTrue(ring.offer(8, ByteBuffer.wrap(bytes(0, 2))));
        assertTrue(ring.offer(9, bytes(100, 3), 20, 30));
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(bytes(64, 4)).flip().position(4);
        assertTrue(ring.offer(10, direct));
        assertEquals(4, direct.position(), "offer leaves the source's position alone");

        Collector c = new Collector();
        assertEquals(4, ring.poll(c, 10));
        assertEquals(List.of(7, 8, 9, 10), c.messages.stream().map(Message::type).toList());
        assertArrayEquals(bytes(10, 1), c.messages.get(0).bytes());
        assertArrayEquals(new byte[0], c.messages.get(1).bytes());
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes(100, 3), 20, 50), c.messages.get(2).bytes());
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes(64, 4), 4, 64), c.messages.get(3).bytes());
        assertEquals(0, ring.poll(c, 10), "nothing left");
        assertEquals(ring.tailPosition(), ring.headPosition());
        assertEquals(0, ring.size());
    }

    @Test
    void pollStopsAtTheLimitAndReleasesTheHeadOncePerBatch() {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        for (int i = 0; i < 5; i++) {
            assertTrue(ring.offer(1, bytes(5, i), 0, 5));
        }
        long headBefore = ring.headPosition();
        Collector c = new Collector();
        List<Long> headsSeenByHandler = new ArrayList<>();
        assertEquals(3, ring.poll((type, buffer, offset, length) -> {
            headsSeenByHandler.add(ring.headPosition());
            c.onMessage(type, buffer, offset, length);
        }, 3));
        assertEquals(List.of(headBefore, headBefore, headBefore), headsSeenByHandler, "the head moves once, after the batch");
        assertEquals(headBefore + 3 * 16, ring.headPosition(), "3 records of 8 + 5 bytes, rounded up to 16");
        assertEquals(2, ring.drain(c));
        assertEquals(5, c.messages.size());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(bytes(5, i), c.messages.get(i).bytes());
        }
    }

    /**
     * A message alone at the head (poll's short path) and one in a batch (the short path for the
     * first message, the full poll for the rest).
     */
    @Test
    void aHandlerThatThrowsEndsThePollAndItsMessageCountsAsConsumed() {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        // The first poll beats, which takes the full poll: the ones below take the short path.
        assertEquals(0, ring.poll(new Collector(), 1));
        for (int i = 0; i < 5; i++) {
            assertTrue(ring.offer(1 + i, bytes(5, i), 0, 5));
        }
        long headBefore = ring.headPosition();
        IllegalStateException thrown = new IllegalStateException("handler");
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> ring.poll((type, buffer, offset, length) -> {
            throw thrown;
        }, 1)));
        assertEquals(headBefore + 16, ring.headPosition(), "the message the handler threw on is consumed");

        List<Integer> types = new ArrayList<>();
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> ring.poll((type, buffer, offset, length) -> {
            types.add(type);
            if (type == 3) {
                throw thrown;
            }
        }, 10)));
        assertEquals(List.of(2, 3), types);
        assertEquals(headBefore + 3 * 16, ring.headPosition(), "the message before it and the one it threw on are consumed");

        Collector c = new Collector();
        assertEquals(2, ring.drain(c));
        assertEquals(4, c.messages.get(0).type());
        assertArrayEquals(bytes(5, 4), c.messages.get(1).bytes());
    }

    @Test
    void wrapsAroundWithPaddingAndNeverSplitsAMessage() {
        MessageRing ring = ring(1024, ProducerMode.SINGLE);
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        checker.maxLength = ring.maxMessageLength();
        long seq = 0;
        long offered = 0;
        // Lengths 12..64 (longer ones skipped): records end at every offset, over many laps.
        for (int round = 0; round < 20_000; round++) {
            int burst = round % 7 + 1;
            for (int i = 0; i < burst; i++) {
                byte[] m = RingTestMessages.bytes(seq);
                if (m.length > ring.maxMessageLength()) {
                    seq++;
                    continue;
                }
                if (!ring.offer(1, m, 0, m.length)) {
                    break;
                }
                seq++;
                offered++;
            }
            ring.poll(checker, round % 5 + 1);
        }
        ring.drain(checker);
        assertEquals(offered, checker.received, "every message offered arrived");
        assertTrue(ring.tailPosition() > 500L * ring.capacity(), "the ring wrapped many times: " + ring.tailPosition());
    }

    @Test
    void aFullRingRefusesUntilTheConsumerFreesSpace() {
        MessageRing ring = ring(1024, ProducerMode.SINGLE);
        byte[] m = bytes(100, 5);
        int accepted = 0;
        while (ring.offer(1, m, 0, m.length)) {
            accepted++;
        }
        assertEquals(1024 / 112, accepted, "records of 108 bytes round up to 112");
        assertTrue(ring.size() <= ring.capacity());
        int claim = ring.claim(1, 100);
        assertEquals(-1, claim, "claim refuses too");
        assertFalse(ring.offerBatch(1, ByteBuffer.wrap(m)));
        Collector c = new Collector();
        assertEquals(1, ring.poll(c, 1));
        // 16 bytes of padding to the end, the record at index 0, and the single producer's
        // cleared header after it: 136 bytes, and the poll freed 112 + 16.
        assertFalse(ring.offer(1, m, 0, m.length), "the header after a claim must be free too");
        assertEquals(1, ring.poll(c, 1));
        assertTrue(ring.offer(1, m, 0, m.length), "space freed by the polls is reused");
        assertEquals(accepted - 1, ring.drain(c));
    }

    /**
     * One producer: the consumer leaves what it read in place (it never writes the record area)
     * and the producer clears the header after its claim. Many producers: free space is zero.
     */
    @Test
    void whoKeepsFreeSpaceReadableDependsOnTheProducerMode() {
        for (ProducerMode mode : ProducerMode.values()) {
            MessageRing ring = ring(1024, mode);
            ByteBuffer area = ring.buffer();
            assertTrue(ring.offer(3, bytes(24, 7), 0, 24));
            assertEquals(0L, area.getLong(32), mode + ": the header after the first record reads free");
            assertEquals(1, ring.poll(new Collector(), 1));
            byte[] left = new byte[24];
            area.get(8, left);
            if (mode == ProducerMode.SINGLE) {
                assertArrayEquals(bytes(24, 7), left, "the consumer wrote nothing");
                assertEquals(32, area.getInt(0), "the consumed record's header is left as it was");
            } else {
                assertArrayEquals(new byte[24], left, "the consumer zeroed what it read");
                assertEquals(0, area.getInt(0));
            }
            if (mode == ProducerMode.SINGLE) {
                // Old bytes where the next record and the header after it go: the claim writes over both.
                area.putLong(32, -1L);
                area.putLong(48, -1L);
            }
            assertTrue(ring.offer(4, bytes(8, 1), 0, 8));
            Collector c = new Collector();
            assertEquals(1, ring.drain(c));
            assertEquals(4, c.messages.get(0).type());
            assertEquals(0L, area.getLong(48), mode + ": the header after the second record reads free");
        }
    }

    @Test
    void manyProducersFillTheWholeCapacity() {
        MessageRing ring = ring(1024, ProducerMode.MANY);
        byte[] m = bytes(100, 5);
        int accepted = 0;
        while (ring.offer(1, m, 0, m.length)) {
            accepted++;
        }
        assertEquals(1024 / 112, accepted);
        Collector c = new Collector();
        assertEquals(1, ring.poll(c, 1));
        assertTrue(ring.offer(1, m, 0, m.length), "padding and record fill the space freed exactly");
        assertEquals(accepted, ring.drain(c));
    }

    @Test
    void messageArgumentsAreChecked() {
        MessageRing ring = ring(1024, ProducerMode.SINGLE);
        assertEquals(128, ring.maxMessageLength());
        assertTrue(ring.offer(1, new byte[128], 0, 128), "the longest message fits");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> ring.offer(1, new byte[129], 0, 129));
        assertTrue(tooLong.getMessage().contains("message length 129 is outside [0, 128]"), tooLong.getMessage());
        IllegalArgumentException badType = assertThrows(IllegalArgumentException.class, () -> ring.offer(0, new byte[1], 0, 1));
        assertTrue(badType.getMessage().contains("message type 0 must be at least 1"), badType.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.claim(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> ring.claim(1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(1, new byte[4], 2, 3));
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> {
            ByteBuffer[] many = new ByteBuffer[5];
            java.util.Arrays.setAll(many, i -> ByteBuffer.allocate(120));
            ring.offerBatch(1, many);
        });
        assertTrue(batch.getMessage().contains("at most 512 bytes"), batch.getMessage());
        Collector c = new Collector();
        assertEquals(1, ring.drain(c), "refused messages wrote nothing");
    }

    @Test
    void claimedMessagesAreInvisibleUntilCommittedAndAbortedOnesAreSkipped() {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        int first = ring.claim(3, 8);
        int second = ring.claim(4, 8);
        int third = ring.claim(5, 8);
        assertTrue(first >= 0 && second > first && third > second);
        ring.buffer().putLong(first, 111L);
        ring.buffer().putLong(second, 222L);
        ring.buffer().putLong(third, 333L);
        ring.commit(second);
        ring.commit(third);
        Collector c = new Collector();
        assertEquals(0, ring.poll(c, 10), "the first claim blocks the later, committed ones");
        ring.abort(first);
        assertEquals(2, ring.poll(c, 10));
        assertEquals(List.of(4, 5), c.messages.stream().map(Message::type).toList());
        assertEquals(222L, ByteBuffer.wrap(c.messages.get(0).bytes()).order(ByteOrder.nativeOrder()).getLong());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> ring.commit(second));
        assertTrue(twice.getMessage().contains("no claimed message there"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> ring.abort(first));
        assertThrows(IllegalStateException.class, () -> ring.commit(3));
        assertThrows(IllegalStateException.class, () -> ring.commit(-8));
        assertThrows(IllegalStateException.class, () -> ring.commit(1 << 20));
    }

    @Test
    void aBatchIsClaimedOnceAndBecomesVisibleAtOnce() {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        ByteBuffer[] batch = new ByteBuffer[6];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = ByteBuffer.wrap(bytes(i * 9, i));
        }
        long tailBefore = ring.tailPosition();
        assertTrue(ring.offerBatch(2, batch, 1, 4));
        long expectedBytes = 0;
        for (int i = 1; i <= 4; i++) {
            expectedBytes += (8 + i * 9 + 7) / 8 * 8;
        }
        assertEquals(tailBefore + expectedBytes, ring.tailPosition(), "one claim of the whole batch");
        for (ByteBuffer b : batch) {
            assertEquals(0, b.position(), "positions untouched");
        }
        Collector c = new Collector();
        assertEquals(4, ring.poll(c, 100));
        for (int i = 1; i <= 4; i++) {
            assertArrayEquals(bytes(i * 9, i), c.messages.get(i - 1).bytes());
            assertEquals(2, c.messages.get(i - 1).type());
        }
        assertTrue(ring.offerBatch(2), "an empty batch is accepted and writes nothing");
        assertEquals(tailBefore + expectedBytes, ring.tailPosition());
    }

    @Test
    void batchesWrapWithoutSplitting() {
        MessageRing ring = ring(1024, ProducerMode.SINGLE);
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        checker.maxLength = 64;
        long seq = 0;
        long offered = 0;
        ByteBuffer[] batch = new ByteBuffer[5];
        for (int round = 0; round < 5_000; round++) {
            int n = 0;
            long s = seq;
            while (n < round % 5 + 1) {
                if (RingTestMessages.length(s) <= 64) {
                    batch[n++] = ByteBuffer.wrap(RingTestMessages.bytes(s));
                }
                s++;
            }
            if (ring.offerBatch(1, batch, 0, n)) {
                seq = s;
                offered += n;
            }
            ring.poll(checker, 3);
        }
        ring.drain(checker);
        assertEquals(offered, checker.received);
        assertTrue(ring.tailPosition() > 50L * ring.capacity());
    }

    @Test
    void unblockSkipsAClaimThatBlockedTheRingForTheTimeout() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        assertTrue(ring.offer(1, bytes(4, 1), 0, 4));
        int dead = ring.claim(1, 40); // a producer that dies here never commits
        ring.buffer().put(dead, bytes(20, 9)); // and left half a message
        Collector c = new Collector();
        assertEquals(1, ring.drain(c));
        Thread.sleep(300);
        assertFalse(ring.isProducerAlive(Duration.ofMillis(200)));
        assertFalse(ring.unblock(Duration.ofMillis(200)), "an old heartbeat proves nothing: the first sighting starts the clock");
        Thread.sleep(100);
        assertFalse(ring.unblock(Duration.ofMillis(200)), "blocked for 100 ms only");
        Thread.sleep(150);
        assertTrue(ring.unblock(Duration.ofMillis(200)), "blocked for 250 ms: the claim is skipped");
        assertTrue(ring.offer(1, bytes(6, 2), 0, 6));
        assertEquals(1, ring.drain(c), "the half message is never delivered, the next one is");
        assertArrayEquals(bytes(6, 2), c.messages.get(1).bytes());
        assertThrows(IllegalStateException.class, () -> ring.commit(dead), "a producer that comes back cannot commit");
        assertFalse(ring.unblock(Duration.ofMillis(200)), "nothing is blocked now");
    }

    @Test
    void unblockWaitsForTheTimeoutEvenWhileProducersBeat() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        int dead = ring.claim(1, 16);
        assertTrue(ring.offer(1, bytes(3, 3), 0, 3), "a live producer commits after the dead claim");
        Collector c = new Collector();
        long start = System.nanoTime();
        boolean unblocked = false;
        while (!unblocked && System.nanoTime() - start < 5_000_000_000L) {
            ring.heartbeatProducer(); // the live producer keeps beating
            unblocked = ring.unblock(Duration.ofMillis(150));
            if (!unblocked) {
                assertEquals(0, ring.poll(c, 10), "blocked until then");
                Thread.sleep(10);
            }
        }
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(unblocked, "unblocked within 5 s");
        assertTrue(waitedMillis >= 150, "not before the consumer saw it blocked for the timeout: " + waitedMillis + " ms");
        assertEquals(1, ring.drain(c));
        assertArrayEquals(bytes(3, 3), c.messages.get(0).bytes());
        assertThrows(IllegalStateException.class, () -> ring.commit(dead));
    }

    @Test
    void unblockSkipsAClaimThatNeverWroteItsHeader() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        Segment segment = ring.segment();
        // A producer that died right after moving the tail: 48 bytes claimed, nothing written.
        long tail = ring.tailPosition();
        segment.putLong(RingDescriptor.TAIL_OFFSET, tail + 48);
        assertTrue(ring.offer(1, bytes(30, 4), 0, 30), "a later producer commits behind it");
        Collector c = new Collector();
        assertEquals(0, ring.drain(c));
        assertFalse(ring.unblock(Duration.ofMillis(100)), "first sighting starts the clock");
        Thread.sleep(150);
        assertTrue(ring.unblock(Duration.ofMillis(100)));
        assertEquals(1, ring.drain(c));
        assertArrayEquals(bytes(30, 4), c.messages.get(0).bytes());
        assertEquals(ring.tailPosition(), ring.headPosition());
    }

    @Test
    void unblockSkipsAHalfWrittenBatchWhole() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        // What offerBatch leaves when its producer dies before the commit: the first header
        // claims the whole batch (-total), the later records are written, lengths and all.
        ByteBuffer records = ring.buffer();
        long tail = ring.tailPosition();
        int total = 3 * 24;
        ring.segment().putLong(RingDescriptor.TAIL_OFFSET, tail + total);
        records.putInt(0, -total);
        records.putInt(4, 1);
        for (int i = 1; i < 3; i++) {
            records.putInt(i * 24, 8 + 16);
            records.putInt(i * 24 + 4, 1);
            records.putLong(i * 24 + 8, 1000 + i);
        }
        assertTrue(ring.offer(2, bytes(5, 5), 0, 5), "a later message behind the batch");
        Collector c = new Collector();
        assertEquals(0, ring.drain(c), "an uncommitted batch blocks");
        assertFalse(ring.unblock(Duration.ofMillis(100)));
        Thread.sleep(120);
        assertTrue(ring.unblock(Duration.ofMillis(100)));
        assertEquals(1, ring.drain(c), "none of the batch, only the message after it");
        assertEquals(2, c.messages.get(0).type());
    }

    @Test
    void unblockSkipsAnAbandonedClaimAtTheEndOfTheRing() throws Exception {
        MessageRing ring = ring(1024, ProducerMode.MANY);
        Collector c = new Collector();
        // Move to 64 bytes before the end, then let a "dead" producer claim the rest and the
        // start: a padding-less wrap that wrote nothing at all.
        byte[] filler = new byte[120];
        for (int i = 0; i < 7; i++) {
            assertTrue(ring.offer(1, filler, 0, filler.length));
        }
        assertEquals(7, ring.drain(c));
        assertEquals(1024 - 64 - 64, ring.tailPosition() & 1023);
        assertTrue(ring.offer(1, new byte[56], 0, 56));
        assertEquals(1, ring.drain(c));
        long tail = ring.tailPosition();
        ring.segment().putLong(RingDescriptor.TAIL_OFFSET, tail + 64 + 32);
        assertFalse(ring.unblock(Duration.ofMillis(100)));
        Thread.sleep(120);
        assertTrue(ring.unblock(Duration.ofMillis(100)));
        assertEquals(0, ring.drain(c));
        assertEquals(tail + 96, ring.headPosition(), "both parts of the dead claim were skipped");
        assertTrue(ring.offer(1, bytes(10, 1), 0, 10));
        assertEquals(1, ring.drain(c));
    }

    @Test
    void pollUnblocksByItselfWhenConfigured() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        ring.unblockAfter(Duration.ofMillis(50));
        ring.claim(1, 8);
        Collector c = new Collector();
        long deadline = System.nanoTime() + 5_000_000_000L;
        boolean offered = false;
        while (c.messages.isEmpty() && System.nanoTime() < deadline) {
            if (!offered) {
                offered = ring.offer(2, bytes(3, 1), 0, 3);
            }
            ring.poll(c, 10);
            Thread.onSpinWait();
        }
        assertEquals(1, c.messages.size(), "the poll skipped the dead claim by itself");
        assertEquals(2, c.messages.get(0).type());
        ring.unblockAfter(null);
        assertThrows(IllegalArgumentException.class, () -> ring.unblock(Duration.ZERO));
    }

    /**
     * A claim whose producer died before its mark leaves 0 at the head: the poll that finds it is
     * the short empty one, which must still run the automatic unblock check.
     */
    @Test
    void pollUnblocksAClaimThatNeverWroteItsHeaderByItself() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        ring.unblockAfter(Duration.ofMillis(50));
        Segment segment = ring.segment();
        segment.putLong(RingDescriptor.TAIL_OFFSET, ring.tailPosition() + 48);
        assertTrue(ring.offer(2, bytes(3, 1), 0, 3), "a later producer commits behind it");
        Collector c = new Collector();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (c.messages.isEmpty() && System.nanoTime() < deadline) {
            ring.poll(c, 10);
            Thread.onSpinWait();
        }
        assertEquals(1, c.messages.size(), "the poll skipped the dead claim by itself");
        assertEquals(2, c.messages.get(0).type());
        assertEquals(ring.tailPosition(), ring.headPosition());
    }

    /**
     * The consumer reads the clock on its first poll, on every 64th that finds a message and on
     * every 1024th that finds nothing (the two take different code): what
     * {@link MessageRing#consumerHeartbeat} promises.
     */
    @Test
    void consumersBeatOnTheirFirstPollEvery64thWithAMessageAndEvery1024thWithout() throws Exception {
        MessageRing ring = ring(65536, ProducerMode.SINGLE);
        Collector c = new Collector();
        assertEquals(0, ring.poll(c, 1));
        long first = ring.consumerHeartbeat();
        assertTrue(first > 0, "the first poll beats, an empty one too");
        Thread.sleep(3);
        for (int poll = 1; poll < 64; poll++) {
            if (poll % 2 == 0) {
                assertTrue(ring.offer(1, new byte[8], 0, 8));
            }
            ring.poll(c, 1);
        }
        assertEquals(31, c.messages.size());
        assertEquals(first, ring.consumerHeartbeat(), "polls 2 to 64 read no clock");
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        assertEquals(1, ring.poll(c, 1));
        long second = ring.consumerHeartbeat();
        assertTrue(second > first, "the 65th beats, a poll that found a message");
        Thread.sleep(3);
        for (int poll = 65; poll < 1024; poll++) {
            assertEquals(0, ring.poll(c, 1));
        }
        assertEquals(second, ring.consumerHeartbeat(), "polls 66 to 1024 found nothing and read no clock");
        assertEquals(0, ring.poll(c, 1));
        assertTrue(ring.consumerHeartbeat() > second, "the 1025th, empty, beats");
    }

    @Test
    void heartbeatsAndPidsTellWhoIsAlive() throws Exception {
        MessageRing ring = ring(1024, ProducerMode.SINGLE);
        int pid = (int) ProcessHandle.current().pid();
        assertEquals(0, ring.producerHeartbeat());
        assertEquals(0, ring.consumerPid());
        assertFalse(ring.isProducerAlive(Duration.ofDays(1)), "never beat: not alive");
        assertFalse(ring.isConsumerAlive(Duration.ofDays(1)));
        long before = MessageRing.clockMillis();
        assertTrue(ring.offer(1, new byte[1], 0, 1));
        assertEquals(pid, ring.producerPid());
        assertTrue(ring.producerHeartbeat() >= before && ring.producerHeartbeat() <= MessageRing.clockMillis());
        assertTrue(ring.isProducerAlive(Duration.ofSeconds(1)));
        assertFalse(ring.isConsumerAlive(Duration.ofSeconds(1)));
        ring.poll(new Collector(), 1);
        assertEquals(pid, ring.consumerPid());
        assertTrue(ring.isConsumerAlive(Duration.ofSeconds(1)));
        Thread.sleep(60);
        assertFalse(ring.isProducerAlive(Duration.ofMillis(30)));
        ring.heartbeatProducer();
        ring.heartbeatConsumer();
        assertTrue(ring.isProducerAlive(Duration.ofMillis(30)));
        assertTrue(ring.isConsumerAlive(Duration.ofMillis(30)));
        // The clock is CLOCK_MONOTONIC, which C reads too.
        long nanoMillis = System.nanoTime() / 1_000_000;
        assertTrue(Math.abs(MessageRing.clockMillis() - nanoMillis) <= 1);
    }

    /**
     * A producer reads the clock on its first claim, on every 64th, and on a claim that finds the
     * ring full (or needs padding), never on the others: what {@link MessageRing#producerHeartbeat}
     * promises.
     */
    @Test
    void producersBeatOnEvery64thClaimAndWhenTheRingIsFull() throws Exception {
        MessageRing ring = ring(65536, ProducerMode.SINGLE);
        Collector c = new Collector();
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        long first = ring.producerHeartbeat();
        assertTrue(first > 0, "the first claim beats");
        Thread.sleep(3);
        for (int claim = 1; claim < 64; claim++) {
            assertTrue(ring.offer(1, new byte[8], 0, 8));
        }
        assertEquals(first, ring.producerHeartbeat(), "claims 2 to 64 read no clock");
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        assertTrue(ring.producerHeartbeat() > first, "the 65th beats");
        ring.drain(c);

        byte[] large = new byte[1000];
        while (ring.offer(1, large, 0, large.length)) {
            // fill the ring
        }
        while (ring.offer(1, new byte[8], 0, 8)) {
            // and the rest of it
        }
        Thread.sleep(3);
        long beforeFull = ring.producerHeartbeat();
        assertFalse(ring.offer(1, new byte[8], 0, 8));
        assertTrue(ring.producerHeartbeat() > beforeFull, "a claim that finds the ring full beats");
    }

    @Test
    void awaitReturnsWhenAMessageIsCommittedOrTheTimeoutPasses() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        long start = System.nanoTime();
        assertFalse(ring.await(Duration.ofMillis(100)));
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 99 && waited < 3000, "waited the timeout: " + waited + " ms");
        assertEquals(1, ring.waiters(), "a consumer that timed out leaves its announcement for the next commit");
        assertTrue(ring.offer(1, new byte[1], 0, 1));
        assertEquals(0, ring.waiters(), "the commit clears it (and wakes nobody)");
        assertEquals(1, ring.drain(new Collector()));

        CountDownLatch waiting = new CountDownLatch(1);
        AtomicLong wokenAfter = new AtomicLong(-1);
        AtomicBoolean ready = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            waiting.countDown();
            long t = System.nanoTime();
            ready.set(ring.await(Duration.ofSeconds(20)));
            wokenAfter.set(System.nanoTime() - t);
        });
        consumer.start();
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ring.waiters() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(1, ring.waiters(), "the consumer announces itself");
        assertTrue(ring.offer(1, new byte[3], 0, 3));
        consumer.join(10_000);
        assertFalse(consumer.isAlive());
        assertTrue(ready.get());
        assertTrue(wokenAfter.get() < 10_000_000_000L, "woken by the commit, long before the timeout");
        assertEquals(0, ring.waiters(), "the waking commit cleared the announcement");
        assertTrue(ring.await(Duration.ofSeconds(5)), "a ready record: no wait");

        Collector c = new Collector();
        ring.drain(c);
        Thread interrupted = new Thread(() -> ready.set(ring.await(Duration.ofSeconds(20))));
        interrupted.start();
        Thread.sleep(50);
        interrupted.interrupt();
        interrupted.join(10_000);
        assertFalse(interrupted.isAlive(), "an interrupt ends the wait");
        assertFalse(ready.get());
    }

    @Test
    void aBlockingConsumerReceivesEverythingAProducerThreadSends() throws Exception {
        MessageRing ring = ring(8192, ProducerMode.SINGLE);
        int count = 200_000;
        Thread producer = new Thread(() -> {
            IdleStrategy idle = new YieldingIdleStrategy();
            for (long seq = 0; seq < count; seq++) {
                byte[] m = RingTestMessages.bytes(seq);
                while (!ring.offer(1, m, 0, m.length)) {
                    idle.idle(0);
                }
                if (seq % 10_000 == 0) {
                    try {
                        Thread.sleep(1); // let the consumer run dry and block
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        producer.start();
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        IdleStrategy idle = ring.futexIdleStrategy();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (checker.received < count && System.nanoTime() < deadline) {
            idle.idle(ring.poll(checker, 256));
        }
        producer.join(10_000);
        assertEquals(count, checker.received);
    }

    @Test
    void everyKindOfSegmentHoldsRingsAtAnyAlignedOffset() throws Exception {
        long size = 4096 + MessageRing.requiredSize(2048);
        try (MappedFileSegment file = MappedFileSegment.create(dir.resolve("rings"), size)) {
            MessageRing first = MessageRing.create(file, 0, 1024, ProducerMode.SINGLE);
            MessageRing second = MessageRing.create(file, 4096, 2048, ProducerMode.MANY);
            assertTrue(first.offer(1, bytes(5, 1), 0, 5));
            assertTrue(second.offer(2, bytes(6, 2), 0, 6));
            MessageRing again = MessageRing.attach(file, 4096);
            assertEquals(ProducerMode.MANY, again.producerMode());
            assertEquals(2048, again.capacity());
            Collector c = new Collector();
            assertEquals(1, again.poll(c, 10));
            assertEquals(1, MessageRing.attach(file).poll(c, 10));
            assertArrayEquals(bytes(6, 2), c.messages.get(0).bytes());
            assertArrayEquals(bytes(5, 1), c.messages.get(1).bytes());
            IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                    () -> MessageRing.create(file, 4100, 1024, ProducerMode.SINGLE));
            assertTrue(misaligned.getMessage().contains("not 8-byte aligned"), misaligned.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> MessageRing.create(file, 4096, 4096, ProducerMode.SINGLE));
        }
    }

    /** The README's sample, as written there, and its note that a 64 KiB segment is too small for a 64 KiB ring. */
    @Test
    void theReadmeSampleRunsAndRequiredSizeIsWhatARingNeeds() {
        int capacity = 1 << 16;
        String name = "/jshm-readme-ring-" + ProcessHandle.current().pid();
        long orderId = 42;
        long price = 1_000_001;
        byte[] payload = bytes(5, 3);
        List<String> handled = new ArrayList<>();
        try (PosixSegment segment = PosixSegment.create(name, MessageRing.requiredSize(capacity))) {
            MessageRing ring = MessageRing.create(segment, capacity);
            int index = ring.claim(1, 16);
            if (index >= 0) {
                ring.buffer().putLong(index, orderId).putLong(index + 8, price);
                ring.commit(index);
            }
            ring.offer(1, payload, 0, payload.length);
            ring.poll((type, buffer, offset, length) -> handled.add(length == 16
                    ? buffer.getLong(offset) + "@" + buffer.getLong(offset + 8) : "bytes:" + length), 100);
        } finally {
            PosixSegment.unlink(name);
        }
        assertEquals(List.of("42@1000001", "bytes:5"), handled);
        SysVSegment small = segment(capacity);
        assertThrows(IndexOutOfBoundsException.class, () -> MessageRing.create(small, capacity),
                "a segment of exactly the capacity has no room for the header");
    }

    @Test
    void aRingOnAClosedSegmentRefusesEverything() {
        SysVSegment segment = segment(MessageRing.requiredSize(1024));
        MessageRing ring = MessageRing.create(segment, 1024);
        assertSame(segment, ring.segment());
        segment.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ring.offer(1, new byte[1], 0, 1));
        assertTrue(e.getMessage().startsWith("Already closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ring.offer(1, ByteBuffer.allocate(8)));
        assertThrows(IllegalStateException.class, () -> ring.offer(1, ByteBuffer.allocate(8), 0, 8));
        assertThrows(IllegalStateException.class, () -> ring.poll(new Collector(), 1));
        assertThrows(IllegalStateException.class, () -> ring.claim(1, 1));
        assertThrows(IllegalStateException.class, ring::headPosition);
        assertThrows(IllegalStateException.class, () -> ring.await(Duration.ofMillis(1)));
    }

    @Test
    void capacitiesAreChecked() {
        assertEquals(512 + 1024, MessageRing.requiredSize(1024));
        assertEquals(512L + (1 << 30), MessageRing.requiredSize(1 << 30));
        for (int bad : new int[] {0, -1024, 512, 1000, 3000, 1 << 31 >>> 1 | 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageRing.requiredSize(bad));
            assertTrue(e.getMessage().contains("must be a power of two"), e.getMessage());
        }
    }
}
