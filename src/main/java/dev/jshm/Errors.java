package dev.jshm;

/**
 * Turns the C core's {@code -errno} results into jshm's exceptions. One place decides which
 * errno becomes which type, and every message has the same shape:
 * {@code operation(args) failed: ENAME (strerror text)[; hint]}.
 */
final class Errors {

    // Linux errno values (the same on every architecture jshm builds for).
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ERANGE = 34;
    static final int ELOOP = 40;
    static final int EIDRM = 43;

    private Errors() {
    }

    /** The exception for a failed call; {@code result} is the negative {@code -errno} it returned. */
    static ShmException failure(long result, String operation) {
        return failure(result, operation, null);
    }

    /**
     * The exception for a failed call, with a hint that explains the failure in terms of the
     * system's limits (may be null).
     */
    static ShmException failure(long result, String operation, String hint) {
        int errno = (int) -result;
        String name = errnoName(errno);
        String text = Native.strerror(errno);
        String message = operation + " failed: " + name + " (" + text + ")" + (hint == null ? "" : "; " + hint);
        return switch (errno) {
            case ENOENT, EIDRM -> new SegmentNotFoundException(message, operation, errno, name);
            case EEXIST -> new SegmentExistsException(message, operation, errno, name);
            case EACCES, EPERM, ELOOP -> new ShmPermissionException(message, operation, errno, name);
            case ENOMEM, ENOSPC, EMFILE, ENFILE, EFBIG, E2BIG -> new ShmLimitException(message, operation, errno, name);
            case EINVAL, ERANGE -> new ShmInvalidArgumentException(message, operation, errno, name);
            default -> new ShmException(message, operation, errno, name);
        };
    }

    /**
     * The exception for a failed {@code shmctl} on an id. Linux answers EINVAL (not ENOENT) for
     * an id that never existed or whose segment is gone, so that becomes "not found".
     */
    static ShmException idFailure(long result, String operation, int shmid) {
        if (result == -EINVAL) {
            String name = errnoName(EINVAL);
            String message = operation + " failed: " + name + " (" + Native.strerror(EINVAL) + "); no segment has id "
                    + shmid + " (it never existed, or was removed and its last attachment is gone)";
            return new SegmentNotFoundException(message, operation, EINVAL, name);
        }
        return failure(result, operation);
    }

    /** The symbolic name of an errno value, or {@code "errno N"} for one the library does not name. */
    static String errnoName(int errno) {
        String name = Native.errnoName(errno);
        return name != null ? name : "errno " + errno;
    }

    /** {@code 0x0000162e}: how keys are shown everywhere, as {@code ipcs} shows them. */
    static String hexKey(int key) {
        return String.format("0x%08x", key);
    }

    /**
     * Returns {@code mode} if it has only permission bits (0777).
     *
     * @throws IllegalArgumentException naming {@code operation} otherwise
     */
    static int permissionBits(int mode, String operation) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException(operation + ": only the permission bits 0777 may be set");
        }
        return mode;
    }

    /** {@code 0600}. */
    static String octalMode(int mode) {
        return String.format("0%03o", mode);
    }
}
