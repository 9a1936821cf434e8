package dev.jshm;

/**
 * An access touched memory that is no longer backed: another process truncated the POSIX object
 * or file below the mapped size, and the kernel answered the access with SIGBUS, which the JVM
 * turned into an {@link InternalError} (the cause). jshm can only wrap the error when the JVM
 * raises it inside the access; compiled code may receive it later as a plain
 * {@code InternalError} (see {@link PosixSegment}). A bulk write that faulted may have written
 * the part before the fault. The segment stays usable for the range that is still backed.
 */
public class SegmentFaultException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** @param message the whole message, @param operation the access, @param cause the JVM's error */
    public SegmentFaultException(String message, String operation, InternalError cause) {
        super(message, operation, 0, null);
        initCause(cause);
    }
}
