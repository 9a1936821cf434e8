package dev.jshm.sync;

import dev.jshm.ShmException;

/**
 * The previous holder of a {@link RobustLock} died (its process was killed, or its thread ended)
 * while holding it. Thrown by {@link RobustLock#lock()} and the {@code tryLock} methods
 * <em>with the lock held by the calling thread</em>: you hold the lock; repair the state it
 * protects and call {@link RobustLock#markConsistent()}, then use and unlock it as usual. Or
 * unlock it without {@code markConsistent()} to make the lock unusable: every later attempt, in
 * every process, then throws {@link LockNotRecoverableException}.
 */
public class OwnerDiedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** EOWNERDEAD on Linux. */
    static final int EOWNERDEAD = 130;

    /**
     * An exception for a lock acquired from a dead holder.
     *
     * @param message   the whole message
     * @param operation the call that acquired the lock
     */
    public OwnerDiedException(String message, String operation) {
        super(message, operation, EOWNERDEAD, "EOWNERDEAD");
    }
}
