package dev.jshm;

/**
 * The caller's user, group or capabilities do not allow the operation (EACCES, EPERM).
 */
public class ShmPermissionException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** See {@link ShmException#ShmException(String, String, int, String)}. */
    public ShmPermissionException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
