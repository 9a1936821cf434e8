package dev.jshm.sync;

import dev.jshm.ShmException;

/**
 * A {@link RobustLock} is unusable (ENOTRECOVERABLE): an earlier holder died, the next holder
 * was told so ({@link OwnerDiedException}) and unlocked it without calling
 * {@link RobustLock#markConsistent()}. Every lock attempt on it, in every process, throws this.
 * Only {@link RobustLock#initialize} makes a new lock in its place, when no process uses it.
 */
public class LockNotRecoverableException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** ENOTRECOVERABLE on Linux. */
    static final int ENOTRECOVERABLE = 131;

    /**
     * An exception for a refused lock attempt.
     *
     * @param message   the whole message
     * @param operation the refused call
     */
    public LockNotRecoverableException(String message, String operation) {
        super(message, operation, ENOTRECOVERABLE, "ENOTRECOVERABLE");
    }
}
