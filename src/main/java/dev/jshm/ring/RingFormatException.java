package dev.jshm.ring;

import dev.jshm.ShmException;

/**
 * The memory given to {@link MessageRing#attach} does not hold a ring this code can use; the
 * message names the segment, the offset and what is wrong, and {@link #reason()} says it in a
 * form a program can test.
 */
public final class RingFormatException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the memory. */
    public enum Reason {
        /** The magic number is 0: nothing was formatted there, or its creator has not finished (or died half way). */
        NOT_FORMATTED,
        /** The magic number is not the ring's: the memory holds something else. */
        BAD_MAGIC,
        /** A ring of a layout version this code does not read. */
        UNSUPPORTED_VERSION,
        /** A header field is out of range (capacity, maximum message length, header length, flags). */
        BAD_HEADER,
        /** The segment is smaller than the header, or than the capacity the header records. */
        TOO_SMALL
    }

    /** What is wrong. */
    private final Reason reason;

    RingFormatException(Reason reason, String message, String operation) {
        super(message, operation, 0, null);
        this.reason = reason;
    }

    /** {@return what is wrong} */
    public Reason reason() {
        return reason;
    }
}
