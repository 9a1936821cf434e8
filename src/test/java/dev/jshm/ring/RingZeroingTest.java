package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.jshm.SysVSegment;

/**
 * Many producers: whatever a poll consumed is zero when it returns, whether it zeroed in steps of
 * {@link RingConsumer#ZERO_STEP} bytes as it went or all at the end, and when its handler threw;
 * nothing it did not consume is touched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingZeroingTest {

    private static final int CAPACITY = 16 * 1024;
    private static final int PAYLOAD = 200;
    /** 8 bytes of header and 200 of payload, a multiple of 8. */
    private static final int RECORD = RecordDescriptor.HEADER_LENGTH + PAYLOAD;
    private static final int MESSAGES = 60;

    private final List<SysVSegment> segments = new ArrayList<>();

    @AfterEach
    void closeSegments() {
        segments.forEach(SysVSegment::close);
    }

    private MessageRing filledRing() {
        SysVSegment segment = SysVSegment.createPrivate(MessageRing.requiredSize(CAPACITY));
        segment.remove();
        segments.add(segment);
        MessageRing ring = MessageRing.create(segment, 0, CAPACITY, ProducerMode.MANY);
        for (int i = 0; i < MESSAGES; i++) {
            assertTrue(ring.offer(1 + i, payload(i), 0, PAYLOAD));
        }
        assertTrue(MESSAGES * RECORD > 2 * RingConsumer.ZERO_STEP, "a poll of all of them zeroes in steps");
        return ring;
    }

    private static byte[] payload(int i) {
        byte[] bytes = new byte[PAYLOAD];
        for (int at = 0; at < PAYLOAD; at++) {
            bytes[at] = (byte) (i * 31 + at + 1); // never all zero
        }
        return bytes;
    }

    /** Checks each message's type and bytes, in order from {@code first}; throws at {@code throwAt}. */
    private static final class Checker implements MessageHandler {
        int next;
        final int throwAt;
        final RuntimeException thrown = new IllegalStateException("handler failed");

        Checker(int first, int throwAt) {
            this.next = first;
            this.throwAt = throwAt;
        }

        @Override
        public void onMessage(int msgTypeId, ByteBuffer buffer, int offset, int length) {
            assertEquals(1 + next, msgTypeId);
            assertEquals(PAYLOAD, length);
            byte[] got = new byte[length];
            buffer.get(offset, got);
            assertArrayEquals(payload(next), got, "message " + next);
            if (next++ == throwAt) {
                throw thrown;
            }
        }
    }

    private static void assertZero(ByteBuffer area, int from, int to) {
        for (int at = from; at < to; at++) {
            if (area.get(at) != 0) {
                throw new AssertionError("byte " + at + " of the record area is " + area.get(at) + ", not 0 (consumed: ["
                        + from + ", " + to + "))");
            }
        }
    }

    @Test
    void aPollOfManyStepsLeavesAllItConsumedZero() {
        MessageRing ring = filledRing();
        Checker checker = new Checker(0, -1);
        assertEquals(MESSAGES, ring.poll(checker, Integer.MAX_VALUE));
        assertEquals(MESSAGES, checker.next);
        assertEquals((long) MESSAGES * RECORD, ring.headPosition());
        assertZero(ring.buffer(), 0, CAPACITY);
    }

    @Test
    void aHandlerThatThrowsAfterSomeStepsLeavesWhatFollowsIntact() {
        MessageRing ring = filledRing();
        int throwAt = 24; // the 25th message: after two steps of zeroing
        assertTrue((throwAt + 1) * RECORD > 2 * RingConsumer.ZERO_STEP);
        Checker failing = new Checker(0, throwAt);
        assertSame(failing.thrown, assertThrows(IllegalStateException.class, () -> ring.poll(failing, Integer.MAX_VALUE)));
        int consumed = (throwAt + 1) * RECORD;
        assertEquals(consumed, ring.headPosition(), "the head moves past the message whose handler threw");
        ByteBuffer area = ring.buffer();
        assertZero(area, 0, consumed);
        assertEquals(RECORD, area.getInt(consumed), "the next record's header is untouched");

        Checker rest = new Checker(throwAt + 1, -1);
        assertEquals(MESSAGES - throwAt - 1, ring.poll(rest, Integer.MAX_VALUE));
        assertEquals(MESSAGES, rest.next);
        assertZero(area, 0, CAPACITY);
    }
}
