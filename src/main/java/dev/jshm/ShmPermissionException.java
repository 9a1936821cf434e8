package dev.jshm;

/**
 * The caller's user, group or capabilities do not allow the operation (EACCES, EPERM), or jshm refused a file for safety: a symbolic link where a name or path should be (ELOOP), or a file another user owns.
 */
public class ShmPermissionException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** See {@link ShmException#ShmException(String, String, int, String)}. */
    public ShmPermissionException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
