package dev.jshm.ring;

import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RecordDescriptor.align;
import static dev.jshm.ring.RecordDescriptor.isAligned;
import static dev.jshm.ring.RecordDescriptor.payloadIndex;
import static dev.jshm.ring.RecordDescriptor.typeIndex;
import static dev.jshm.ring.RingDescriptor.FLAG_MANY_PRODUCERS;
import static dev.jshm.ring.RingDescriptor.HEAD_CACHE_OFFSET;
import static dev.jshm.ring.RingDescriptor.HEAD_OFFSET;
import static dev.jshm.ring.RingDescriptor.INT;
import static dev.jshm.ring.RingDescriptor.LONG;
import static dev.jshm.ring.RingDescriptor.SIGNAL_BLOCK_OFFSET;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Objects;

import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.SignalBlock;

/**
 * What both producer modes share: the views of the ring's memory, writing and committing
 * records, and the accessors; the consumer's side is {@link RingConsumer}. A subclass says only
 * how a producer takes the space it found free ({@link #takeSpace}), and who keeps the record
 * after the tail readable as "nothing there" ({@link #endMarkLength}).
 *
 * <p>Memory: the ring reads and writes through {@link ByteBuffer} views of the segment and
 * {@link VarHandle}s over them. Every index into the record area is a masked position or a
 * length checked against the room left before the end of the area ({@link RecordDescriptor}),
 * so no value in shared memory can move an access outside the ring.
 *
 * <p>Truncation: a POSIX object or file cut short by another process leaves zero pages where the
 * ring was (see {@link Segment#checkBacked}). Every method that touches the ring's memory checks
 * the ring's whole range after its accesses ({@link #checkBacked(String)}) and throws
 * {@link SegmentFaultException} from that call, and the check comes before any
 * {@link RingCorruptedException} or {@link IllegalStateException} built from what was read, so a
 * truncation is reported as a truncation, never as a corrupt ring. System V segments cannot be
 * truncated: on them the check is skipped.
 */
abstract sealed class AbstractMessageRing implements MessageRing permits OneToOneMessageRing, ManyToOneMessageRing {

    /** Messages up to this length are copied by {@link #copySmall}. */
    private static final int SMALL_COPY_MAX = 64;
    /** Plain reads of 8 bytes of a {@code byte[]}, in the order the record area is written. */
    private static final VarHandle BYTES_AS_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    final Segment segment;
    final long offset;
    /** The header, writable, native order. */
    final ByteBuffer header;
    /** The record area, writable, native order; what {@link #buffer()} returns. */
    final ByteBuffer records;
    final int capacity;
    /** The ring's bytes in the segment: header and record area. */
    final long length;
    /** Whether another process can truncate the segment: all kinds but System V. */
    private final boolean truncatable;
    final int mask;
    final int maxMessageLength;
    final SignalBlock signal;
    final RingHeartbeats heartbeats;
    private final RingConsumer consumer;
    /** {@link #endMarkLength()}, read on every claim. */
    private final int endMarkLength;

    AbstractMessageRing(Segment segment, long offset, ByteBuffer header, int capacity) {
        this.segment = segment;
        this.offset = offset;
        this.header = header;
        this.capacity = capacity;
        this.length = (long) RingDescriptor.HEADER_LENGTH + capacity;
        this.truncatable = segment.truncatable();
        this.mask = capacity - 1;
        this.maxMessageLength = RingDescriptor.maxMessageLength(capacity);
        this.records = segment.asByteBuffer(offset + RingDescriptor.HEADER_LENGTH, capacity).order(ByteOrder.nativeOrder());
        this.signal = new SignalBlock(segment, offset + SIGNAL_BLOCK_OFFSET);
        this.heartbeats = new RingHeartbeats(header);
        this.endMarkLength = endMarkLength();
        this.consumer = new RingConsumer(this);
    }

    static MessageRing open(Segment segment, long offset, ByteBuffer header, int capacity, int flags) {
        return (flags & FLAG_MANY_PRODUCERS) != 0
                ? new ManyToOneMessageRing(segment, offset, header, capacity)
                : new OneToOneMessageRing(segment, offset, header, capacity);
    }

    /**
     * Takes the space from {@code tail}: {@code padding} bytes of padding up to the end of the
     * record area (0 for none), then {@code required} bytes at {@code start} (0 after padding,
     * else the tail's index), whose first header gets the claim mark {@code claimMark}. Returns
     * the tail it found there: {@code tail} when the space is taken and marked, another value
     * when another producer moved the tail first (nothing is written then).
     */
    abstract long takeSpace(long tail, int tailIndex, int padding, int start, int required, int claimMark);

    /**
     * The bytes a producer keeps free after its claim, besides the claim: the single producer
     * clears the header there ({@link OneToOneMessageRing}); many producers clear nothing, the
     * consumer zeroes what it consumed.
     */
    abstract int endMarkLength();

    // ---- what the ring is ---------------------------------------------------------------------

    @Override
    public final int capacity() {
        return capacity;
    }

    @Override
    public final int maxMessageLength() {
        return maxMessageLength;
    }

    @Override
    public final int maxBatchLength() {
        return RingDescriptor.maxBatchLength(capacity);
    }

    @Override
    public final Segment segment() {
        return segment;
    }

    @Override
    public final long offset() {
        return offset;
    }

    @Override
    public final long tailPosition() {
        checkOpen();
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        checkBacked("tailPosition");
        return tail;
    }

    @Override
    public final long headPosition() {
        checkOpen();
        long head = (long) LONG.getAcquire(header, HEAD_OFFSET);
        checkBacked("headPosition");
        return head;
    }

    @Override
    public final int size() {
        // Read head first: a tail read after it is never older, so the difference is never negative.
        long head = headPosition();
        long tail = tailPosition();
        return (int) Math.min(Math.max(tail - head, 0), capacity);
    }

    @Override
    public final int waiters() {
        checkOpen();
        try {
            return signal.sleepers();
        } catch (SegmentFaultException e) {
            throw asRing("waiters", e);
        }
    }

    @Override
    public final long futexOffset() {
        return signal.offset();
    }

    @Override
    public final FutexIdleStrategy futexIdleStrategy() {
        checkOpen();
        return new FutexIdleStrategy(signal, FutexIdleStrategy.DEFAULT_MAX_SPINS, FutexIdleStrategy.DEFAULT_MAX_YIELDS,
                FutexIdleStrategy.DEFAULT_MAX_PARK);
    }

    @Override
    public final ByteBuffer buffer() {
        return records;
    }

    @Override
    public String toString() {
        return "MessageRing(" + producerMode() + ", capacity=" + capacity + ") at offset " + offset + " of " + segment;
    }

    // ---- producing ----------------------------------------------------------------------------

    @Override
    public final boolean offer(int msgTypeId, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int index = claimRecord(msgTypeId, len, "offer");
        if (index < 0) {
            checkBacked("offer"); // "full" may have been read from zero pages
            return false;
        }
        if (len <= SMALL_COPY_MAX) {
            copySmall(src, off, index, len);
        } else {
            records.put(index, src, off, len);
        }
        commitRecord(index - HEADER_LENGTH, HEADER_LENGTH + len, "offer");
        return true;
    }

    /**
     * Copies a short message 8 bytes at a time in compiled code: in the two-process benchmark a
     * 32-byte message went through the ring about a third faster than with {@code ByteBuffer.put}
     * (a call to the JVM's copy stub); at 64 bytes the two were even, at 128 the stub was faster.
     */
    private void copySmall(byte[] src, int off, int index, int len) {
        int i = 0;
        for (; i <= len - Long.BYTES; i += Long.BYTES) {
            records.putLong(index + i, (long) BYTES_AS_LONGS.get(src, off + i));
        }
        for (; i < len; i++) {
            records.put(index + i, src[off + i]);
        }
    }

    @Override
    public final boolean offer(int msgTypeId, ByteBuffer src) {
        int len = src.remaining();
        int index = claimRecord(msgTypeId, len, "offer");
        if (index < 0) {
            checkBacked("offer"); // "full" may have been read from zero pages
            return false;
        }
        records.put(index, src, src.position(), len);
        commitRecord(index - HEADER_LENGTH, HEADER_LENGTH + len, "offer");
        return true;
    }

    @Override
    public final int claim(int msgTypeId, int length) {
        int index = claimRecord(msgTypeId, length, "claim");
        // Before the caller writes at the index, or takes -1 for a full ring: neither may come
        // from zero pages.
        checkBacked("claim");
        return index;
    }

    /**
     * Claims a record for a message and writes its claim mark and type; returns the payload's
     * index or -1 when full. The caller checks the ring's backing after its last access, in
     * both cases.
     */
    private int claimRecord(int msgTypeId, int length, String operation) {
        checkOpen();
        checkMessage(msgTypeId, length);
        int recordLength = HEADER_LENGTH + length;
        int recordIndex = claimSpace(align(recordLength), -recordLength, operation);
        if (recordIndex < 0) {
            return -1;
        }
        // The claim mark is visible before any byte of the message: a record whose length reads 0
        // has nothing written yet, which is what unblock relies on.
        VarHandle.releaseFence();
        records.putInt(typeIndex(recordIndex), msgTypeId);
        return payloadIndex(recordIndex);
    }

    @Override
    public final void commit(int index) {
        checkOpen();
        int length = claimedLength(index, "commit");
        commitRecord(index - HEADER_LENGTH, length, "commit");
    }

    @Override
    public final void abort(int index) {
        checkOpen();
        int length = claimedLength(index, "abort");
        putRecordHeader(index - HEADER_LENGTH, length, PADDING_TYPE);
        signal("abort");
        checkBacked("abort");
    }

    @Override
    public final boolean offerBatch(int msgTypeId, ByteBuffer[] messages, int from, int count) {
        checkOpen();
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
        if (total > maxBatchLength()) {
            throw new IllegalArgumentException("offerBatch of " + count + " messages (" + total + " bytes with headers) to " + this
                    + ": a batch may take at most " + maxBatchLength() + " bytes");
        }
        // Until the commit, the first header claims the whole batch: unblocking it skips all of it.
        int first = claimSpace((int) total, (int) -total, "offerBatch");
        if (first < 0) {
            checkBacked("offerBatch");
            return false;
        }
        VarHandle.releaseFence();
        int recordIndex = first;
        for (int i = from; i < from + count; i++) {
            ByteBuffer message = messages[i];
            int length = message.remaining();
            records.putInt(typeIndex(recordIndex), msgTypeId);
            records.put(payloadIndex(recordIndex), message, message.position(), length);
            if (recordIndex != first) {
                // Plain: the release store of the first length below publishes it.
                records.putInt(recordIndex, HEADER_LENGTH + length);
            }
            recordIndex += align(HEADER_LENGTH + length);
        }
        commitRecord(first, HEADER_LENGTH + messages[from].remaining(), "offerBatch");
        return true;
    }

    private void checkMessage(int msgTypeId, int length) {
        if (msgTypeId < 1) {
            throw new IllegalArgumentException("message type " + msgTypeId + " must be at least 1 (" + this + ")");
        }
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("message length " + length + " is outside [0, " + maxMessageLength + "] for " + this);
        }
    }

    /**
     * Reserves {@code required} bytes (a multiple of 8, at most half the capacity) at one
     * contiguous index, after a padding record when they do not fit before the end of the area,
     * and writes {@code claimMark} (the negative claim length) into the first header there.
     * Returns the index or -1 when the ring is full.
     *
     * <p>Positions read from shared memory are checked before use: the tail must be 8-aligned,
     * and the head at most {@code capacity} behind it and never ahead of it. A tail read before
     * another producer moved it may trail the head; such a stale tail is read again (it changed),
     * and only a tail that reads the same twice behind the head is corrupt.
     */
    private int claimSpace(int required, int claimMark, String operation) {
        heartbeats.producerIfDue();
        long head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        // The common case in few bytecodes, so that the JIT inlines it into offer and claim: an
        // aligned tail, room by the cached head, and (many producers) no other producer between
        // the read of the tail and the swap. Everything else goes the long way, from the start.
        int tailIndex = (int) tail & mask;
        int toEnd = capacity - tailIndex;
        int padding = required > toEnd ? toEnd : 0;
        long used = tail - head;
        if (isAligned(tail) && used >= 0 && used <= capacity - (required + padding + endMarkLength)) {
            int start = padding != 0 ? 0 : tailIndex;
            if (takeSpace(tail, tailIndex, padding, start, required, claimMark) == tail) {
                return start;
            }
        }
        return claimSpaceSlowly(required, claimMark, operation);
    }

    /** {@link #claimSpace} when the cached head says full, a position is odd, or another producer won. */
    private int claimSpaceSlowly(int required, int claimMark, String operation) {
        long head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        int tailIndex;
        int padding;
        while (true) {
            if (!isAligned(tail)) {
                throw corrupt(operation, "tail", tail, tail, "not a multiple of " + RecordDescriptor.ALIGNMENT);
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
                        throw corrupt(operation, "tail", head, tail, "behind head " + head);
                    }
                    tail = again;
                    continue;
                }
                if (used > capacity) {
                    throw corrupt(operation, "tail", head, tail, "more than capacity " + capacity + " ahead of head " + head);
                }
                if (used > capacity - taken) {
                    return -1;
                }
                LONG.setOpaque(header, HEAD_CACHE_OFFSET, head);
            }
            int start = padding != 0 ? 0 : tailIndex;
            long witness = takeSpace(tail, tailIndex, padding, start, required, claimMark);
            if (witness == tail) {
                return start;
            }
            tail = witness;
            head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        }
    }

    /** The type first, then the length with release: a consumer that reads the length sees the type. */
    final void putRecordHeader(int recordIndex, int length, int type) {
        records.putInt(typeIndex(recordIndex), type);
        INT.setRelease(records, recordIndex, length);
    }

    /**
     * Commit: the release store of the length publishes the record (it pairs with the consumer's
     * acquire load of the length: the type and payload written before it are visible with it),
     * and the signal block orders it before its read of the sleepers flag (see
     * {@link SignalBlock}). The check after it covers the whole operation: the claim, the
     * caller's writes of the message, the commit, and the signal block, which is inside the
     * ring's header ({@link SignalBlock#signalInCheckedRange}).
     */
    private void commitRecord(int recordIndex, int recordLength, String operation) {
        INT.setRelease(records, recordIndex, recordLength);
        signal(operation);
        checkBacked(operation);
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
            throw corrupt(operation, "record length", recordIndex, length, "not the claim of a message of at most "
                    + maxMessageLength + " bytes that fits before the end of the record area");
        }
        return -length;
    }

    private IllegalStateException notClaimed(int index, String operation) {
        checkBacked(operation); // a claim mark that reads 0 may be a zero page
        return new IllegalStateException(operation + "(index=" + index + ") of " + this
                + ": no claimed message there (never claimed, already committed or aborted, or unblocked by the consumer)");
    }

    /** A corrupt ring, unless what was read came from zero pages: then the truncation is thrown. */
    final RingCorruptedException corrupt(String operation, String field, long position, long value, String expected) {
        checkBacked(operation);
        return new RingCorruptedException(toString(), operation, field, position, value, expected);
    }

    // ---- consuming: one consumer thread --------------------------------------------------------

    @Override
    public final int poll(MessageHandler handler, int limit) {
        checkOpen();
        return consumer.poll(handler, limit);
    }

    @Override
    public final int drain(MessageHandler handler) {
        checkOpen();
        return consumer.drain(handler);
    }

    @Override
    public final void unblockAfter(Duration timeout) {
        consumer.unblockAfter(timeout);
    }

    @Override
    public final boolean unblock(Duration timeout) {
        checkOpen();
        return consumer.unblock(timeout);
    }

    @Override
    public final boolean await(Duration timeout) {
        checkOpen();
        return consumer.await(timeout);
    }

    // ---- liveness -----------------------------------------------------------------------------

    @Override
    public final long producerHeartbeat() {
        checkOpen();
        long beat = heartbeats.producerBeat();
        checkBacked("producerHeartbeat");
        return beat;
    }

    @Override
    public final long consumerHeartbeat() {
        checkOpen();
        long beat = heartbeats.consumerBeat();
        checkBacked("consumerHeartbeat");
        return beat;
    }

    @Override
    public final int producerPid() {
        checkOpen();
        int pid = heartbeats.producerPid();
        checkBacked("producerPid");
        return pid;
    }

    @Override
    public final int consumerPid() {
        checkOpen();
        int pid = heartbeats.consumerPid();
        checkBacked("consumerPid");
        return pid;
    }

    @Override
    public final void heartbeatProducer() {
        checkOpen();
        heartbeats.producer(RingHeartbeats.clockMillis());
        checkBacked("heartbeatProducer");
    }

    @Override
    public final void heartbeatConsumer() {
        checkOpen();
        heartbeats.consumer(RingHeartbeats.clockMillis());
        checkBacked("heartbeatConsumer");
    }

    /**
     * Throws {@link SegmentFaultException} if an access of this thread to the ring's memory
     * (header or records) landed on zero pages that replaced memory another process cut off.
     * Call it after the accesses it covers. Allocates only on the way to the exception.
     */
    final void checkBacked(String operation) {
        if (!truncatable) {
            return; // a final field: System V pays a predicted branch, not even the bounds check
        }
        try {
            segment.checkBacked(offset, length);
        } catch (SegmentFaultException e) {
            throw new SegmentFaultException(operation + " of " + this + ": " + e.getMessage(), operation);
        }
    }

    /** Wakes sleeping consumers after a commit; the caller checks the ring's backing after it. */
    private void signal(String operation) {
        try {
            signal.signalInCheckedRange();
        } catch (SegmentFaultException e) {
            throw asRing(operation, e);
        }
    }

    /**
     * A fault that the signal block or the futex reported, reported as this ring's
     * {@code operation} instead: the block is inside the ring, so the ring's check throws.
     */
    final SegmentFaultException asRing(String operation, SegmentFaultException e) {
        checkBacked(operation);
        return e;
    }

    final void checkOpen() {
        if (segment.isClosed()) {
            throw new IllegalStateException("Already closed: " + segment + " (holding " + this + ")");
        }
    }
}
