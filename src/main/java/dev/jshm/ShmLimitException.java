package dev.jshm;

/**
 * A system limit was reached: memory, shared memory ids, total shared memory, free space in
 * {@code /dev/shm} or on the file system, open files (ENOMEM, ENOSPC, EMFILE, ENFILE, EFBIG,
 * E2BIG). The message names the limit and its current value where the kernel publishes it.
 */
public class ShmLimitException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * See {@link ShmException#ShmException(String, String, int, String)}.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name, or null when errno is 0
     */
    public ShmLimitException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
