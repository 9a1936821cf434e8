package dev.jshm;

/**
 * The caller's user, group or capabilities do not allow the operation (EACCES, EPERM), or jshm
 * refused a file for safety: a symbolic link where a name or path should be (ELOOP), or a file
 * another user owns and {@code anyOwner()} was not asked for (errno 0).
 */
public class ShmPermissionException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * See {@link ShmException#ShmException(String, String, int, String)}.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name, or null when errno is 0
     */
    public ShmPermissionException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
