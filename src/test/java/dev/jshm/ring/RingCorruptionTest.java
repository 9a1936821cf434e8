package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;

/**
 * A peer that writes anything into the ring's memory: the ring reports a
 * {@link RingCorruptedException} naming the field and the position, and never fails otherwise
 * (no raw JDK exception, no access outside the ring, no call that does not return).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingCorruptionTest {

    private static final MessageHandler IGNORE = (type, buffer, offset, length) -> {
    };

    private final List<Segment> segments = new ArrayList<>();

    @AfterEach
    void closeSegments() {
        segments.forEach(Segment::close);
    }

    private SysVSegment segment(long size) {
        SysVSegment segment = SysVSegment.createPrivate(size);
        segment.remove();
        segments.add(segment);
        return segment;
    }

    private MessageRing ring(int capacity, ProducerMode mode) {
        return MessageRing.create(segment(MessageRing.requiredSize(capacity)), 0, capacity, mode);
    }

    @Test
    void unblockRefusesAClaimLengthOfIntegerMinValueAtOnce() throws Exception {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        int index = ring.claim(1, 8);
        ring.segment().putInt(RingDescriptor.HEADER_LENGTH + index - RecordDescriptor.HEADER_LENGTH, Integer.MIN_VALUE);
        assertFalse(ring.unblock(Duration.ofMillis(1)), "first sighting");
        Thread.sleep(5);
        long start = System.nanoTime();
        RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> ring.unblock(Duration.ofMillis(1)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "at once, not 2^32 steps");
        assertEquals("claim length", e.field());
        assertEquals(0, e.position());
        assertEquals(Integer.MIN_VALUE, e.value());
        assertTrue(e.getMessage().contains(ring.toString()) && e.getMessage().contains("claim length at position 0"),
                e.getMessage());
    }

    /**
     * A poll that finds a claim at the head pauses in proportion to the claimed length before it
     * returns; a corrupt length of Integer.MIN_VALUE would ask for 2^23 pauses (tens of
     * milliseconds each poll) without the cap.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aPollFacingAClaimOfIntegerMinValueReturnsAtOnce(ProducerMode mode) {
        MessageRing ring = ring(4096, mode);
        int index = ring.claim(1, 8);
        ring.segment().putInt(RingDescriptor.HEADER_LENGTH + index - RecordDescriptor.HEADER_LENGTH, Integer.MIN_VALUE);
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, ring.poll(IGNORE, 10), "a claim is not a message");
        }
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(1), "100 polls took " + elapsed + " ns: not bounded by the claim's length");
        assertEquals(0, ring.headPosition(), "nothing consumed");
    }

    @Test
    void aRecordLongerThanTheRoomLeftIsReportedAndNotConsumed() {
        MessageRing ring = ring(4096, ProducerMode.SINGLE);
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        assertTrue(ring.offer(1, new byte[8], 0, 8));
        Segment s = ring.segment();
        s.putInt(RingDescriptor.HEADER_LENGTH + 16, 4096 - 16); // the second record's length: past the end
        int[] seen = new int[1];
        RingCorruptedException e = assertThrows(RingCorruptedException.class,
                () -> ring.poll((type, buffer, offset, length) -> seen[0]++, 10));
        assertEquals("record length", e.field());
        assertEquals(16, e.position());
        assertEquals(1, seen[0], "the record before it was handed over");
        assertEquals(16, ring.headPosition(), "and consumed; the corrupt one was not");
        for (int bad : new int[] {Integer.MAX_VALUE, 7, 1}) {
            s.putInt(RingDescriptor.HEADER_LENGTH + 16, bad);
            assertEquals("record length", assertThrows(RingCorruptedException.class, () -> ring.poll(IGNORE, 10)).field());
        }
        s.putInt(RingDescriptor.HEADER_LENGTH + 16, 16);
        s.putInt(RingDescriptor.HEADER_LENGTH + 20, 0);
        assertEquals("record type", assertThrows(RingCorruptedException.class, () -> ring.poll(IGNORE, 10)).field());
        s.putInt(RingDescriptor.HEADER_LENGTH + 20, 1);
        assertEquals(1, ring.poll(IGNORE, 10), "repaired, it goes on");
    }

    @Test
    void impossiblePositionsAreReportedByEveryOperation() {
        MessageRing ring = ring(4096, ProducerMode.MANY);
        Segment s = ring.segment();
        s.putLong(RingDescriptor.HEAD_OFFSET, 3);
        assertEquals("head", assertThrows(RingCorruptedException.class, () -> ring.poll(IGNORE, 1)).field());
        assertEquals("head", assertThrows(RingCorruptedException.class, () -> ring.await(Duration.ofMillis(1))).field());
        assertEquals("head", assertThrows(RingCorruptedException.class, () -> ring.unblock(Duration.ofSeconds(1))).field());
        s.putLong(RingDescriptor.HEAD_OFFSET, 0);
        s.putLong(RingDescriptor.TAIL_OFFSET, 4092);
        assertEquals("tail", assertThrows(RingCorruptedException.class, () -> ring.claim(1, 8)).field());
        s.putLong(RingDescriptor.TAIL_OFFSET, 8192);
        RingCorruptedException ahead = assertThrows(RingCorruptedException.class, () -> ring.offer(1, new byte[8], 0, 8));
        assertTrue(ahead.getMessage().contains("more than capacity 4096 ahead of head 0"), ahead.getMessage());
        s.putLong(RingDescriptor.TAIL_OFFSET, -64);
        assertTrue(assertThrows(RingCorruptedException.class, () -> ring.claim(1, 8)).getMessage().contains("behind head"));
        s.putLong(RingDescriptor.TAIL_OFFSET, 0);
        int index = ring.claim(1, 8);
        s.putInt(RingDescriptor.HEADER_LENGTH + index - 8, -4000);
        assertEquals("record length", assertThrows(RingCorruptedException.class, () -> ring.commit(index)).field());
    }

    @Test
    void closingTheSegmentUnderASleepingConsumerLeavesNoLastingWaiter() throws Exception {
        String name = "/jshm-ring-close-" + ProcessHandle.current().pid();
        int capacity = 4096;
        try (PosixSegment producerSide = PosixSegment.create(name, MessageRing.requiredSize(capacity))) {
            MessageRing producer = MessageRing.create(producerSide, capacity);
            PosixSegment consumerSide = PosixSegment.open(name);
            MessageRing consumer = MessageRing.attach(consumerSide);
            AtomicLong failures = new AtomicLong();
            Thread sleeper = new Thread(() -> {
                try {
                    consumer.await(Duration.ofSeconds(30));
                } catch (IllegalStateException closed) {
                    failures.incrementAndGet();
                }
            });
            sleeper.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (producer.waiters() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, producer.waiters(), "the consumer announced itself");
            Thread.sleep(20);
            consumerSide.close();
            sleeper.join(10_000);
            assertFalse(sleeper.isAlive(), "the closed consumer returned");
            assertEquals(1, failures.get(), "with Already closed");
            assertTrue(producer.offer(1, new byte[4], 0, 4));
            assertEquals(0, producer.waiters(), "one commit later nothing is left");
        } finally {
            try {
                PosixSegment.unlink(name);
            } catch (RuntimeException gone) {
                // unlinked
            }
        }
    }

    /**
     * The fuzzer: a producer and a consumer run while a third thread writes random and
     * adversarial values of 1, 4 or 8 bytes anywhere in the ring. Every call either works or
     * throws {@link RingCorruptedException} (or, for a commit whose claim vanished, the
     * documented {@link IllegalStateException}); every call returns within a second.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aScribblingPeerNeverMakesTheRingFailOutsideItsContract(ProducerMode mode) throws Exception {
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong reported = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        for (int round = 0; round < 12; round++) {
            int capacity = 1024 << (round % 3);
            MessageRing ring = ring(capacity, mode);
            long ringBytes = MessageRing.requiredSize(capacity);
            AtomicBoolean running = new AtomicBoolean(true);
            long seed = 0x5EED_0000L + round;
            Thread producer = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                byte[] payload = new byte[ring.maxMessageLength()];
                ByteBuffer[] batch = {ByteBuffer.allocate(20), ByteBuffer.allocate(3)};
                while (running.get()) {
                    call(unexpected, reported, slowest, () -> {
                        int length = random.nextInt(ring.maxMessageLength() + 1);
                        switch (random.nextInt(3)) {
                            case 0 -> ring.offer(1 + random.nextInt(4), payload, 0, length);
                            case 1 -> ring.offerBatch(2, batch);
                            default -> {
                                int index = ring.claim(3, length);
                                if (index >= 0) {
                                    ring.buffer().put(index, payload, 0, length);
                                    if (random.nextInt(5) == 0) {
                                        ring.abort(index);
                                    } else {
                                        ring.commit(index);
                                    }
                                }
                            }
                        }
                    });
                }
            });
            Thread consumer = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(~seed);
                long[] sum = new long[1];
                MessageHandler reader = (type, buffer, offset, length) -> {
                    for (int i = 0; i < length; i++) {
                        sum[0] += buffer.get(offset + i);
                    }
                };
                while (running.get()) {
                    call(unexpected, reported, slowest, () -> {
                        switch (random.nextInt(8)) {
                            case 0 -> ring.unblock(Duration.ofMillis(1));
                            case 1 -> ring.await(Duration.ofMillis(1));
                            case 2 -> ring.size();
                            default -> ring.poll(reader, 1 + random.nextInt(32));
                        }
                    });
                }
            });
            producer.start();
            consumer.start();
            SplittableRandom random = new SplittableRandom(seed * 31);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
            Segment s = ring.segment();
            while (System.nanoTime() < end) {
                long at = random.nextLong(ringBytes - 8);
                long value = adversarial(random, capacity);
                switch (random.nextInt(4)) {
                    case 0 -> s.putByte(at, (byte) value);
                    case 1 -> s.putInt(at & ~3L, (int) value);
                    case 2 -> s.putLong(at & ~7L, value);
                    default -> s.putLong(new long[] {RingDescriptor.TAIL_OFFSET, RingDescriptor.HEAD_OFFSET,
                            RingDescriptor.HEAD_CACHE_OFFSET}[random.nextInt(3)], value);
                }
                LockSupport.parkNanos(random.nextInt(200_000));
            }
            running.set(false);
            producer.join(10_000);
            consumer.join(10_000);
            assertFalse(producer.isAlive() || consumer.isAlive(), "both threads returned");
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected failures: " + unexpected);
        assertTrue(reported.get() > 0, "the scribbles were noticed: " + reported);
        assertTrue(slowest.get() < TimeUnit.SECONDS.toNanos(1), "slowest call: " + slowest.get() + " ns");
    }

    private static long adversarial(SplittableRandom random, int capacity) {
        long[] edges = {0, 1, -1, 4, 7, 8, -8, Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE,
                capacity, capacity - 8, capacity + 8, -capacity};
        return switch (random.nextInt(3)) {
            case 0 -> edges[random.nextInt(edges.length)];
            case 1 -> capacity + random.nextInt(17) - 8;
            default -> random.nextLong();
        };
    }

    private static void call(ConcurrentLinkedQueue<Throwable> unexpected, AtomicLong reported, AtomicLong slowest,
                             Runnable operation) {
        long start = System.nanoTime();
        try {
            operation.run();
        } catch (RingCorruptedException e) {
            if (e.field() == null || !e.getMessage().startsWith("corrupt MessageRing(")) {
                unexpected.add(e);
            }
            reported.incrementAndGet();
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("no claimed message there")) {
                unexpected.add(e);
            }
        } catch (Throwable t) {
            unexpected.add(t);
        }
        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
    }
}
