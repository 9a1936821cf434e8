package dev.jshm;

/**
 * An access touched memory that is no longer backed: another process truncated the POSIX object
 * or file below the mapped size (or its file system had no space to back a page), and the access
 * faulted. jshm replaced that memory, from the faulting page to the end of the mapping, with
 * private zero pages, so the access completed harmlessly and is reported by this exception from
 * the call that made it: a read saw zeros, a write (or the part of a bulk write past the cut)
 * reached no one. The message names the call, its offset and length, and where the replaced
 * memory starts (unless the JVM reported the fault: see the second constructor). The segment stays usable for the range that is still backed; close it and open
 * the object again to see its current size. See {@link Segment#checkBacked(long, long)} for
 * views.
 */
public class SegmentFaultException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * A fault that jshm's handler answered with zero pages, found by the check after the access.
     *
     * @param message   the whole message
     * @param operation the access, such as {@code getLong}
     */
    public SegmentFaultException(String message, String operation) {
        super(message, operation, 0, null);
    }

    /**
     * A fault the JVM reported as an {@link InternalError} (the cause), which it does only when
     * jshm's handler could not replace the memory (a mapping on hugetlbfs).
     *
     * @param message   the whole message
     * @param operation the access, such as {@code getLong}
     * @param cause     the JVM's error
     */
    public SegmentFaultException(String message, String operation, InternalError cause) {
        super(message, operation, 0, null);
        initCause(cause);
    }
}
