package dev.jshm.ring;

import static dev.jshm.ring.RingLayout.ALIGNMENT;
import static dev.jshm.ring.RingLayout.CAPACITY_OFFSET;
import static dev.jshm.ring.RingLayout.CONSUMER_HEARTBEAT_OFFSET;
import static dev.jshm.ring.RingLayout.CONSUMER_PID_OFFSET;
import static dev.jshm.ring.RingLayout.FLAGS_OFFSET;
import static dev.jshm.ring.RingLayout.FLAG_MANY_PRODUCERS;
import static dev.jshm.ring.RingLayout.FUTEX_OFFSET;
import static dev.jshm.ring.RingLayout.HEADER_LENGTH;
import static dev.jshm.ring.RingLayout.HEADER_LENGTH_OFFSET;
import static dev.jshm.ring.RingLayout.HEAD_CACHE_OFFSET;
import static dev.jshm.ring.RingLayout.HEAD_OFFSET;
import static dev.jshm.ring.RingLayout.KNOWN_FLAGS;
import static dev.jshm.ring.RingLayout.MAGIC;
import static dev.jshm.ring.RingLayout.MAGIC_OFFSET;
import static dev.jshm.ring.RingLayout.MAX_CAPACITY;
import static dev.jshm.ring.RingLayout.MAX_MESSAGE_LENGTH_OFFSET;
import static dev.jshm.ring.RingLayout.MIN_CAPACITY;
import static dev.jshm.ring.RingLayout.PADDING_TYPE;
import static dev.jshm.ring.RingLayout.PRODUCER_HEARTBEAT_OFFSET;
import static dev.jshm.ring.RingLayout.PRODUCER_PID_OFFSET;
import static dev.jshm.ring.RingLayout.RECORD_HEADER_LENGTH;
import static dev.jshm.ring.RingLayout.TAIL_OFFSET;
import static dev.jshm.ring.RingLayout.TYPE_IN_RECORD;
import static dev.jshm.ring.RingLayout.VERSION;
import static dev.jshm.ring.RingLayout.VERSION_OFFSET;
import static dev.jshm.ring.RingLayout.WAITERS_OFFSET;
import static dev.jshm.ring.RingLayout.align;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Objects;

import dev.jshm.Futex;
import dev.jshm.FutexIdleStrategy;
import dev.jshm.Segment;

/**
 * A bounded ring of variable-length messages in shared memory, which processes (Java, or C with
 * {@code jshm_ring.h}) use to pass messages to one consumer: agrona's
 * {@code OneToOneRingBuffer} and {@code ManyToOneRingBuffer} over a jshm {@link Segment} of any
 * kind. The layout and the protocol are {@code docs/ring-format.md}.
 *
 * <pre>{@code
 * try (PosixSegment segment = PosixSegment.create("/orders", MessageRing.requiredSize(1 << 20))) {
 *     MessageRing ring = MessageRing.create(segment, 1 << 20);          // or attach(segment) elsewhere
 *     ring.offer(1, bytes, 0, bytes.length);                            // producer: false when full
 *     ring.poll((type, buffer, offset, length) -> { ... }, 100);        // consumer
 * }
 * }</pre>
 *
 * <p>Messages: a type id ({@code >= 1}) and 0 to {@link #maxMessageLength()} bytes. A message is
 * written into space the producer claims, then committed: consumers see whole messages, in the
 * order of their claims, never a part of one; a producer killed half way leaves a claim that
 * {@link #unblock(Duration)} turns into padding.
 *
 * <p>Thread-safety: producing ({@code offer}, {@code offerBatch}, {@code claim},
 * {@code commit}, {@code abort}) is safe from any number of threads and processes for a
 * {@link ProducerMode#MANY} ring, and from one thread at a time for a {@link ProducerMode#SINGLE}
 * one. Consuming ({@code poll}, {@code drain}, {@code unblock}, {@code await}) is for one thread
 * in one process at a time. The other methods may be called from any thread. The ring does not
 * own the segment: close the segment when every ring in it is no longer used; after that every
 * method that touches the ring throws {@link IllegalStateException}.
 *
 * <p>Memory: the ring reads and writes through {@link ByteBuffer} views of the segment and
 * {@link VarHandle}s over them (the same accesses as {@link Segment#atomics()}), so a fault in
 * memory that another process truncated surfaces as the JVM's {@link InternalError}.
 */
public final class MessageRing {

    /** The smallest capacity, in bytes. */
    public static final int MIN_CAPACITY_BYTES = MIN_CAPACITY;
    /** The largest capacity, in bytes (a {@link ByteBuffer} must hold the record area). */
    public static final int MAX_CAPACITY_BYTES = MAX_CAPACITY;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final byte[] ZEROS = new byte[4096];
    /** Claims (polls) between two reads of the heartbeat clock; a power of two. */
    private static final int BEAT_INTERVAL = 64;
    /** Empty polls between two automatic unblock checks (each reads the producers' cache line). */
    private static final int UNBLOCK_CHECK_INTERVAL = 256;
    private static final int PID = (int) ProcessHandle.current().pid();

    private final Segment segment;
    private final long offset;
    /** The header, writable, native order. */
    private final ByteBuffer header;
    /** The record area, writable, native order; what {@link #buffer()} returns. */
    private final ByteBuffer records;
    /** The record area, read-only, for handlers. */
    private final ByteBuffer readView;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private final ProducerMode producerMode;

    /** Last heartbeat this instance wrote as a producer, and its claims: racy between producer threads, harmlessly. */
    private long producerBeatMillis;
    private int producerClaims;

    // Consumer state: one consumer thread.
    private long consumerBeatMillis;
    private int consumerPolls;
    private long autoUnblockMillis = -1;
    private int emptyPolls;
    /** When this consumer first saw the head blocked, or -1; claims below {@link #blockedTail} are older. */
    private long blockedSinceMillis = -1;
    private long blockedTail;

    private MessageRing(Segment segment, long offset, ByteBuffer header, int capacity, int flags) {
        this.segment = segment;
        this.offset = offset;
        this.header = header;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxMessageLength = RingLayout.maxMessageLength(capacity);
        this.producerMode = (flags & FLAG_MANY_PRODUCERS) != 0 ? ProducerMode.MANY : ProducerMode.SINGLE;
        this.records = segment.asByteBuffer(offset + HEADER_LENGTH, capacity);
        this.readView = records.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    // ---- creating and attaching ---------------------------------------------------------------

    /**
     * The bytes a ring of {@code capacity} takes in a segment: the 512-byte header plus the
     * capacity.
     *
     * @throws IllegalArgumentException if the capacity is not a power of two in
     *                                  [{@value #MIN_CAPACITY_BYTES}, {@value #MAX_CAPACITY_BYTES}]
     */
    public static long requiredSize(int capacity) {
        checkCapacity(capacity);
        return (long) HEADER_LENGTH + capacity;
    }

    /** Formats a {@link ProducerMode#SINGLE} ring at the start of {@code segment}; see {@link #create(Segment, long, int, ProducerMode)}. */
    public static MessageRing create(Segment segment, int capacity) {
        return create(segment, 0, capacity, ProducerMode.SINGLE);
    }

    /** Formats a ring at the start of {@code segment}; see {@link #create(Segment, long, int, ProducerMode)}. */
    public static MessageRing create(Segment segment, int capacity, ProducerMode producerMode) {
        return create(segment, 0, capacity, producerMode);
    }

    /**
     * Formats a ring of {@code capacity} bytes at {@code offset} in {@code segment}: zeroes the
     * header and the records, writes the fields, and writes the magic number last (a release
     * store), so a process that attaches before the end sees no ring rather than half of one. No
     * other process may use the memory while it is formatted.
     *
     * @param offset where the ring starts; the address must be 8-byte aligned (64 keeps the
     *               header's cache lines apart)
     * @throws IllegalArgumentException  if the capacity is not a power of two in range, the
     *                                   address is not aligned, or the segment is read-only
     * @throws IndexOutOfBoundsException if the ring does not fit in the segment at {@code offset}
     */
    public static MessageRing create(Segment segment, long offset, int capacity, ProducerMode producerMode) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(producerMode, "producerMode");
        long size = requiredSize(capacity);
        ByteBuffer header = headerView(segment, offset, size, "create");
        LONG.setRelease(header, MAGIC_OFFSET, 0L);
        VarHandle.releaseFence();
        segment.fill(offset + Long.BYTES, size - Long.BYTES, (byte) 0);
        int flags = producerMode == ProducerMode.MANY ? FLAG_MANY_PRODUCERS : 0;
        header.putInt(FLAGS_OFFSET, flags);
        header.putInt(CAPACITY_OFFSET, capacity);
        header.putInt(MAX_MESSAGE_LENGTH_OFFSET, RingLayout.maxMessageLength(capacity));
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, VERSION);
        LONG.setRelease(header, MAGIC_OFFSET, MAGIC);
        return new MessageRing(segment, offset, header, capacity, flags);
    }

    /** Attaches to the ring at the start of {@code segment}; see {@link #attach(Segment, long)}. */
    public static MessageRing attach(Segment segment) {
        return attach(segment, 0);
    }

    /**
     * Attaches to the ring another process (or this one) created at {@code offset} in
     * {@code segment}, after checking its header: the magic number (read with an acquire load),
     * the layout version, the header fields, and that the capacity fits in the segment.
     *
     * @throws RingFormatException      naming what is wrong: no ring (magic 0: never formatted or
     *                                  formatted half way), not a ring, another version, a bad
     *                                  field, or a segment too small for the recorded capacity
     * @throws IllegalArgumentException if the segment is read-only or the address not 8-byte aligned
     */
    public static MessageRing attach(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        String where = "the ring at offset " + offset + " of " + segment;
        String operation = "MessageRing.attach(offset=" + offset + ") of " + segment;
        if (offset < 0 || offset > segment.size() - HEADER_LENGTH) {
            throw new RingFormatException(RingFormatException.Reason.TOO_SMALL, "cannot attach " + where + ": the segment has "
                    + segment.size() + " bytes, too few for a " + HEADER_LENGTH + "-byte ring header at offset " + offset, operation);
        }
        ByteBuffer header = headerView(segment, offset, HEADER_LENGTH, "attach");
        long magic = (long) LONG.getAcquire(header, MAGIC_OFFSET);
        if (magic == 0) {
            throw new RingFormatException(RingFormatException.Reason.NOT_FORMATTED, "cannot attach " + where
                    + ": its magic number is 0, so no ring was created there, or its creator has not finished (or died) formatting it",
                    operation);
        }
        if (magic != MAGIC) {
            throw new RingFormatException(RingFormatException.Reason.BAD_MAGIC, "cannot attach " + where + ": magic number 0x"
                    + Long.toHexString(magic) + " is not a jshm ring's (0x" + Long.toHexString(MAGIC) + ")", operation);
        }
        int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw new RingFormatException(RingFormatException.Reason.UNSUPPORTED_VERSION, "cannot attach " + where
                    + ": layout version " + version + " is not supported (this code reads version " + VERSION + ")", operation);
        }
        int capacity = header.getInt(CAPACITY_OFFSET);
        int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        int maxMessage = header.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        int flags = header.getInt(FLAGS_OFFSET);
        String bad = null;
        if (!RingLayout.capacityOk(capacity)) {
            bad = "capacity " + capacity + " is not a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]";
        } else if (headerLength != HEADER_LENGTH) {
            bad = "header length " + headerLength + " is not " + HEADER_LENGTH;
        } else if (maxMessage != RingLayout.maxMessageLength(capacity)) {
            bad = "maximum message length " + maxMessage + " is not capacity / 8 = " + RingLayout.maxMessageLength(capacity);
        } else if ((flags & ~KNOWN_FLAGS) != 0) {
            bad = "flags 0x" + Integer.toHexString(flags) + " has unknown bits";
        }
        if (bad != null) {
            throw new RingFormatException(RingFormatException.Reason.BAD_HEADER, "cannot attach " + where + ": " + bad, operation);
        }
        if ((long) HEADER_LENGTH + capacity > segment.size() - offset) {
            throw new RingFormatException(RingFormatException.Reason.TOO_SMALL, "cannot attach " + where + ": its capacity "
                    + capacity + " needs " + ((long) HEADER_LENGTH + capacity) + " bytes from offset " + offset
                    + " but the segment has only " + (segment.size() - offset), operation);
        }
        return new MessageRing(segment, offset, header, capacity, flags);
    }

    private static void checkCapacity(int capacity) {
        if (!RingLayout.capacityOk(capacity)) {
            throw new IllegalArgumentException("ring capacity " + capacity + " must be a power of two in [" + MIN_CAPACITY
                    + ", " + MAX_CAPACITY + "]");
        }
    }

    private static ByteBuffer headerView(Segment segment, long offset, long size, String operation) {
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(operation + " a ring in " + segment + ": the segment is read-only; "
                    + "producers and consumers both write to a ring");
        }
        if (offset < 0 || offset > segment.size() - size) {
            throw new IndexOutOfBoundsException(operation + " a ring: offset=" + offset + " length=" + size + " size="
                    + segment.size() + " of " + segment);
        }
        ByteBuffer header = segment.asByteBuffer(offset, HEADER_LENGTH);
        if (header.alignmentOffset(0, ALIGNMENT) != 0) {
            throw new IllegalArgumentException(operation + " a ring at offset " + offset + " of " + segment
                    + ": the address is not 8-byte aligned (atomic accesses need it)");
        }
        return header;
    }

    // ---- what the ring is ---------------------------------------------------------------------

    /** Bytes of record area: a power of two. */
    public int capacity() {
        return capacity;
    }

    /** The longest message, in bytes: capacity / 8. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /**
     * The most bytes one {@link #offerBatch} may take: capacity / 2, counting every message with
     * its 8-byte header, rounded up to 8.
     */
    public int maxBatchLength() {
        return RingLayout.maxBatchLength(capacity);
    }

    /** Whether one or many producers may write. */
    public ProducerMode producerMode() {
        return producerMode;
    }

    /** The segment the ring lives in. */
    public Segment segment() {
        return segment;
    }

    /** Where the ring starts in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The position after the last claimed byte: bytes claimed since the ring was created. */
    public long tailPosition() {
        checkOpen();
        return (long) LONG.getAcquire(header, TAIL_OFFSET);
    }

    /** The position of the next record to read: bytes consumed since the ring was created. */
    public long headPosition() {
        checkOpen();
        return (long) LONG.getAcquire(header, HEAD_OFFSET);
    }

    /** Bytes claimed and not yet consumed (records, their headers, padding); a snapshot. */
    public int size() {
        // Read head first: a tail read after it is never older, so the difference is never negative.
        long head = headPosition();
        long tail = tailPosition();
        return (int) Math.min(Math.max(tail - head, 0), capacity);
    }

    /** Consumers currently blocked (or about to block) in {@link #await}, in every process. */
    public int waiters() {
        checkOpen();
        return (int) INT.getAcquire(header, WAITERS_OFFSET);
    }

    /**
     * Where the ring's signal block is in {@link #segment()}: the futex word producers bump after a
     * commit when a consumer is counted, and the count of consumers asleep on it ({@link FutexIdleStrategy#SIZE}
     * bytes), for a {@link FutexIdleStrategy} with parameters of your own.
     */
    public long futexOffset() {
        return offset + FUTEX_OFFSET;
    }

    /**
     * A new blocking idle strategy for this ring's consumer: a {@link FutexIdleStrategy} with its
     * defaults on the ring's signal block. It spins, yields, then sleeps on the futex word until
     * a producer (Java or C, in any process) commits. For the consumer thread.
     *
     * <pre>{@code
     * IdleStrategy idle = ring.futexIdleStrategy();
     * while (running) {
     *     idle.idle(ring.poll(handler, 100));
     * }
     * }</pre>
     */
    public FutexIdleStrategy futexIdleStrategy() {
        checkOpen();
        return new FutexIdleStrategy(segment, futexOffset());
    }

    @Override
    public String toString() {
        return "MessageRing(" + producerMode + ", capacity=" + capacity + ") at offset " + offset + " of " + segment;
    }

    // ---- producing ----------------------------------------------------------------------------

    /**
     * Copies {@code src[off, off + len)} into the ring as one message of type {@code msgTypeId}
     * and commits it.
     *
     * @return true, or false when the ring has not enough free space now (nothing is written)
     * @throws IllegalArgumentException  if the type is below 1 or the message longer than {@link #maxMessageLength()}
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}
     */
    public boolean offer(int msgTypeId, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int index = claim(msgTypeId, len);
        if (index < 0) {
            return false;
        }
        records.put(index, src, off, len);
        commitClaimed(index - RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + len);
        return true;
    }

    /**
     * Copies the bytes between {@code src}'s position and limit into the ring as one message and
     * commits it. The buffer's position is not changed.
     *
     * @return true, or false when the ring has not enough free space now
     * @throws IllegalArgumentException if the type is below 1 or the message too long
     */
    public boolean offer(int msgTypeId, ByteBuffer src) {
        int len = src.remaining();
        int index = claim(msgTypeId, len);
        if (index < 0) {
            return false;
        }
        records.put(index, src, src.position(), len);
        commitClaimed(index - RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + len);
        return true;
    }

    /**
     * Claims space for a message of {@code length} bytes, to be written in place into
     * {@link #buffer()} at {@code [index, index + length)} and then {@link #commit committed} or
     * {@link #abort aborted}. The consumer stops at a claimed message until then (other
     * producers' later messages wait behind it), so commit soon; a claim left longer than the
     * consumer's unblock timeout may be turned into padding under the producer's feet.
     *
     * @return the index of the message in {@link #buffer()}, or -1 when the ring has not enough
     *         free space now
     * @throws IllegalArgumentException if the type is below 1 or the length outside [0, {@link #maxMessageLength()}]
     */
    public int claim(int msgTypeId, int length) {
        checkOpen();
        checkMessage(msgTypeId, length);
        int recordLength = RECORD_HEADER_LENGTH + length;
        int recordIndex = claimSpace(align(recordLength));
        if (recordIndex < 0) {
            return -1;
        }
        INT.setRelease(records, recordIndex, -recordLength);
        // The claim mark is visible before any byte of the message: a record whose length reads 0
        // has nothing written yet, which is what unblock relies on.
        VarHandle.releaseFence();
        records.putInt(recordIndex + TYPE_IN_RECORD, msgTypeId);
        return recordIndex + RECORD_HEADER_LENGTH;
    }

    /**
     * The ring's record area, writable, in native byte order: where claimed messages are written
     * (at the index {@link #claim} returned). Shared by every producer thread: use only absolute
     * puts, and only inside your claim; anything else corrupts other messages.
     */
    public ByteBuffer buffer() {
        return records;
    }

    /**
     * Makes the message claimed at {@code index} visible to the consumer, and wakes a blocked one.
     *
     * @throws IllegalStateException if there is no claimed message at {@code index} (never
     *                               claimed, already committed or aborted, or unblocked by the consumer)
     */
    public void commit(int index) {
        checkOpen();
        int recordIndex = claimedRecord(index, "commit");
        commitClaimed(recordIndex, -(int) INT.getAcquire(records, recordIndex));
    }

    /**
     * Gives the space claimed at {@code index} up: the consumer skips it as padding.
     *
     * @throws IllegalStateException as {@link #commit}
     */
    public void abort(int index) {
        checkOpen();
        int recordIndex = claimedRecord(index, "abort");
        putRecordHeader(recordIndex, -(int) INT.getAcquire(records, recordIndex), PADDING_TYPE);
        wakeConsumers();
    }

    /** Writes every message of {@code messages} as one batch; see {@link #offerBatch(int, ByteBuffer[], int, int)}. */
    public boolean offerBatch(int msgTypeId, ByteBuffer... messages) {
        return offerBatch(msgTypeId, messages, 0, messages.length);
    }

    /**
     * Writes {@code messages[from, from + count)} (each the bytes between position and limit;
     * positions are not changed) as consecutive messages of type {@code msgTypeId} with one
     * claim of the tail and one commit: the consumer sees all of them or none, and a producer
     * killed half way loses the whole batch, never a part of it.
     *
     * @return true, or false when the ring has not enough free space for the whole batch now
     * @throws IllegalArgumentException if the type is below 1, a message is too long, or the
     *                                  batch takes more than {@link #maxBatchLength()} bytes
     */
    public boolean offerBatch(int msgTypeId, ByteBuffer[] messages, int from, int count) {
        checkOpen();
        Objects.checkFromIndexSize(from, count, messages.length);
        if (count == 0) {
            checkMessage(msgTypeId, 0);
            return true;
        }
        long total = 0;
        for (int i = from; i < from + count; i++) {
            int length = messages[i].remaining();
            checkMessage(msgTypeId, length);
            total += align(RECORD_HEADER_LENGTH + length);
        }
        if (total > maxBatchLength()) {
            throw new IllegalArgumentException("offerBatch of " + count + " messages (" + total + " bytes with headers) to " + this
                    + ": a batch may take at most " + maxBatchLength() + " bytes");
        }
        int first = claimSpace((int) total);
        if (first < 0) {
            return false;
        }
        // Until the commit, the first header claims the whole batch: unblocking it skips all of it.
        INT.setRelease(records, first, (int) -total);
        VarHandle.releaseFence();
        int recordIndex = first;
        for (int i = from; i < from + count; i++) {
            ByteBuffer message = messages[i];
            int length = message.remaining();
            records.putInt(recordIndex + TYPE_IN_RECORD, msgTypeId);
            records.put(recordIndex + RECORD_HEADER_LENGTH, message, message.position(), length);
            if (recordIndex != first) {
                // Plain: the release store of the first length below publishes it.
                records.putInt(recordIndex, RECORD_HEADER_LENGTH + length);
            }
            recordIndex += align(RECORD_HEADER_LENGTH + length);
        }
        commitClaimed(first, RECORD_HEADER_LENGTH + messages[from].remaining());
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
     * Reserves {@code required} bytes (a multiple of 8) at one contiguous index, after a padding
     * record when they do not fit before the end of the area. Returns the index or -1.
     */
    private int claimSpace(int required) {
        beatProducerIfDue();
        long head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        int tailIndex;
        int padding;
        while (true) {
            tailIndex = (int) tail & mask;
            int toEnd = capacity - tailIndex;
            padding = required > toEnd ? toEnd : 0;
            long needed = (long) required + padding;
            if (needed > capacity - (tail - head)) {
                head = (long) LONG.getAcquire(header, HEAD_OFFSET);
                if (needed > capacity - (tail - head)) {
                    return -1;
                }
                LONG.setOpaque(header, HEAD_CACHE_OFFSET, head);
            }
            if (producerMode == ProducerMode.SINGLE) {
                LONG.setRelease(header, TAIL_OFFSET, tail + needed);
                break;
            }
            long witness = (long) LONG.compareAndExchange(header, TAIL_OFFSET, tail, tail + needed);
            if (witness == tail) {
                break;
            }
            tail = witness;
            head = (long) LONG.getAcquire(header, HEAD_CACHE_OFFSET);
        }
        if (padding != 0) {
            putRecordHeader(tailIndex, padding, PADDING_TYPE);
            tailIndex = 0;
        }
        return tailIndex;
    }

    /** The type first, then the length with release: a consumer that reads the length sees the type. */
    private void putRecordHeader(int recordIndex, int length, int type) {
        records.putInt(recordIndex + TYPE_IN_RECORD, type);
        INT.setRelease(records, recordIndex, length);
    }

    private void commitClaimed(int recordIndex, int recordLength) {
        INT.setRelease(records, recordIndex, recordLength);
        wakeConsumers();
    }

    /** Checks that {@code index} is a claimed message's; returns its record index. */
    private int claimedRecord(int index, String operation) {
        int recordIndex = index - RECORD_HEADER_LENGTH;
        if (recordIndex < 0 || index > capacity || (index & (ALIGNMENT - 1)) != 0
                || (int) INT.getAcquire(records, recordIndex) >= 0) {
            throw new IllegalStateException(operation + "(index=" + index + ") of " + this
                    + ": no claimed message there (never claimed, already committed or aborted, or unblocked by the consumer)");
        }
        return recordIndex;
    }

    /**
     * Wakes blocked consumers after a commit; the same protocol as {@link FutexIdleStrategy#signal}
     * (the word and the waiter count are a signal block), on the ring's own view. The futex word
     * is touched only when a consumer may be asleep, so a commit without waiters costs a fence and
     * one read, not a locked read-modify-write on a line the consumer reads.
     *
     * <p>Why no wake-up is lost (a Dekker store-to-load pattern). The producer does: commit (release
     * store of the positive length), full fence, read {@code waiters}. A consumer does: read the
     * word ({@code w0}), add 1 to {@code waiters} (sequentially consistent), look at the ring
     * (acquire), sleep only while the word is still {@code w0}. The fence and the consumer's
     * atomic add forbid both the producer's read of {@code waiters} missing the add and the
     * consumer's look missing the commit, so:
     * <ul>
     * <li>if the producer's read comes before the consumer's add, the commit comes before it too,
     *     and the consumer's look after the add sees the record and does not sleep;</li>
     * <li>otherwise the producer sees {@code waiters > 0}, increments the word and calls
     *     {@code FUTEX_WAKE}; the increment comes after the consumer's read of {@code w0}, so the
     *     consumer's {@code FUTEX_WAIT} either finds the word changed and returns at once, or is
     *     already asleep and is woken.</li>
     * </ul>
     * A consumer stays counted while it loops (re-reading the word after each sleep), so every
     * commit in that time increments the word.
     */
    private void wakeConsumers() {
        // Store (the commit, before this call) -> load (waiters): only a full fence orders them.
        VarHandle.fullFence();
        if ((int) INT.getVolatile(header, WAITERS_OFFSET) > 0) {
            INT.getAndAdd(header, FUTEX_OFFSET, 1);
            Futex.wake(segment, offset + FUTEX_OFFSET, Integer.MAX_VALUE);
        }
    }

    // ---- consuming ----------------------------------------------------------------------------

    /**
     * Hands up to {@code limit} committed messages to {@code handler}, in order, and frees their
     * space with one release store of the head for the whole batch. Stops early at a message that
     * is claimed but not committed, and at the end of the record area (the next poll goes on from
     * its start). If the handler throws, the messages before it and the one it threw on are
     * consumed, and the exception propagates.
     *
     * <p>With {@link #unblockAfter(Duration)} set, a poll that finds nothing now and then checks
     * whether a dead producer blocks the ring, and unblocks it.
     *
     * @return how many messages the handler received
     * @throws IllegalStateException if a record's length is impossible (the ring is corrupt)
     */
    public int poll(MessageHandler handler, int limit) {
        checkOpen();
        beatConsumerIfDue();
        long head = (long) LONG.get(header, HEAD_OFFSET); // only the consumer writes it
        int headIndex = (int) head & mask;
        int contiguous = capacity - headIndex;
        int read = 0;
        int count = 0;
        try {
            while (read < contiguous && count < limit) {
                int recordIndex = headIndex + read;
                int length = (int) INT.getAcquire(records, recordIndex);
                if (length <= 0) {
                    break;
                }
                if (length < RECORD_HEADER_LENGTH || length > contiguous - read) {
                    throw new IllegalStateException("corrupt " + this + ": the record at position " + (head + read)
                            + " has length " + length + ", outside [" + RECORD_HEADER_LENGTH + ", " + (contiguous - read) + "]");
                }
                read += align(length);
                int type = records.getInt(recordIndex + TYPE_IN_RECORD);
                if (type == PADDING_TYPE) {
                    continue;
                }
                count++;
                readView.clear();
                handler.onMessage(type, readView, recordIndex + RECORD_HEADER_LENGTH, length - RECORD_HEADER_LENGTH);
            }
        } finally {
            if (read > 0) {
                // Free space is zero: a producer's record reads length 0 until it writes its claim.
                zero(headIndex, read);
                LONG.setRelease(header, HEAD_OFFSET, head + read);
            }
        }
        if (count == 0 && read == 0 && autoUnblockMillis >= 0 && ++emptyPolls >= UNBLOCK_CHECK_INTERVAL) {
            emptyPolls = 0;
            unblockAfterMillis(autoUnblockMillis);
        }
        return count;
    }

    /**
     * Polls until the ring is empty or blocked; returns the number of messages handled.
     *
     * @see #poll(MessageHandler, int)
     */
    public int drain(MessageHandler handler) {
        int total = 0;
        int n;
        do {
            n = poll(handler, Integer.MAX_VALUE);
            total += n;
        } while (n > 0 || recordReady());
        return total;
    }

    private void zero(int index, int length) {
        for (int done = 0; done < length; done += ZEROS.length) {
            records.put(index + done, ZEROS, 0, Math.min(ZEROS.length, length - done));
        }
    }

    /** Whether the record at the head is committed (a message or padding): a poll would make progress. */
    private boolean recordReady() {
        long head = (long) LONG.getAcquire(header, HEAD_OFFSET);
        return (int) INT.getAcquire(records, (int) head & mask) > 0;
    }

    /**
     * Makes every poll that finds the ring blocked by a claim older than {@code timeout}
     * unblock it, as {@link #unblock(Duration)} does; {@code null} turns it off (the default).
     * For the consumer thread.
     */
    public void unblockAfter(Duration timeout) {
        autoUnblockMillis = timeout == null ? -1 : checkTimeout(timeout);
        emptyPolls = 0;
    }

    /**
     * Skips claims that a dead producer left: a message claimed and never committed blocks the
     * consumer forever, so once such a claim is older than {@code timeout} it is turned into
     * padding and the consumer moves on. A claim is old when this consumer has seen the ring
     * blocked by it for longer than {@code timeout}: the first call that finds the ring blocked
     * notes the time and the tail, returns false, and from {@code timeout} later on every claim
     * below that tail that still blocks the ring is skipped. Only whole claims are skipped
     * (a whole batch, for a batch), never a committed message. Call it again and again (or let
     * {@link #unblockAfter(Duration) poll} do it): it returns true only once a timeout has passed.
     *
     * <p>The decision uses only this consumer's clock and what it saw, never the producers'
     * heartbeats: a heartbeat is written now and then, so an old heartbeat does not prove that
     * a claim is old.
     *
     * <p>A live producer that takes longer than {@code timeout} between its claim and its commit
     * loses its message and corrupts the ring: choose a timeout far above any pause a producer
     * can have (garbage collection, descheduling), seconds rather than milliseconds.
     *
     * @return whether a claim was turned into padding (poll then goes on)
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public boolean unblock(Duration timeout) {
        checkOpen();
        return unblockAfterMillis(checkTimeout(timeout));
    }

    private static long checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("unblock timeout " + timeout + " must be positive");
        }
        return Math.max(1, timeout.toMillis());
    }

    private boolean unblockAfterMillis(long timeoutMillis) {
        long head = (long) LONG.getAcquire(header, HEAD_OFFSET);
        long tail = (long) LONG.getAcquire(header, TAIL_OFFSET);
        if (head >= tail || (int) INT.getAcquire(records, (int) head & mask) > 0) {
            if (head >= blockedTail) {
                blockedSinceMillis = -1;
            }
            return false;
        }
        long now = clockMillis();
        if (blockedSinceMillis < 0 || head >= blockedTail) {
            // First sighting: every claim below this tail was made before now.
            blockedSinceMillis = now;
            blockedTail = tail;
            return false;
        }
        if (now - blockedSinceMillis <= timeoutMillis) {
            return false;
        }
        long safeLimit = blockedTail;
        boolean unblocked = false;
        long position = head;
        while (position < safeLimit) {
            int recordIndex = (int) position & mask;
            int length = (int) INT.getAcquire(records, recordIndex);
            if (length > 0) {
                break;
            }
            int extent;
            if (length < 0) {
                extent = align(-length);
                if (extent > capacity - recordIndex) {
                    throw new IllegalStateException("corrupt " + this + ": the claim at position " + position + " has length "
                            + length + ", beyond the end of the record area");
                }
            } else {
                // Nothing written yet: the claim reaches up to the next record that has a length.
                int limit = (int) Math.min(safeLimit - position, capacity - recordIndex);
                extent = ALIGNMENT;
                while (extent < limit && (int) INT.getAcquire(records, recordIndex + extent) == 0) {
                    extent += ALIGNMENT;
                }
            }
            putRecordHeader(recordIndex, extent, PADDING_TYPE);
            unblocked = true;
            position += extent;
        }
        return unblocked;
    }

    /**
     * Blocks the consumer until a record is ready at the head (a poll will make progress),
     * {@code timeout} passes, or the thread is interrupted (the interrupt status stays set). The
     * consumer counts itself in the ring's waiter count and sleeps on the ring's futex word;
     * producers that see a waiter counted after a commit bump the word and wake the sleepers. The
     * blocking counterpart of a {@link #futexIdleStrategy()} loop, for consumers that want one
     * call; the same as {@code jshm_ring_wait} in C.
     *
     * @return whether a record is ready
     */
    public boolean await(Duration timeout) {
        checkOpen();
        long timeoutNanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        boolean forever = timeoutNanos > Long.MAX_VALUE / 4;
        long deadline = System.nanoTime() + (forever ? 0 : timeoutNanos);
        // The consumer's half of the protocol in wakeConsumers: read the word, count in (seq-cst),
        // look at the ring (acquire), sleep only while the word still holds what was read. A
        // producer that commits after the look sees the count and increments the word.
        int seen = (int) INT.getVolatile(header, FUTEX_OFFSET);
        INT.getAndAdd(header, WAITERS_OFFSET, 1);
        try {
            while (true) {
                if (recordReady()) {
                    return true;
                }
                long remaining = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                Futex.await(segment, offset + FUTEX_OFFSET, seen, forever ? null : Duration.ofNanos(remaining));
                // Still counted: every commit from here on increments the word.
                seen = (int) INT.getVolatile(header, FUTEX_OFFSET);
            }
        } finally {
            INT.getAndAdd(header, WAITERS_OFFSET, -1);
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // ---- liveness -----------------------------------------------------------------------------

    /**
     * The heartbeat clock: {@code CLOCK_MONOTONIC} in milliseconds, which every process of the
     * host shares (on Linux, {@link System#nanoTime()} reads it).
     */
    public static long clockMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * When a producer last beat ({@link #clockMillis()}), or 0 if none ever did. A producer beats
     * on its first claim and then on every {@value #BEAT_INTERVAL}th (reading the clock costs
     * more than a claim), at most once a millisecond: a producer that offers less often than
     * {@value #BEAT_INTERVAL} times per heartbeat age it wants to show should also call
     * {@link #heartbeatProducer()} on its own schedule.
     */
    public long producerHeartbeat() {
        checkOpen();
        return (long) LONG.getAcquire(header, PRODUCER_HEARTBEAT_OFFSET);
    }

    /**
     * When the consumer last beat ({@link #clockMillis()}), or 0 if it never did. The consumer
     * beats on its first poll and then on every {@value #BEAT_INTERVAL}th, at most once a
     * millisecond; see {@link #heartbeatConsumer()}.
     */
    public long consumerHeartbeat() {
        checkOpen();
        return (long) LONG.getAcquire(header, CONSUMER_HEARTBEAT_OFFSET);
    }

    /** The process id of the producer that beat last, or 0. */
    public int producerPid() {
        checkOpen();
        return (int) INT.getAcquire(header, PRODUCER_PID_OFFSET);
    }

    /** The process id of the consumer that beat last, or 0. */
    public int consumerPid() {
        checkOpen();
        return (int) INT.getAcquire(header, CONSUMER_PID_OFFSET);
    }

    /** Whether a producer beat within {@code maxAge}. */
    public boolean isProducerAlive(Duration maxAge) {
        return isRecent(producerHeartbeat(), maxAge);
    }

    /** Whether the consumer beat within {@code maxAge}. */
    public boolean isConsumerAlive(Duration maxAge) {
        return isRecent(consumerHeartbeat(), maxAge);
    }

    private static boolean isRecent(long beat, Duration maxAge) {
        return beat != 0 && clockMillis() - beat <= maxAge.toMillis();
    }

    /** Records that a producer in this process is alive now: for producers that offer seldom. */
    public void heartbeatProducer() {
        checkOpen();
        writeProducerBeat(clockMillis());
    }

    /** Records that the consumer is alive now: for consumers that poll seldom (or block long). */
    public void heartbeatConsumer() {
        checkOpen();
        writeConsumerBeat(clockMillis());
    }

    /**
     * Beats on every {@value #BEAT_INTERVAL}th claim, if the millisecond changed: reading the
     * clock costs more than the rest of a claim.
     */
    private void beatProducerIfDue() {
        if ((producerClaims++ & (BEAT_INTERVAL - 1)) == 0) {
            long now = clockMillis();
            if (now != producerBeatMillis) {
                writeProducerBeat(now);
            }
        }
    }

    private void writeProducerBeat(long now) {
        producerBeatMillis = now;
        INT.setOpaque(header, PRODUCER_PID_OFFSET, PID);
        LONG.setRelease(header, PRODUCER_HEARTBEAT_OFFSET, now);
    }

    /** Beats on every {@value #BEAT_INTERVAL}th poll, if the millisecond changed. */
    private void beatConsumerIfDue() {
        if ((consumerPolls++ & (BEAT_INTERVAL - 1)) == 0) {
            long now = clockMillis();
            if (now != consumerBeatMillis) {
                writeConsumerBeat(now);
            }
        }
    }

    private void writeConsumerBeat(long now) {
        consumerBeatMillis = now;
        INT.setOpaque(header, CONSUMER_PID_OFFSET, PID);
        LONG.setRelease(header, CONSUMER_HEARTBEAT_OFFSET, now);
    }

    private void checkOpen() {
        if (segment.isClosed()) {
            throw new IllegalStateException("Already closed: " + segment + " (holding " + this + ")");
        }
    }
}
