package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;
import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RecordDescriptor.align;
import static dev.jshm.ring.RecordDescriptor.isAligned;
import static dev.jshm.ring.RecordDescriptor.payloadIndex;
import static dev.jshm.ring.RecordDescriptor.typeIndex;
import static dev.jshm.ring.RingDescriptor.HEAD_CACHE_OFFSET;
import static dev.jshm.ring.RingDescriptor.HEAD_OFFSET;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Objects;

import dev.jshm.SegmentFaultException;
import dev.jshm.internal.BufferViews;
import dev.jshm.sync.SignalBlock;

/**
 * The producers' side of a ring: claiming space, writing and committing records, batches; the
 * consumer's side is {@link RingConsumer}. How a claim takes the space it found free depends on
 * the producer mode ({@link AbstractMessageRing#takeSpace}); everything else is the same.
 *
 * <p>Every position read from shared memory is checked before it indexes anything (see
 * {@link #claimSpace}), and each operation checks the ring's backing after its accesses
 * ({@link AbstractMessageRing#checkBacked}). The ring checks that its segment is open before it
 * calls any method here.
 */
final class RingProducer {

    private final AbstractMessageRing ring;
    private final ByteBuffer header;
    private final ByteBuffer records;
    /** The ring's typed views ({@link AbstractMessageRing#headerLongs} and the two after it). */
    private final LongBuffer headerLongs;
    private final LongBuffer recordLongs;
    private final IntBuffer recordInts;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private final RingHeartbeats heartbeats;
    private final SignalBlock signal;
    /** {@link AbstractMessageRing#endMarkLength()}, read on every claim. */
    private final int endMarkLength;
    /** One producer thread at a time: this object's fields below are that thread's. */
    private final boolean singleProducer;
    /**
     * The single producer's last claim that it has neither committed nor aborted (its payload
     * index, or -1) and that claim's record length: what {@link #commit} and {@link #abort} write
     * back for it without reading the record's header (see {@link #claimLength}).
     */
    private int lastClaimIndex = -1;
    private int lastClaimLength;
    /**
     * Claims so far, for the heartbeat; racy between the threads of a many-producer ring,
     * harmlessly (a lost update moves a beat by a claim).
     */
    private int claims;

    RingProducer(AbstractMessageRing ring) {
        this.ring = ring;
        this.header = ring.header;
        this.records = ring.records;
        this.headerLongs = ring.headerLongs;
        this.recordLongs = ring.recordLongs;
        this.recordInts = ring.recordInts;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxMessageLength = ring.maxMessageLength;
        this.heartbeats = ring.heartbeats;
        this.signal = ring.signal;
        this.endMarkLength = ring.endMarkLength();
        this.singleProducer = ring.producerMode() == ProducerMode.SINGLE;
    }

    boolean offer(int msgTypeId, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int index = claimRecord(msgTypeId, len, "offer");
        if (index < 0) {
            ring.checkBacked("offer"); // "full" may have been read from zero pages
            return false;
        }
        if (len <= SmallCopy.MAX) {
            SmallCopy.copy(src, off, records, recordLongs, index, len);
        } else {
            records.put(index, src, off, len);
        }
        commitRecord(index - HEADER_LENGTH, HEADER_LENGTH + len, "offer");
        return true;
    }

    boolean offer(int msgTypeId, ByteBuffer src) {
        return offerFrom(msgTypeId, src, src.position(), src.remaining());
    }

    boolean offer(int msgTypeId, ByteBuffer src, int off, int len) {
        // As the buffer's own absolute bulk methods check their range: against its limit.
        Objects.checkFromIndexSize(off, len, src.limit());
        return offerFrom(msgTypeId, src, off, len);
    }

    /** {@code src[off, off + len)}, a range the caller checked, as one message. */
    private boolean offerFrom(int msgTypeId, ByteBuffer src, int off, int len) {
        int index = claimRecord(msgTypeId, len, "offer");
        if (index < 0) {
            ring.checkBacked("offer"); // "full" may have been read from zero pages
            return false;
        }
        if (len <= SmallCopy.MAX) {
            SmallCopy.copy(src, off, records, recordLongs, index, len);
        } else {
            records.put(index, src, off, len);
        }
        commitRecord(index - HEADER_LENGTH, HEADER_LENGTH + len, "offer");
        return true;
    }

    int claim(int msgTypeId, int length) {
        int index = claimRecord(msgTypeId, length, "claim");
        if (singleProducer && index >= 0) {
            lastClaimIndex = index;
            lastClaimLength = HEADER_LENGTH + length;
        }
        // Before the caller writes at the index, or takes -1 for a full ring: neither may come
        // from zero pages.
        ring.checkBacked("claim");
        return index;
    }

    /**
     * Claims a record for a message and writes its header (claim mark and type); returns the
     * payload's index or -1 when full. The caller checks the ring's backing after its last
     * access, in both cases.
     */
    private int claimRecord(int msgTypeId, int length, String operation) {
        checkMessage(msgTypeId, length);
        int recordLength = HEADER_LENGTH + length;
        int recordIndex = claimSpace(align(recordLength), RecordDescriptor.header(-recordLength, msgTypeId), operation);
        // takeSpace ordered the claim mark before the caller's writes of the message.
        return recordIndex < 0 ? -1 : payloadIndex(recordIndex);
    }

    void commit(int index) {
        int length = claimLength(index, "commit");
        commitRecord(index - HEADER_LENGTH, length, "commit");
    }

    void abort(int index) {
        int length = claimLength(index, "abort");
        ring.putRecordHeader(index - HEADER_LENGTH, length, PADDING_TYPE);
        signal("abort");
        ring.checkBacked("abort");
    }

    boolean offerBatch(int msgTypeId, ByteBuffer[] messages, int from, int count) {
        Objects.checkFromIndexSize(from, count, messages.length);
        if (count == 0) {
            checkMessage(msgTypeId, 0);
            return true; // touches no shared memory
        }
        long total = 0;
        for (int i = from; i < from + count; i++) {
            int length = messages[i].remaining();
            checkMessage(msgTypeId, length);
            total += align(HEADER_LENGTH + length);
        }
        if (total > RingDescriptor.maxBatchLength(capacity)) {
            throw new IllegalArgumentException("offerBatch of " + count + " messages (" + total + " bytes with headers) to " + ring
                    + ": a batch may take at most " + RingDescriptor.maxBatchLength(capacity) + " bytes");
        }
        // Until the commit, the first header claims the whole batch: unblocking it skips all of it.
        int first = claimSpace((int) total, RecordDescriptor.header((int) -total, msgTypeId), "offerBatch");
        if (first < 0) {
            ring.checkBacked("offerBatch");
            return false;
        }
        int recordIndex = first;
        for (int i = from; i < from + count; i++) {
            ByteBuffer message = messages[i];
            int length = message.remaining();
            INT.set(records, typeIndex(recordIndex), msgTypeId);
            records.put(payloadIndex(recordIndex), message, message.position(), length);
            if (recordIndex != first) {
                // Plain: the release store of the first length below publishes it.
                INT.set(records, recordIndex, HEADER_LENGTH + length);
            }
            recordIndex += align(HEADER_LENGTH + length);
        }
        commitRecord(first, HEADER_LENGTH + messages[from].remaining(), "offerBatch");
        return true;
    }

    private void checkMessage(int msgTypeId, int length) {
        // Two branches, not three: a negative length compares above the maximum, unsigned.
        if (msgTypeId < 1 | Integer.compareUnsigned(length, maxMessageLength) > 0) {
            throw badMessage(msgTypeId, length);
        }
    }

    /** Out of line, so that the check stays small in the claims it is inlined into. */
    private IllegalArgumentException badMessage(int msgTypeId, int length) {
        return msgTypeId < 1
                ? new IllegalArgumentException("message type " + msgTypeId + " must be at least 1 (" + ring + ")")
                : new IllegalArgumentException("message length " + length + " is outside [0, " + maxMessageLength + "] for " + ring);
    }

    /**
     * Reserves {@code required} bytes (a multiple of 8, at most half the capacity) at one
     * contiguous index, after a padding record when they do not fit before the end of the area,
     * and writes {@code claimHeader} (the negative claim length and the type) into the first
     * header there. Returns the index or -1 when the ring is full.
     *
     * <p>Positions read from shared memory are checked before use: the tail must be 8-aligned,
     * and the head at most {@code capacity} behind it and never ahead of it. A tail read before
     * another producer moved it may trail the head; such a stale tail is read again (it changed),
     * and only a tail that reads the same twice behind the head is corrupt.
     */
    private int claimSpace(int required, long claimHeader, String operation) {
        // Two plain loads and an acquire fence: the loads are ordered before everything that
        // follows, as two acquire loads would be (the fence pairs with the release fence before
        // the tail store of the producer that moved it last, see takeSpace), and the second load
        // reuses the first one's checks of the header's view, where a second acquire load checks
        // the buffer and its alignment again after the first one's barrier. The fence is a
        // barrier the JIT keeps in every call, so neither load is hoisted out of a caller's loop.
        // Aligned long loads of direct memory are single-copy atomic on 64-bit platforms.
        long head = headerLongs.get(HEAD_CACHE_OFFSET >>> 3);
        long tail = headerLongs.get(TAIL_OFFSET >>> 3);
        VarHandle.acquireFence();
        // Little compiled code on the common path, so that the JIT inlines it into offer and
        // claim (above about 2.5 KB of machine code it calls it instead, and a call here cost a
        // 32-byte offer about a fifth of its time). The same limit decides whether a caller's
        // loop inlines the ring's claim: compiled with everything it inlines, the claim is about
        // 1.2 KB on JDK 17 (x86-64), each check of a view adding its own exit, which is why these
        // loads are plain, through the typed view, and the segment's open check is the ring's.
        // The common case: no heartbeat due, an aligned tail, no padding needed, room by the cached head, and (many
        // producers) no other producer between the read of the tail and the swap. Everything else
        // goes the long way, from the start.
        int tailIndex = (int) tail & mask;
        long used = tail - head;
        if ((claims++ & (RingHeartbeats.BEAT_INTERVAL - 1)) != 0 && isAligned(tail) && required <= capacity - tailIndex
                && used >= 0 && used <= capacity - (required + endMarkLength)
                && ring.takeSpace(tail, tailIndex, 0, tailIndex, required, claimHeader) == tail) {
            return tailIndex;
        }
        return claimSpaceSlowly(required, claimHeader, operation);
    }

    /**
     * {@link #claimSpace} when a heartbeat is due (every {@value RingHeartbeats#BEAT_INTERVAL}th
     * claim), padding is needed, the cached head says full, a position is odd, or another producer
     * won.
     */
    private int claimSpaceSlowly(int required, long claimHeader, String operation) {
        heartbeats.producerIfNewMillis();
        long head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        int tailIndex;
        int padding;
        while (true) {
            if (!isAligned(tail)) {
                throw ring.corrupt(operation, "tail", tail, tail, "not a multiple of " + RecordDescriptor.ALIGNMENT);
            }
            tailIndex = (int) tail & mask;
            int toEnd = capacity - tailIndex;
            padding = required > toEnd ? toEnd : 0;
            int needed = required + padding; // < capacity: required <= capacity / 2 and padding < required
            int taken = needed + endMarkLength;
            long used = tail - head;
            if (used < 0 || used > capacity - taken) {
                head = (long) LONG.getAcquire(header, HEAD_OFFSET);
                used = tail - head;
                if (used < 0) {
                    long again = (long) LONG.getAcquire(header, TAIL_OFFSET);
                    if (again == tail) {
                        throw ring.corrupt(operation, "tail", head, tail, "behind head " + head);
                    }
                    tail = again;
                    continue;
                }
                if (used > capacity) {
                    throw ring.corrupt(operation, "tail", head, tail, "more than capacity " + capacity + " ahead of head " + head);
                }
                if (used > capacity - taken) {
                    return -1;
                }
                LONG.setOpaque(header, HEAD_CACHE_OFFSET, head);
            }
            int start = padding != 0 ? 0 : tailIndex;
            long witness = ring.takeSpace(tail, tailIndex, padding, start, required, claimHeader);
            if (witness == tail) {
                return start;
            }
            tail = witness;
            head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        }
    }

    /**
     * Commit: the release store of the length publishes the record (it pairs with the consumer's
     * acquire load of the length: the type and payload written before it are visible with it),
     * and the signal block orders it before its read of the sleepers flag (see
     * {@link SignalBlock}). The check after it covers the whole operation: the claim, the
     * caller's writes of the message, the commit, and the signal block, which is inside the
     * ring's header ({@link SignalBlock#signalInCheckedRange}). The release store goes through
     * the ints view ({@link BufferViews#putIntRelease}; every record index is 8-aligned), whose
     * compiled code is smaller than {@code setRelease} on the byte view (see
     * {@link AbstractMessageRing#recordInts}). The signal block's fence comes after the store, so
     * the JIT does not sink it out of a caller's loop.
     */
    private void commitRecord(int recordIndex, int recordLength, String operation) {
        BufferViews.putIntRelease(recordInts, recordIndex >>> 2, recordLength);
        signal(operation);
        ring.checkBacked(operation);
    }

    /**
     * The record length of the claim at {@code index}. The single producer's last claim is
     * taken from this producer's own record of it, without reading its header: the consumer
     * spins on that cache line while it waits for the commit, and reading it back made every
     * zero-copy message fetch the line from the consumer once more before the commit's store
     * took it again. What that read protected against cannot happen to this claim: only this
     * thread writes it, and a peer that scribbled over its mark is overwritten by the length
     * claimed (an unblocking consumer turned it into padding only if the producer overran the
     * unblock timeout, which {@link MessageRing#unblock} says corrupts). Any other index (an
     * earlier claim still open, a claim of another ring object on the same memory, many
     * producers) is read and checked.
     */
    private int claimLength(int index, String operation) {
        if (index == lastClaimIndex) {
            lastClaimIndex = -1;
            return lastClaimLength;
        }
        return claimedLength(index, operation);
    }

    /**
     * Checks that {@code index} is a claimed message's; returns the record's length, read once
     * and checked (what the commit writes back, whatever the memory says afterwards).
     */
    private int claimedLength(int index, String operation) {
        int recordIndex = index - HEADER_LENGTH;
        if (recordIndex < 0 || index > capacity || !isAligned(index)) {
            throw notClaimed(index, operation);
        }
        int length = (int) INT.getAcquire(records, recordIndex);
        if (length >= 0) {
            throw notClaimed(index, operation);
        }
        int extent = RecordDescriptor.claimExtent(length, capacity - recordIndex);
        if (extent < 0 || -(long) length > HEADER_LENGTH + maxMessageLength) {
            throw ring.corrupt(operation, "record length", recordIndex, length, "not the claim of a message of at most "
                    + maxMessageLength + " bytes that fits before the end of the record area");
        }
        return -length;
    }

    private IllegalStateException notClaimed(int index, String operation) {
        ring.checkBacked(operation); // a claim mark that reads 0 may be a zero page
        return new IllegalStateException(operation + "(index=" + index + ") of " + ring
                + ": no claimed message there (never claimed, already committed or aborted, or unblocked by the consumer)");
    }

    /** Wakes sleeping consumers after a commit; the caller checks the ring's backing after it. */
    private void signal(String operation) {
        try {
            signal.signalInCheckedRange();
        } catch (SegmentFaultException e) {
            throw ring.asRing(operation, e);
        }
    }
}
