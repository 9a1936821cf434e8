package dev.jshm;

/**
 * The kernel refused an argument (EINVAL, ERANGE): a size outside its limits, a size larger than
 * an existing segment, a flag it does not support, a size or file offset that is not whole huge
 * pages on hugetlbfs. jshm throws it too, before mapping anything, when a name or path is not a
 * regular file (a FIFO, a device, a directory: errno ENODEV, or 0 when found after opening) and
 * when an existing object or file is empty or smaller than the size asked (errno 0).
 */
public class ShmInvalidArgumentException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * See {@link ShmException#ShmException(String, String, int, String)}.
     *
     * @param message   the whole message
     * @param operation the failed call with its arguments
     * @param errno     the errno value, or 0 when the failure is not a system error
     * @param errnoName the errno's symbolic name, or null when errno is 0
     */
    public ShmInvalidArgumentException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
