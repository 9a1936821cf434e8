package dev.jshm;

/**
 * The segment, key, name or file does not exist (ENOENT), or was removed while in use (EIDRM).
 */
public class SegmentNotFoundException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** See {@link ShmException#ShmException(String, String, int, String)}. */
    public SegmentNotFoundException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
