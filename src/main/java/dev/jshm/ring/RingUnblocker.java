package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;
import static dev.jshm.ring.RecordDescriptor.ALIGNMENT;
import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RecordDescriptor.isAligned;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The consumer's way past claims whose producers stopped before committing them
 * ({@link MessageRing#unblock}, {@link MessageRing#unblockAfter}): it remembers when it first
 * saw the head blocked and, once the timeout has passed since, turns every claim made before
 * that sighting into padding. The consumer's thread only, like {@link RingConsumer}, which owns
 * this object and checks the ring's backing after each call.
 *
 * <p>Every length it steps over is checked before it becomes a step, and it never steps further
 * than the tail it saw, at most one capacity past the head: a corrupt ring makes it throw, not
 * loop or reach outside the record area.
 */
final class RingUnblocker {

    private final AbstractMessageRing ring;
    /** When this consumer first saw the head blocked, or -1; claims below {@link #blockedTail} are older. */
    private long blockedSinceMillis = -1;
    private long blockedTail;

    RingUnblocker(AbstractMessageRing ring) {
        this.ring = ring;
    }

    /** A timeout in milliseconds, at least 1; refuses zero and negative ones. */
    static long checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("unblock timeout " + timeout + " must be positive");
        }
        return Math.max(1, timeout.toMillis());
    }

    /**
     * Unblocks the ring at {@code head} (8-aligned, checked by the caller) if it has been
     * blocked by the same claims for longer than {@code timeoutMillis}; returns whether it did.
     */
    boolean unblock(long head, long timeoutMillis) {
        // Unblocking is rare: the ring's own fields, read once per call.
        ByteBuffer header = ring.header;
        ByteBuffer records = ring.records;
        int capacity = ring.capacity;
        int mask = ring.mask;
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        if (head >= tail || (int) INT.getAcquire(records, (int) head & mask) > 0) {
            if (head >= blockedTail) {
                blockedSinceMillis = -1;
            }
            return false;
        }
        if (!isAligned(tail) || tail - head > capacity) {
            throw ring.corrupt("unblock", "tail", head, tail, "not a multiple of " + ALIGNMENT + " at most capacity "
                    + capacity + " ahead of head " + head);
        }
        long now = RingHeartbeats.clockMillis();
        if (blockedSinceMillis < 0 || head >= blockedTail) {
            // First sighting: every claim below this tail was made before now.
            blockedSinceMillis = now;
            blockedTail = tail;
            return false;
        }
        if (now - blockedSinceMillis <= timeoutMillis) {
            return false;
        }
        // At most one capacity past the head: each step below is at least 8 bytes, so this loop
        // ends after capacity / 8 steps whatever the records say.
        long limit = Math.min(blockedTail, head + capacity);
        boolean unblocked = false;
        long position = head;
        while (position < limit) {
            int recordIndex = (int) position & mask;
            int room = (int) Math.min(limit - position, capacity - recordIndex);
            int length = (int) INT.getAcquire(records, recordIndex);
            if (length > 0) {
                break;
            }
            int extent;
            if (length < 0) {
                extent = RecordDescriptor.claimExtent(length, capacity - recordIndex);
                if (extent < 0) {
                    throw ring.corrupt("unblock", "claim length", position, length, "not a claim of at least " + HEADER_LENGTH
                            + " bytes that ends before the end of the record area");
                }
            } else {
                // Nothing written yet: the claim reaches up to the next record that has a length
                // (many producers: free space is zero; one producer marks its claim before the
                // tail moves, so a 0 here was written by another process: the steps stay bounded).
                extent = ALIGNMENT;
                while (extent < room && (int) INT.getAcquire(records, recordIndex + extent) == 0) {
                    extent += ALIGNMENT;
                }
            }
            ring.putRecordHeader(recordIndex, extent, PADDING_TYPE);
            unblocked = true;
            position += extent;
        }
        return unblocked;
    }
}
