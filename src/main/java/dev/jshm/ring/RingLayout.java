package dev.jshm.ring;

/**
 * The binary layout of a ring, version 2: offsets and constants, the Java twin of
 * {@code src/main/c/jshm_ring.h}. The full description is {@code docs/ring-format.md}; change
 * the three together, and the version with them.
 */
final class RingLayout {

    /** The bytes "JSHMRING" read as a little-endian long; written last by create. */
    static final long MAGIC = 0x474E49524D48534AL;
    static final int VERSION = 2;

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

    // Blocking consumers.
    static final int FUTEX_OFFSET = 384;
    static final int WAITERS_OFFSET = 388;

    // Records.
    static final int RECORD_HEADER_LENGTH = 8;
    static final int LENGTH_IN_RECORD = 0;
    static final int TYPE_IN_RECORD = 4;
    static final int ALIGNMENT = 8;
    static final int PADDING_TYPE = -1;

    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 30;

    private RingLayout() {
    }

    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
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
}
