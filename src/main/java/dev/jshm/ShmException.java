package dev.jshm;

/**
 * A shared memory operation failed. System errors carry the errno value and its name; the
 * message names the operation, its arguments, the errno name and the system's text for it, for
 * example {@code shmget(key=0x0000162e, size=4096, flags=IPC_CREAT|IPC_EXCL|0600) failed: EEXIST
 * (File exists)}, and where the kernel's limits explain the failure, a hint that names them.
 *
 * <p>Subclasses say what went wrong in a way a caller can catch: {@link SegmentNotFoundException},
 * {@link SegmentExistsException}, {@link ShmPermissionException}, {@link ShmLimitException},
 * {@link ShmInvalidArgumentException}, {@link ReadOnlySegmentException},
 * {@link SegmentFaultException}. An errno none of them stands for is thrown as this class.
 */
public class ShmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failed call with its arguments. */
    private final String operation;
    /** The errno value, or 0 when the failure is not a system error. */
    private final int errno;
    /** The errno's symbolic name, or null when {@link #errno} is 0. */
    private final String errnoName;

    /**
     * The message is used as given; jshm's own have the shape above.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments, such as {@code shmctl(shmid=5, IPC_RMID)}
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name ({@code "EEXIST"}), or null when errno is 0
     */
    public ShmException(String message, String operation, int errno, String errnoName) {
        super(message);
        this.operation = operation;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** {@return the failed call with its arguments, such as {@code shmctl(shmid=5, IPC_RMID)}} */
    public String operation() {
        return operation;
    }

    /** {@return the errno value of a system error, or 0 when the failure is not one} */
    public int errno() {
        return errno;
    }

    /** {@return the symbolic name of {@link #errno()}, such as {@code "ENOENT"}, or null when errno is 0} */
    public String errnoName() {
        return errnoName;
    }
}
