package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.LONG;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import dev.jshm.Segment;
import dev.jshm.sync.SignalBlock;

/**
 * The ring's header, version 5: its offsets, its constants and the checks that make a header
 * trustworthy; the Java twin of {@code struct jshm_ring_header} in {@code src/main/c/jshm_ring.h}.
 * {@code docs/ring-format.md} is the full description; change the three together, and the
 * version with them ({@code RingLayoutTest} compares Java and C).
 *
 * <pre>
 *   0     magic, version, flags, capacity, max_message_length, header_length  (create; read-only)
 *   128   tail, head_cache, producer heartbeat and pid                        (producers)
 *   256   head, consumer heartbeat and pid                                    (the consumer)
 *   384   signal block: futex word, sleepers flag                             (wake-ups)
 *   512   records ...
 * </pre>
 * Four 128-byte blocks, so that what producers write, what the consumer writes and the wake-up
 * word never share a cache line nor an adjacent-line prefetch pair.
 */
final class RingDescriptor {

    /** The bytes "JSHMRING" read as a little-endian long; written last by create. */
    static final long MAGIC = 0x474E49524D48534AL;
    static final int VERSION = 5;

    static final int FLAG_MANY_PRODUCERS = 0x1;
    static final int KNOWN_FLAGS = FLAG_MANY_PRODUCERS;

    static final int HEADER_LENGTH = 512;

    // Written once by create.
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int FLAGS_OFFSET = 12;
    static final int CAPACITY_OFFSET = 16;
    static final int MAX_MESSAGE_LENGTH_OFFSET = 20;
    static final int HEADER_LENGTH_OFFSET = 24;

    // Written by producers (their own 128 bytes).
    static final int TAIL_OFFSET = 128;
    static final int HEAD_CACHE_OFFSET = 136;
    static final int PRODUCER_HEARTBEAT_OFFSET = 144;
    static final int PRODUCER_PID_OFFSET = 152;

    // Written by the consumer.
    static final int HEAD_OFFSET = 256;
    static final int CONSUMER_HEARTBEAT_OFFSET = 264;
    static final int CONSUMER_PID_OFFSET = 272;

    // Blocking consumers: a SignalBlock.
    static final int SIGNAL_BLOCK_OFFSET = 384;
    static final int FUTEX_OFFSET = SIGNAL_BLOCK_OFFSET + SignalBlock.WORD_OFFSET;
    static final int SLEEPERS_OFFSET = SIGNAL_BLOCK_OFFSET + SignalBlock.SLEEPERS_OFFSET;

    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 30;

    private RingDescriptor() {
    }

    static int maxMessageLength(int capacity) {
        return capacity / 8;
    }

    static int maxBatchLength(int capacity) {
        return capacity / 2;
    }

    static boolean capacityOk(int capacity) {
        return capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && Integer.bitCount(capacity) == 1;
    }

    static void checkCapacity(int capacity) {
        if (!capacityOk(capacity)) {
            throw new IllegalArgumentException("ring capacity " + capacity + " must be a power of two in [" + MIN_CAPACITY
                    + ", " + MAX_CAPACITY + "]");
        }
    }

    /** The header view for create or attach: writable, inside the segment, 8-byte aligned. */
    static ByteBuffer headerView(Segment segment, long offset, long size, String operation) {
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(operation + " a ring in " + segment + ": the segment is read-only; "
                    + "producers and consumers both write to a ring");
        }
        if (offset < 0 || offset > segment.size() - size) {
            throw new IndexOutOfBoundsException(operation + " a ring: offset=" + offset + " length=" + size + " size="
                    + segment.size() + " of " + segment);
        }
        ByteBuffer header = segment.asByteBuffer(offset, HEADER_LENGTH);
        if (header.alignmentOffset(0, RecordDescriptor.ALIGNMENT) != 0) {
            throw new IllegalArgumentException(operation + " a ring at offset " + offset + " of " + segment
                    + ": the address is not 8-byte aligned (atomic accesses need it)");
        }
        return header;
    }

    /**
     * Formats the header (the record area is zeroed by the caller's fill): magic 0 first, the
     * fields, the version, then the magic with a release store, so an attacher sees no ring
     * rather than half of one.
     */
    static void format(Segment segment, long offset, long size, ByteBuffer header, int capacity, int flags) {
        LONG.setRelease(header, MAGIC_OFFSET, 0L);
        VarHandle.releaseFence();
        segment.fill(offset + Long.BYTES, size - Long.BYTES, (byte) 0);
        header.putInt(FLAGS_OFFSET, flags);
        header.putInt(CAPACITY_OFFSET, capacity);
        header.putInt(MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength(capacity));
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, VERSION);
        LONG.setRelease(header, MAGIC_OFFSET, MAGIC);
    }

    /**
     * Checks an existing header, in the order of {@code docs/ring-format.md}, and returns its
     * flags; the capacity is then {@code header.getInt(CAPACITY_OFFSET)}, which attach reads once
     * and never again (a peer that changes it later cannot move our bounds).
     */
    static void validate(Segment segment, long offset, ByteBuffer header) {
        String where = "the ring at offset " + offset + " of " + segment;
        String operation = "MessageRing.attach(offset=" + offset + ") of " + segment;
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
        if (!capacityOk(capacity)) {
            bad = "capacity " + capacity + " is not a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]";
        } else if (headerLength != HEADER_LENGTH) {
            bad = "header length " + headerLength + " is not " + HEADER_LENGTH;
        } else if (maxMessage != maxMessageLength(capacity)) {
            bad = "maximum message length " + maxMessage + " is not capacity / 8 = " + maxMessageLength(capacity);
        } else if ((flags & ~KNOWN_FLAGS) != 0) {
            bad = "flags 0x" + Integer.toHexString(flags) + " has unknown bits";
        }
        if (bad != null) {
            throw new RingFormatException(RingFormatException.Reason.BAD_HEADER, "cannot attach " + where + ": " + bad, operation);
        }
        if (capacity > segment.size() - offset - HEADER_LENGTH) {
            throw new RingFormatException(RingFormatException.Reason.TOO_SMALL, "cannot attach " + where + ": its capacity "
                    + capacity + " needs " + ((long) HEADER_LENGTH + capacity) + " bytes from offset " + offset
                    + " but the segment has only " + (segment.size() - offset), operation);
        }
    }

    /** Refuses an offset with no room for the header, before any view is taken. */
    static void checkRoomForHeader(Segment segment, long offset) {
        if (offset < 0 || offset > segment.size() - HEADER_LENGTH) {
            throw new RingFormatException(RingFormatException.Reason.TOO_SMALL, "cannot attach the ring at offset " + offset
                    + " of " + segment + ": the segment has " + segment.size() + " bytes, too few for a " + HEADER_LENGTH
                    + "-byte ring header at offset " + offset, "MessageRing.attach(offset=" + offset + ") of " + segment);
        }
    }
}
