package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;
import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.typeIndex;
import static dev.jshm.ring.RingDescriptor.FLAG_MANY_PRODUCERS;
import static dev.jshm.ring.RingDescriptor.HEAD_OFFSET;
import static dev.jshm.ring.RingDescriptor.SIGNAL_BLOCK_OFFSET;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.time.Duration;

import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import dev.jshm.internal.BufferViews;
import dev.jshm.internal.Secrets;
import dev.jshm.internal.SegmentMemory;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.SignalBlock;

/**
 * What both producer modes share: the views of the ring's memory, the accessors and the checks;
 * the producers' side is {@link RingProducer}, the consumer's {@link RingConsumer}. A subclass says only
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

    /** Registered by {@link Segment}'s initialization, which reading it forces. */
    private static final SegmentMemory MEMORY = Secrets.segmentMemory();
    final Segment segment;
    final long offset;
    /** The header, writable, native order. */
    final ByteBuffer header;
    /** The record area, writable, native order; what {@link #buffer()} returns. */
    final ByteBuffer records;
    /**
     * The header and the record area as longs and ints ({@link BufferViews#longs}), for the
     * accesses to aligned places on the paths of every message: the claim's loads of the tail and
     * the cached head, its stores of the marks and the tail, the message's 8-byte stores and the
     * commit; the poll's loads of the head, a record's length and type, and its store of the head
     * (the ordered ones as a plain access and a fence, see {@link RingConsumer}).
     * Their compiled code is smaller than the same accesses through {@link BufferViews#LONG} and
     * {@link BufferViews#INT}: on JDK 17 (x86-64, {@code -XX:+LogCompilation}) the copying
     * {@code offer} of 32 bytes (the producer's; 3,712 bytes with the ring's open check around it)
     * compiles to 3,232 bytes against 5,216, the claim with its checks to 1,216 against 2,016; in
     * one thread (RingCpuBench, three alternated pairs of runs) an offer and poll took 1.14-1.25
     * times Agrona's time against 1.23-1.47. The index of a place
     * is its byte index shifted right by 3 (longs) or 2 (ints): the same as a division for the
     * non-negative indexes of the ring, and fewer instructions. The view's own bounds check keeps
     * every access inside the ring.
     */
    final LongBuffer headerLongs;
    final LongBuffer recordLongs;
    final IntBuffer recordInts;
    final int capacity;
    /** The ring's bytes in the segment: header and record area. */
    final long length;
    /** Whether another process can truncate the segment: all kinds but System V. */
    private final boolean truncatable;
    final int mask;
    final int maxMessageLength;
    final SignalBlock signal;
    final RingHeartbeats heartbeats;
    private final RingProducer producer;
    private final RingConsumer consumer;

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
        this.headerLongs = BufferViews.longs(header);
        this.recordLongs = BufferViews.longs(records);
        this.recordInts = BufferViews.ints(records);
        this.signal = new SignalBlock(segment, offset + SIGNAL_BLOCK_OFFSET);
        this.heartbeats = new RingHeartbeats(header);
        this.producer = new RingProducer(this);
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
     * else the tail's index), whose first header gets {@code claimHeader}, the claim mark and
     * the type ({@link RecordDescriptor#header}). Returns
     * the tail it found there: {@code tail} when the space is taken and marked, another value
     * when another producer moved the tail first (nothing is written then).
     *
     * <p>When it returns {@code tail}, the claim mark is ordered before every store the caller
     * makes afterwards (a release fence after it): no byte of the message is visible before the
     * mark, so a record whose length reads 0 has nothing written yet, which is what unblocking
     * relies on.
     */
    abstract long takeSpace(long tail, int tailIndex, int padding, int start, int required, long claimHeader);

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

    // ---- producing: RingProducer ----------------------------------------------------------------

    @Override
    public final boolean offer(int msgTypeId, byte[] src, int off, int len) {
        checkOpen();
        return producer.offer(msgTypeId, src, off, len);
    }

    @Override
    public final boolean offer(int msgTypeId, ByteBuffer src) {
        checkOpen();
        return producer.offer(msgTypeId, src);
    }

    @Override
    public final boolean offer(int msgTypeId, ByteBuffer src, int off, int len) {
        checkOpen();
        return producer.offer(msgTypeId, src, off, len);
    }

    @Override
    public final int claim(int msgTypeId, int length) {
        checkOpen();
        return producer.claim(msgTypeId, length);
    }

    @Override
    public final void commit(int index) {
        checkOpen();
        producer.commit(index);
    }

    @Override
    public final void abort(int index) {
        checkOpen();
        producer.abort(index);
    }

    @Override
    public final boolean offerBatch(int msgTypeId, ByteBuffer[] messages, int from, int count) {
        checkOpen();
        return producer.offerBatch(msgTypeId, messages, from, count);
    }

    /** The type first, then the length with release: a consumer that reads the length sees the type. */
    final void putRecordHeader(int recordIndex, int length, int type) {
        INT.set(records, typeIndex(recordIndex), type);
        INT.setRelease(records, recordIndex, length);
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
     * Call it after the accesses it covers. Allocates only on the way to the exception. While
     * the handler has never replaced memory in this process, one read of its replacement count
     * decides; the segment's own check (its state, the range, the mapping's fault word) runs
     * only after that.
     */
    final void checkBacked(String operation) {
        if (!truncatable) {
            return; // a final field: System V pays a predicted branch, not even the bounds check
        }
        if (MEMORY.noMemoryReplaced()) {
            return; // nothing was ever replaced in this process: one read of one word
        }
        try {
            segment.checkBacked(offset, length);
        } catch (SegmentFaultException e) {
            throw new SegmentFaultException(operation + " of " + this + ": " + e.getMessage(), operation);
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
            throw closed();
        }
    }

    /** Out of line: the check above is inlined into every operation, the message is not. */
    private IllegalStateException closed() {
        return new IllegalStateException("Already closed: " + segment + " (holding " + this + ")");
    }
}
