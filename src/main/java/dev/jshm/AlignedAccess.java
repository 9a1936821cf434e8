package dev.jshm;

/**
 * The checks every coordination tool makes before it touches shared memory: the segment is open,
 * the range is inside it (both through {@link Segment}'s own checks, so the messages are the same),
 * and the address is aligned, because atomics, futexes and locks are only atomic on aligned
 * addresses.
 */
final class AlignedAccess {

    private AlignedAccess() {
    }

    /**
     * Checks open, bounds and alignment for a read of {@code length} bytes at {@code offset}.
     *
     * @param what      what needs the alignment, for the message ("an atomic int")
     * @param operation the public method, for the message ("getIntVolatile")
     */
    static Mapping readable(Segment segment, String operation, long offset, int length, int alignment, String what) {
        Mapping m = segment.readable(operation, offset, length);
        checkAligned(segment, operation, m, offset, alignment, what);
        return m;
    }

    /** {@link #readable}, and refuses read-only segments. */
    static Mapping writable(Segment segment, String operation, long offset, int length, int alignment, String what) {
        Mapping m = segment.writable(operation, offset, length);
        checkAligned(segment, operation, m, offset, alignment, what);
        return m;
    }

    private static void checkAligned(Segment segment, String operation, Mapping m, long offset, int alignment, String what) {
        if (((m.address | offset) & (alignment - 1)) == 0) {
            return;
        }
        String prefix = operation + "(offset=" + offset + ") of " + segment + ": ";
        if ((offset & (alignment - 1)) != 0) {
            throw new IllegalArgumentException(prefix + "offset " + offset + " is not " + alignment + "-byte aligned; "
                    + what + " needs an offset that is a multiple of " + alignment);
        }
        // Only a file mapped from a file offset that is not a multiple of the alignment gets here.
        throw new IllegalArgumentException(prefix + "offset " + offset + " is " + alignment
                + "-byte aligned, but the segment's memory starts " + (m.address & (alignment - 1))
                + " bytes past a " + alignment + "-byte boundary (a file mapped from an unaligned file offset); "
                + what + " needs an aligned address: map the file from an offset that is a multiple of " + alignment);
    }
}
