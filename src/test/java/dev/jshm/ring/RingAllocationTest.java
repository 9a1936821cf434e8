package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.jshm.SysVSegment;
import dev.jshm.ThreadAllocations;

/** The hot paths (offer, claim, commit, poll, and the signal after a commit) allocate nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingAllocationTest {

    private SysVSegment segment;

    @AfterEach
    void close() {
        if (segment != null) {
            segment.close();
        }
    }

    @Test
    void offerClaimCommitAndPollAllocateNothing() {
        int capacity = 1 << 16;
        segment = SysVSegment.createPrivate(MessageRing.requiredSize(capacity));
        segment.remove();
        MessageRing ring = MessageRing.create(segment, capacity);
        byte[] message = new byte[256];
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        long[] sum = new long[1];
        MessageHandler handler = (type, buffer, offset, length) -> sum[0] += buffer.get(offset) + length;
        Runnable round = () -> {
            for (int i = 0; i < 100; i++) {
                ring.offer(1, message, 0, 32 + (i & 127));
                int index = ring.claim(2, 16);
                ring.buffer().putLong(index, i);
                ring.commit(index);
                ring.offer(3, direct.clear());
            }
            ring.poll(handler, Integer.MAX_VALUE);
            ring.poll(handler, Integer.MAX_VALUE);
        };
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT compiles and scalar-replaces
            round.run();
        }
        long thread = Thread.currentThread().getId();
        long before = ThreadAllocations.of(thread);
        for (int i = 0; i < 2_000; i++) {
            round.run();
        }
        long allocated = ThreadAllocations.of(thread) - before;
        assertTrue(sum[0] != 0);
        assertEquals(0, ring.size(), "everything was consumed");
        // 600,000 messages: a byte per message would be 600 KB. The bean itself may allocate a little.
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 600,000 messages");
    }
}
