package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.jshm.Segment;
import dev.jshm.SysVSegment;

/** The edges that {@link MessageRing}'s javadoc names: empty and zero arguments, closed segments, where a fault is. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingEdgesTest {

    private static final int CAPACITY = 1024;

    private final List<Segment> segments = new ArrayList<>();

    @AfterEach
    void closeSegments() {
        segments.forEach(Segment::close);
    }

    /** A private System V segment, removed at once: it goes when this process detaches. */
    private SysVSegment segment() {
        SysVSegment segment = SysVSegment.createPrivate(MessageRing.requiredSize(CAPACITY));
        segment.remove();
        segments.add(segment);
        return segment;
    }

    @Test
    void aClosedSegmentIsRefusedByCreateAndAttach() {
        SysVSegment segment = segment();
        MessageRing.create(segment, CAPACITY);
        segment.close();
        assertThrows(IllegalStateException.class, () -> MessageRing.create(segment, CAPACITY));
        assertThrows(IllegalStateException.class, () -> MessageRing.attach(segment));
    }

    @Test
    void attachRefusesANegativeOffsetAsTooSmall() {
        SysVSegment segment = segment();
        MessageRing.create(segment, CAPACITY);
        RingFormatException e = assertThrows(RingFormatException.class, () -> MessageRing.attach(segment, -8));
        assertEquals(RingFormatException.Reason.TOO_SMALL, e.reason());
    }

    @Test
    void aPollWithoutALimitHandsOverNothingAndConsumesNothing() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        assertTrue(ring.offer(1, new byte[3], 0, 3));
        List<Integer> types = new ArrayList<>();
        MessageHandler handler = (type, buffer, offset, length) -> types.add(type);
        assertEquals(0, ring.poll(handler, 0));
        assertEquals(0, ring.poll(handler, -1));
        assertEquals(0, ring.headPosition());
        assertEquals(1, ring.poll(handler, 1));
        assertEquals(List.of(1), types);
    }

    @Test
    void anEmptyBatchWritesNothingButItsTypeAndRangeAreChecked() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        ByteBuffer[] messages = {ByteBuffer.allocate(4)};
        assertTrue(ring.offerBatch(1, messages, 1, 0));
        assertTrue(ring.offerBatch(1));
        assertEquals(0, ring.tailPosition(), "nothing claimed");
        assertThrows(IllegalArgumentException.class, () -> ring.offerBatch(0, messages, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offerBatch(1, messages, 1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offerBatch(1, messages, -1, 1));
        assertEquals(0, ring.tailPosition());
    }

    @Test
    void unblockAfterTakesOnlyPositiveTimeoutsOrNull() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        assertThrows(IllegalArgumentException.class, () -> ring.unblockAfter(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ring.unblockAfter(Duration.ofMillis(-1)));
        ring.unblockAfter(Duration.ofNanos(1));
        ring.unblockAfter(null);
    }

    @Test
    void awaitTakesNoNullAndDoesNotSleepWithoutATimeout() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        assertThrows(NullPointerException.class, () -> ring.await(null));
        long start = System.nanoTime();
        assertFalse(ring.await(Duration.ZERO));
        assertFalse(ring.await(Duration.ofSeconds(-5)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "no sleep");
        assertTrue(ring.offer(1, new byte[1], 0, 1));
        assertTrue(ring.await(Duration.ZERO));
    }

    @Test
    void drainHandlesWhatIsCommittedWhileItRuns() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        assertTrue(ring.offer(1, new byte[1], 0, 1));
        List<Integer> types = new ArrayList<>();
        int handled = ring.drain((type, buffer, offset, length) -> {
            types.add(type);
            if (type == 1) {
                assertTrue(ring.offer(2, new byte[1], 0, 1)); // committed during the drain
            }
        });
        assertEquals(2, handled);
        assertEquals(List.of(1, 2), types);
    }

    @Test
    void theBufferOutlivesItsSegmentButACommitDoesNot() {
        SysVSegment segment = segment();
        MessageRing ring = MessageRing.create(segment, CAPACITY);
        int index = ring.claim(1, 8);
        ByteBuffer buffer = ring.buffer();
        segment.close();
        assertSame(buffer, ring.buffer(), "no check of the segment");
        buffer.putLong(index, 42); // lands in the retired mapping
        assertThrows(IllegalStateException.class, () -> ring.commit(index));
    }

    @Test
    void aCorruptClaimReportsItsIndexInTheRecordArea() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        assertTrue(ring.offer(1, new byte[8], 0, 8)); // the claim below starts at record index 16
        int index = ring.claim(1, 8);
        assertEquals(16 + RecordDescriptor.HEADER_LENGTH, index);
        int later = ring.claim(1, 8); // index is no longer the producer's last claim: it is read
        ring.buffer().putInt(index - RecordDescriptor.HEADER_LENGTH, -100_000);
        RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> ring.commit(index));
        assertEquals("record length", e.field());
        assertEquals(16, e.position());
        assertEquals(-100_000, e.value());
        ring.commit(later);
    }

    /**
     * The single producer commits (and aborts) its last claim from its own record of it, without
     * reading the header back: a peer's scribble over the claim mark is written over with the
     * claimed length, and the message arrives whole; a second commit is still refused.
     */
    @Test
    void theSingleProducerCommitsItsLastClaimWithoutReadingItBack() {
        MessageRing ring = MessageRing.create(segment(), CAPACITY);
        int index = ring.claim(5, 12);
        ring.buffer().putLong(index, 0x1122334455667788L).putInt(index + 8, 99);
        ring.buffer().putInt(index - RecordDescriptor.HEADER_LENGTH, -100_000); // a peer scribbles
        ring.commit(index);
        assertEquals(20, ring.buffer().getInt(index - RecordDescriptor.HEADER_LENGTH), "the claimed length, committed");
        List<Long> seen = new ArrayList<>();
        assertEquals(1, ring.poll((type, buffer, offset, length) -> {
            assertEquals(5, type);
            assertEquals(12, length);
            seen.add(buffer.getLong(offset));
        }, 10));
        assertEquals(List.of(0x1122334455667788L), seen);
        assertThrows(IllegalStateException.class, () -> ring.commit(index), "committed already");
        int aborted = ring.claim(5, 4);
        ring.buffer().putInt(aborted - RecordDescriptor.HEADER_LENGTH, 7); // reads as committed
        ring.abort(aborted);
        assertEquals(0, ring.poll((type, buffer, offset, length) -> fail("aborted"), 10), "padding, skipped");
        assertThrows(IllegalStateException.class, () -> ring.abort(aborted), "aborted already");
    }
}
