package dev.jshm;

/**
 * Exclusive creation found a segment, object or file of that key, name or path already there (EEXIST).
 */
public class SegmentExistsException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** See {@link ShmException#ShmException(String, String, int, String)}. */
    public SegmentExistsException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
