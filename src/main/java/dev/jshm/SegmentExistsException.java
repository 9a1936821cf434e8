package dev.jshm;

/**
 * Exclusive creation found a segment, object or file of that key, name or path already there (EEXIST).
 */
public class SegmentExistsException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * See {@link ShmException#ShmException(String, String, int, String)}.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name, or null when errno is 0
     */
    public SegmentExistsException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
