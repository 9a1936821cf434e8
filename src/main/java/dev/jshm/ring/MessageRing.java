package dev.jshm.ring;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.SignalBlock;

/**
 * A bounded ring of variable-length messages in shared memory, which processes (Java, or C with
 * {@code jshm_ring.h}) use to pass messages to one consumer: agrona's {@code RingBuffer} over a
 * jshm {@link Segment} of any kind, with one class per producer mode behind this interface
 * ({@link ProducerMode#SINGLE} like agrona's {@code OneToOneRingBuffer},
 * {@link ProducerMode#MANY} like its {@code ManyToOneRingBuffer}). The layout and the protocol
 * are {@code docs/ring-format.md}.
 *
 * <p>The zero-copy path first: claim a region, write the message in place, commit; the
 * consumer's handler reads it in place.
 * <pre>{@code
 * int capacity = 1 << 16;
 * try (PosixSegment segment = PosixSegment.create("/orders", MessageRing.requiredSize(capacity))) {
 *     MessageRing ring = MessageRing.create(segment, capacity);        // or attach(segment) elsewhere
 *     int index = ring.claim(1, 16);                                   // producer: -1 when full
 *     if (index >= 0) {
 *         ring.buffer().putLong(index, orderId).putLong(index + 8, price);
 *         ring.commit(index);
 *     }
 *     ring.offer(1, bytes, 0, bytes.length);                           // or copy: false when full
 *     ring.poll((type, buffer, offset, length) -> { ... }, 100);       // consumer
 * }
 * }</pre>
 *
 * <p>Messages: a type id ({@code >= 1}) and 0 to {@link #maxMessageLength()} bytes, seen whole,
 * in the order of their claims, never a part of one; a producer killed half way leaves a claim
 * that {@link #unblock(Duration)} turns into padding.
 *
 * <p>A peer that writes anything into the ring's memory never makes this code read or write
 * outside the ring, loop without bound, or fail with a raw JDK exception: a value no correct
 * peer writes is reported as a {@link RingCorruptedException} naming the ring, the field and
 * the position, before it is used.
 *
 * <p>Truncation: a POSIX object or file that another process truncates under the ring never
 * crashes this process (see {@link Segment#checkBacked}); the ring's memory past the cut reads as
 * zero pages. Every method of a ring that touches the ring's memory then throws
 * {@link dev.jshm.SegmentFaultException} naming itself and the ring, after its accesses (not
 * {@link #attach(Segment, long)}, which does not check: see there): a claim index, a poll's
 * count, an await's wake-up, a position or a heartbeat read from the zero pages is never
 * returned. The check comes before any {@link RingCorruptedException} or "not claimed"
 * error built from what was read, so a truncation is reported as a truncation. A handler that
 * {@link #poll} calls may read zeros from the message it is given; the poll then throws
 * {@code SegmentFaultException} after it (in place of the handler's own exception, if any).
 * {@link #buffer()} is a view: a producer's writes at a claimed index are covered by the check of
 * {@link #commit}. On System V, which cannot be truncated, there is nothing to check.
 *
 * <p>Thread-safety: producing ({@code offer}, {@code offerBatch}, {@code claim},
 * {@code commit}, {@code abort}) is safe from any number of threads and processes for a
 * {@link ProducerMode#MANY} ring, and from one thread at a time for a {@link ProducerMode#SINGLE}
 * one. Consuming ({@code poll}, {@code drain}, {@code unblock}, {@code await}) is for one thread
 * in one process at a time. The other methods may be called from any thread. The ring does not
 * own the segment: close the segment when every ring in it is no longer used; after that every
 * method that touches the ring throws {@link IllegalStateException}. Producing and consuming
 * allocate nothing.
 */
public interface MessageRing {

    /** The smallest capacity, in bytes. */
    int MIN_CAPACITY_BYTES = RingDescriptor.MIN_CAPACITY;
    /** The largest capacity, in bytes (a {@link ByteBuffer} must hold the record area). */
    int MAX_CAPACITY_BYTES = RingDescriptor.MAX_CAPACITY;

    /**
     * The bytes a ring of {@code capacity} takes in a segment: the 512-byte header plus the
     * capacity.
     *
     * @param capacity bytes of record area
     * @return the bytes the ring takes, header included
     * @throws IllegalArgumentException if the capacity is not a power of two in
     *                                  [{@value #MIN_CAPACITY_BYTES}, {@value #MAX_CAPACITY_BYTES}]
     */
    static long requiredSize(int capacity) {
        RingDescriptor.checkCapacity(capacity);
        return (long) RingDescriptor.HEADER_LENGTH + capacity;
    }

    /**
     * Formats a {@link ProducerMode#SINGLE} ring at the start of {@code segment}; see
     * {@link #create(Segment, long, int, ProducerMode)}, which says how it fails.
     *
     * @param segment  where the ring lives, writable
     * @param capacity bytes of record area: a power of two in
     *                 [{@value #MIN_CAPACITY_BYTES}, {@value #MAX_CAPACITY_BYTES}]
     * @return the new ring
     */
    static MessageRing create(Segment segment, int capacity) {
        return create(segment, 0, capacity, ProducerMode.SINGLE);
    }

    /**
     * Formats a ring at the start of {@code segment}; see
     * {@link #create(Segment, long, int, ProducerMode)}, which says how it fails.
     *
     * @param segment      where the ring lives, writable
     * @param capacity     bytes of record area: a power of two in
     *                     [{@value #MIN_CAPACITY_BYTES}, {@value #MAX_CAPACITY_BYTES}]
     * @param producerMode one producer thread at a time, or any number
     * @return the new ring
     */
    static MessageRing create(Segment segment, int capacity, ProducerMode producerMode) {
        return create(segment, 0, capacity, producerMode);
    }

    /**
     * Formats a ring of {@code capacity} bytes at {@code offset} in {@code segment}: zeroes the
     * header and the records, writes the fields, and writes the magic number last (a release
     * store), so a process that attaches before the end sees no ring rather than half of one. No
     * other process may use the memory while it is formatted.
     *
     * @param segment      where the ring lives, writable
     * @param offset       where the ring starts; the address must be 8-byte aligned (64 keeps the
     *                     header's cache lines apart)
     * @param capacity     bytes of record area: a power of two in
     *                     [{@value #MIN_CAPACITY_BYTES}, {@value #MAX_CAPACITY_BYTES}]
     * @param producerMode one producer thread at a time, or any number; recorded in the header
     * @return the new ring
     * @throws IllegalArgumentException  if the capacity is not a power of two in range, the
     *                                   segment is read-only, or the address is not aligned
     * @throws IndexOutOfBoundsException if the ring does not fit in the segment at {@code offset}
     * @throws IllegalStateException     if the segment is closed
     * @throws dev.jshm.SegmentFaultException if another process cut the ring's memory off
     */
    static MessageRing create(Segment segment, long offset, int capacity, ProducerMode producerMode) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(producerMode, "producerMode");
        long size = requiredSize(capacity);
        var header = RingDescriptor.headerView(segment, offset, size, "create");
        int flags = producerMode == ProducerMode.MANY ? RingDescriptor.FLAG_MANY_PRODUCERS : 0;
        RingDescriptor.format(segment, offset, size, header, capacity, flags);
        return AbstractMessageRing.open(segment, offset, header, capacity, flags);
    }

    /**
     * Attaches to the ring at the start of {@code segment}; see {@link #attach(Segment, long)},
     * which says how it fails.
     *
     * @param segment where the ring lives, writable
     * @return the ring, in the producer mode its header records
     */
    static MessageRing attach(Segment segment) {
        return attach(segment, 0);
    }

    /**
     * Attaches to the ring another process (or this one) created at {@code offset} in
     * {@code segment}, after checking its header: the magic number (read with an acquire load),
     * the layout version, the header fields, and that the capacity fits in the segment. The
     * capacity and flags are read once, here: a peer that changes them later changes nothing.
     *
     * <p>A header that another process cut off (a truncated POSIX object or file) reads as zeros:
     * attach reports that as a {@link SegmentFaultException}, not as a format error.
     *
     * @param segment where the ring lives, writable
     * @param offset  where the ring starts, as it was given to {@code create}
     * @return the ring, in the producer mode its header records
     * @throws RingFormatException      naming what is wrong: no ring (magic 0: never formatted or
     *                                  formatted half way), not a ring, another version, a bad
     *                                  field, or a segment too small for the header at
     *                                  {@code offset} (a negative offset included) or for the
     *                                  recorded capacity
     * @throws IllegalArgumentException if the segment is read-only or the address not 8-byte aligned
     * @throws IllegalStateException    if the segment is closed
     * @throws SegmentFaultException    if the header was cut off by a truncation
     */
    static MessageRing attach(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        RingDescriptor.checkRoomForHeader(segment, offset);
        var header = RingDescriptor.headerView(segment, offset, RingDescriptor.HEADER_LENGTH, "attach");
        try {
            RingDescriptor.validate(segment, offset, header);
        } catch (RingFormatException e) {
            // A header cut off by a truncation reads as zeros: that is a truncation, and said so.
            try {
                segment.checkBacked(offset, RingDescriptor.HEADER_LENGTH);
            } catch (SegmentFaultException cut) {
                SegmentFaultException reported = new SegmentFaultException("attach of the ring at offset " + offset
                        + ": its header was cut off by a truncation (" + cut.getMessage() + ")", e.operation());
                reported.addSuppressed(e);
                throw reported;
            }
            throw e;
        }
        return AbstractMessageRing.open(segment, offset, header, header.getInt(RingDescriptor.CAPACITY_OFFSET),
                header.getInt(RingDescriptor.FLAGS_OFFSET));
    }

    /**
     * The heartbeat clock: {@code CLOCK_MONOTONIC} in milliseconds, which every process of the
     * host shares (on Linux, {@link System#nanoTime()} reads it).
     *
     * @return the clock now, in milliseconds
     */
    static long clockMillis() {
        return RingHeartbeats.clockMillis();
    }

    // ---- what the ring is ---------------------------------------------------------------------

    /**
     * {@return the size of the record area in bytes: a power of two}
     * A {@link ProducerMode#SINGLE} ring holds at most {@code capacity - 8} bytes of records: its
     * producer keeps the header after its last claim free and cleared, which is where a poll stops.
     */
    int capacity();

    /** {@return the longest message, in bytes: capacity / 8} */
    int maxMessageLength();

    /**
     * {@return the most bytes one {@link #offerBatch} may take: capacity / 2} Every message
     * counts with its 8-byte header, rounded up to 8.
     */
    int maxBatchLength();

    /** {@return whether one or many producers may write} */
    ProducerMode producerMode();

    /** {@return the segment the ring lives in} */
    Segment segment();

    /** {@return where the ring starts in {@link #segment()}} */
    long offset();

    /** {@return the position after the last claimed byte: bytes claimed since the ring was created} */
    long tailPosition();

    /** {@return the position of the next record to read: bytes consumed since the ring was created} */
    long headPosition();

    /**
     * {@return how many bytes are claimed and not yet consumed (records, their headers, padding)}
     * A snapshot in [0, capacity].
     */
    int size();

    /**
     * {@return the ring's sleepers flag: non-zero when a consumer (in any process) may be asleep}
     * Asleep in {@link #await} or a {@link #futexIdleStrategy()}, or about to sleep; the next
     * commit clears it and wakes them.
     */
    int waiters();

    /**
     * {@return where the ring's {@link SignalBlock} is in {@link #segment()}} It takes
     * {@link SignalBlock#SIZE} bytes; for a {@link FutexIdleStrategy} with parameters of your own.
     */
    long futexOffset();

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
     *
     * @return a new strategy, for one consumer thread
     */
    FutexIdleStrategy futexIdleStrategy();

    // ---- producing ----------------------------------------------------------------------------

    /**
     * Claims space for a message of {@code length} bytes, to be written in place into
     * {@link #buffer()} at {@code [index, index + length)} and then {@link #commit committed} or
     * {@link #abort aborted}: the zero-copy path. The consumer stops at a claimed message until
     * then (other producers' later messages wait behind it), so commit soon; a claim left longer
     * than the consumer's unblock timeout may be turned into padding under the producer's feet.
     *
     * @param msgTypeId the message's type, at least 1
     * @param length    the message's length in bytes, in [0, {@link #maxMessageLength()}]
     * @return the index of the message in {@link #buffer()}, or -1 when the ring has not enough
     *         free space now
     * @throws IllegalArgumentException if the type is below 1 or the length outside [0, {@link #maxMessageLength()}]
     * @throws RingCorruptedException   if the ring's positions are impossible
     */
    int claim(int msgTypeId, int length);

    /**
     * {@return the ring's record area, writable, in native byte order} Claimed messages are
     * written there, at the index {@link #claim} returned. Shared by every producer thread: use
     * only absolute puts, and only inside your claim; anything else corrupts other messages.
     * Does not check that the segment is open: after it is closed, writes through the buffer land
     * in private memory that no other process sees, and {@link #commit} throws.
     */
    ByteBuffer buffer();

    /**
     * Makes the message claimed at {@code index} visible to the consumer, and wakes a blocked one.
     *
     * <p>The producer of a {@link ProducerMode#SINGLE} ring commits its last open claim from its
     * own record of it, without reading the claim's header back (the consumer is waiting on that
     * cache line): a peer's scribble over the claim mark is written over with the claimed length,
     * and a claim that the consumer unblocked (see {@link #unblock}) is committed into free space
     * behind the head, which no consumer reads. Every other index is read and checked.
     *
     * @param index what {@link #claim} returned
     * @throws IllegalStateException  if there is no claimed message at {@code index} (never
     *                                claimed, already committed or aborted, or unblocked by the
     *                                consumer; see above for a single producer's last claim)
     * @throws RingCorruptedException if the claim's length, read, is impossible
     */
    void commit(int index);

    /**
     * Gives the space claimed at {@code index} up: the consumer skips it as padding.
     *
     * @param index what {@link #claim} returned
     * @throws IllegalStateException  if there is no claimed message at {@code index}, as for
     *                                {@link #commit} (which also says how a single producer's
     *                                last claim is aborted without reading it back)
     * @throws RingCorruptedException if the claim's length, read, is impossible
     */
    void abort(int index);

    /**
     * Copies {@code src[off, off + len)} into the ring as one message of type {@code msgTypeId}
     * and commits it.
     *
     * @param msgTypeId the message's type, at least 1
     * @param src       holds the message
     * @param off       where the message starts in {@code src}
     * @param len       the message's length in bytes, at most {@link #maxMessageLength()}
     * @return true, or false when the ring has not enough free space now (nothing is written)
     * @throws IllegalArgumentException  if the type is below 1 or the message longer than {@link #maxMessageLength()}
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}
     * @throws RingCorruptedException    if the ring's positions are impossible
     */
    boolean offer(int msgTypeId, byte[] src, int off, int len);

    /**
     * Copies the bytes between {@code src}'s position and limit into the ring as one message and
     * commits it. The buffer's position is not changed.
     *
     * @param msgTypeId the message's type, at least 1
     * @param src       holds the message between its position and limit, at most
     *                  {@link #maxMessageLength()} bytes
     * @return true, or false when the ring has not enough free space now (nothing is written)
     * @throws IllegalArgumentException if the type is below 1 or the message too long
     * @throws RingCorruptedException   if the ring's positions are impossible
     */
    boolean offer(int msgTypeId, ByteBuffer src);

    /**
     * Copies {@code len} bytes of {@code src} from index {@code off} into the ring as one message
     * and commits it, whatever the buffer's position; neither its position nor its limit changes.
     * A handler forwards what it was handed this way: {@code out.offer(type, buffer, offset,
     * length)}, as Agrona's {@code write(msgTypeId, srcBuffer, offset, length)} does.
     *
     * @param msgTypeId the message's type, at least 1
     * @param src       holds the message
     * @param off       where the message starts in {@code src}
     * @param len       the message's length in bytes, at most {@link #maxMessageLength()}
     * @return true, or false when the ring has not enough free space now (nothing is written)
     * @throws IllegalArgumentException  if the type is below 1 or the message longer than {@link #maxMessageLength()}
     * @throws IndexOutOfBoundsException if the range does not fit below {@code src}'s limit (or {@code off}
     *                                   or {@code len} is negative)
     * @throws RingCorruptedException    if the ring's positions are impossible
     */
    boolean offer(int msgTypeId, ByteBuffer src, int off, int len);

    /**
     * Writes every message of {@code messages} as one batch; see
     * {@link #offerBatch(int, ByteBuffer[], int, int)}, which says how it fails.
     *
     * @param msgTypeId the type of every message, at least 1
     * @param messages  the messages, each the bytes between its position and limit
     * @return true, or false when the ring has not enough free space for the whole batch now
     */
    default boolean offerBatch(int msgTypeId, ByteBuffer... messages) {
        return offerBatch(msgTypeId, messages, 0, messages.length);
    }

    /**
     * Writes {@code messages[from, from + count)} (each the bytes between position and limit;
     * positions are not changed) as consecutive messages of type {@code msgTypeId} with one
     * claim of the tail and one commit: the consumer sees all of them or none, and a producer
     * killed half way loses the whole batch, never a part of it. An empty batch writes nothing
     * and returns true.
     *
     * @param msgTypeId the type of every message, at least 1
     * @param messages  holds the messages
     * @param from      the first message to write
     * @param count     how many messages to write
     * @return true, or false when the ring has not enough free space for the whole batch now
     *         (nothing is written)
     * @throws IllegalArgumentException  if the type is below 1, a message is too long, or the
     *                                   batch takes more than {@link #maxBatchLength()} bytes
     * @throws IndexOutOfBoundsException if {@code [from, from + count)} is not inside
     *                                   {@code messages}
     * @throws RingCorruptedException    if the ring's positions are impossible
     */
    boolean offerBatch(int msgTypeId, ByteBuffer[] messages, int from, int count);

    // ---- consuming ----------------------------------------------------------------------------

    /**
     * Hands up to {@code limit} committed messages to {@code handler}, in order and in place (no
     * copy), and frees their space with one release store of the head for the whole batch. Stops
     * early at a message that is claimed but not committed, and at the end of the record area
     * (the next poll goes on from its start). If the handler throws, the messages before it and
     * the one it threw on are consumed, and the exception propagates.
     *
     * <p>With {@link #unblockAfter(Duration)} set, a poll that finds nothing now and then checks
     * whether a dead producer blocks the ring, and unblocks it.
     *
     * @param handler receives each message
     * @param limit   the most messages to hand over; 0 or less hands over none
     * @return how many messages the handler received
     * @throws RingCorruptedException if the head, or a record's length or type, is impossible;
     *                                the messages before it are consumed, the corrupt one is not
     */
    int poll(MessageHandler handler, int limit);

    /**
     * Polls until the ring is empty or blocked by a claim not yet committed, wrapping around the
     * end of the record area. Messages committed meanwhile are handled too, so a producer that
     * keeps up keeps it polling.
     *
     * @param handler receives each message
     * @return how many messages the handler received
     * @throws RingCorruptedException as for {@link #poll(MessageHandler, int)}
     * @see #poll(MessageHandler, int)
     */
    int drain(MessageHandler handler);

    /**
     * Makes every poll that finds the ring blocked by a claim older than {@code timeout}
     * unblock it, as {@link #unblock(Duration)} does; {@code null} turns it off (the default).
     * The check runs on every 1024th poll when that poll finds nothing (on a blocked ring, every
     * poll does). For the consumer thread; it touches no shared memory.
     *
     * @param timeout how old a blocking claim must be, positive, to the millisecond; {@code null}
     *                for never
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    void unblockAfter(Duration timeout);

    /**
     * Skips claims that a dead producer left: a message claimed and never committed blocks the
     * consumer forever, so once such a claim is older than {@code timeout} it is turned into
     * padding and the consumer moves on. A claim is old when this consumer has seen the ring
     * blocked by it for longer than {@code timeout}: the first call that finds the ring blocked
     * notes the time and the tail, returns false, and from {@code timeout} later on every claim
     * below that tail that still blocks the ring is skipped. Only whole claims are skipped
     * (a whole batch, for a batch), never a committed message. Every length stepped over is
     * checked; one call steps over at most {@link #capacity()} bytes.
     *
     * <p>The decision uses only this consumer's clock and what it saw, never the producers'
     * heartbeats: a heartbeat is written now and then, so an old heartbeat does not prove that
     * a claim is old.
     *
     * <p>A live producer that takes longer than {@code timeout} between its claim and its commit
     * loses its message and corrupts the ring: choose a timeout far above any pause a producer
     * can have (garbage collection, descheduling), seconds rather than milliseconds.
     *
     * @param timeout how old a blocking claim must be, positive; measured in whole milliseconds
     *                (at least 1)
     * @return whether a claim was turned into padding (poll then goes on)
     * @throws IllegalArgumentException if the timeout is not positive
     * @throws RingCorruptedException   if the head, the tail, or a claim's length at the head is
     *                                  impossible
     */
    boolean unblock(Duration timeout);

    /**
     * Blocks the consumer until a record is ready at the head (a poll will make progress),
     * {@code timeout} passes, or the thread is interrupted (the interrupt status stays set),
     * following the protocol of the ring's {@link SignalBlock}: the blocking counterpart of a
     * {@link #futexIdleStrategy()} loop, and the same as {@code jshm_ring_wait} in C. A record
     * may be padding, which the next poll consumes without handing a message over.
     *
     * @param timeout the longest wait, not null; zero or negative looks without sleeping;
     *                {@code Long.MAX_VALUE / 4} nanoseconds (about 73 years) or longer waits without
     *                limit (the rule of {@link dev.jshm.sync.Futex}'s timeouts too)
     * @return whether a record is ready; false after the timeout or an interrupt
     * @throws dev.jshm.ShmException if the kernel refuses the futex wait
     */
    boolean await(Duration timeout);

    // ---- liveness -----------------------------------------------------------------------------

    /**
     * {@return when a producer last beat ({@link #clockMillis()}), or 0 if none ever did} A
     * producer beats on its first claim and then on every 64th (reading the clock costs more than
     * a claim; this library's producer also on a claim that needs padding or finds the ring full),
     * at most once a millisecond: a producer that offers seldom should also call
     * {@link #heartbeatProducer()} on its own schedule.
     */
    long producerHeartbeat();

    /**
     * {@return when the consumer last beat ({@link #clockMillis()}), or 0 if it never did} The
     * consumer beats on its first poll, then on every 64th that finds a record at the head (a
     * message, padding, a claim) and every 1024th that finds none (a consumer spinning on an
     * empty ring polls every few nanoseconds), at most once a millisecond; a consumer that polls
     * seldom should also call {@link #heartbeatConsumer()} on its own schedule.
     */
    long consumerHeartbeat();

    /** {@return the process id of the producer that beat last, or 0} */
    int producerPid();

    /** {@return the process id of the consumer that beat last, or 0} */
    int consumerPid();

    /**
     * {@return whether a producer beat within {@code maxAge}} False if none ever did.
     *
     * @param maxAge the oldest beat that counts, to the millisecond
     */
    default boolean isProducerAlive(Duration maxAge) {
        return RingHeartbeats.isRecent(producerHeartbeat(), maxAge);
    }

    /**
     * {@return whether the consumer beat within {@code maxAge}} False if it never did.
     *
     * @param maxAge the oldest beat that counts, to the millisecond
     */
    default boolean isConsumerAlive(Duration maxAge) {
        return RingHeartbeats.isRecent(consumerHeartbeat(), maxAge);
    }

    /** Records that a producer in this process is alive now: for producers that offer seldom. */
    void heartbeatProducer();

    /** Records that the consumer is alive now: for consumers that poll seldom (or block long). */
    void heartbeatConsumer();
}
