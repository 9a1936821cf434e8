package dev.jshm;

/**
 * The segment, key, name or file does not exist (ENOENT), or was removed while in use (EIDRM). A
 * System V id that names no segment (any more) is reported as this too, although Linux answers
 * EINVAL for it: {@link #errno()} is then EINVAL and the message says the id is gone.
 */
public class SegmentNotFoundException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * See {@link ShmException#ShmException(String, String, int, String)}.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name, or null when errno is 0
     */
    public SegmentNotFoundException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
