package dev.jshm;

/**
 * The kernel refused an argument (EINVAL, ERANGE): a size outside its limits, a size larger than an existing segment, a flag it does not support.
 */
public class ShmInvalidArgumentException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** See {@link ShmException#ShmException(String, String, int, String)}. */
    public ShmInvalidArgumentException(String message, String operation, int errno, String errnoName) {
        super(message, operation, errno, errnoName);
    }
}
