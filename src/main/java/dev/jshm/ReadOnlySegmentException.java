package dev.jshm;

/**
 * A write was attempted on a segment that was opened or attached read-only. Thrown by Java
 * before any memory is touched; it is not a system error, so {@link #errno()} is 0.
 */
public class ReadOnlySegmentException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * The message is {@code <operation> refused: <segment> is read-only}.
     *
     * @param operation the refused call with its arguments
     * @param segment   the segment's description ({@code toString()})
     */
    public ReadOnlySegmentException(String operation, String segment) {
        super(operation + " refused: " + segment + " is read-only", operation, 0, null);
    }
}
