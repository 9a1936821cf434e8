package dev.jshm.ring;

import java.nio.ByteOrder;

/**
 * A record in the ring's record area, the Java twin of the record description in
 * {@code src/main/c/jshm_ring.h}. Every record starts at an 8-byte aligned index:
 *
 * <pre>
 *   0                   4                   8
 *   +-------------------+-------------------+---------------------------------+- - - - -+
 *   |  length (i32)     |  type (i32)       |  payload: length - 8 bytes      | to 8    |
 *   +-------------------+-------------------+---------------------------------+- - - - -+
 *
 *   length   header + payload bytes, not rounded up
 *              0  free: nothing written (many producers: free space is all zero; one
 *                 producer: it clears the header after each claim, older bytes stay)
 *            < 0  claimed, not ready: -length bytes from here belong to one claim
 *            > 0  committed
 *   type     >= 1 for a message, -1 for padding that the consumer skips
 * </pre>
 *
 * A record takes its length rounded up to 8. Lengths read from shared memory are a peer's word:
 * {@link #committedLengthOk} and {@link #claimExtentOk} are the only ways a length becomes an
 * index.
 */
final class RecordDescriptor {

    static final int HEADER_LENGTH = 8;
    static final int LENGTH_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int ALIGNMENT = 8;
    static final int PADDING_TYPE = -1;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private RecordDescriptor() {
    }

    /**
     * The header {@code length, type} as one long in native order (the record area's order): one
     * 8-byte store writes both, at an 8-aligned record index.
     */
    static long header(int length, int type) {
        return LITTLE_ENDIAN
                ? ((long) type << 32) | (length & 0xFFFF_FFFFL)
                : ((long) length << 32) | (type & 0xFFFF_FFFFL);
    }

    /** {@code length} rounded up to 8; for lengths in [0, 2^31 - 8]. */
    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    static int typeIndex(int recordIndex) {
        return recordIndex + TYPE_OFFSET;
    }

    static int payloadIndex(int recordIndex) {
        return recordIndex + HEADER_LENGTH;
    }

    static boolean isAligned(long position) {
        return (position & (ALIGNMENT - 1)) == 0;
    }

    /**
     * Whether a committed {@code length} (> 0) read at a record fits: at least a header, and its
     * rounded extent inside the {@code room} bytes left before the end of the record area.
     * Compares before rounding, so a length near 2^31 cannot overflow.
     */
    static boolean committedLengthOk(int length, int room) {
        return length >= HEADER_LENGTH && length <= room;
    }

    /**
     * The extent of a claim whose {@code length} reads negative, or -1 when it cannot be a claim
     * that fits in {@code room} bytes ({@code Integer.MIN_VALUE} included: negated in a long).
     */
    static int claimExtent(int length, int room) {
        long extent = -(long) length;
        if (extent < HEADER_LENGTH || extent > room) {
            return -1;
        }
        return align((int) extent) <= room ? align((int) extent) : -1;
    }

    /** {@link #claimExtent} as a test. */
    static boolean claimExtentOk(int length, int room) {
        return claimExtent(length, room) > 0;
    }
}
