package dev.jshm.sync;

import dev.jshm.ShmException;

/**
 * The bytes of a {@link RobustLock} hold something no lock operation writes: another process (or
 * a stray write) overwrote them. Thrown instead of acting on the garbage: the lock was not
 * acquired, released or changed by the call that throws it, and no memory outside the lock's
 * bytes was read or written. The message names the segment, the offset and what was found.
 *
 * <p>Thrown by a lock attempt that finds an impossible state (a thread id the kernel cannot
 * issue, flags without an owner, a wrong magic), by {@link RobustLock#attach} on an impossible
 * word (a wrong magic there means no lock: {@link IllegalArgumentException}), by
 * {@link RobustLock#isHeldByCurrentThread()} on a wrong magic, and by {@link RobustLock#unlock()}
 * and {@link RobustLock#markConsistent()} on a wrong magic or when the calling thread acquired
 * the lock and the word no longer names it. What the lock protected cannot be trusted either; only
 * {@link RobustLock#initialize} makes a usable lock there again, when no process uses it.
 */
public class LockCorruptedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** EUCLEAN ("Structure needs cleaning") on Linux: what the C library answers for a corrupt lock. */
    static final int EUCLEAN = 117;

    /** Where the lock lives in its segment. */
    private final long offset;
    /** The lock word found. */
    private final long word;
    /** The magic found. */
    private final long magic;

    /**
     * An exception with the lock's state as found.
     *
     * @param message   the whole message
     * @param operation the call that found the corruption
     * @param offset    where the lock lives in its segment
     * @param word      the lock word found (re-read after the native call noticed)
     * @param magic     the magic found
     */
    public LockCorruptedException(String message, String operation, long offset, long word, long magic) {
        super(message, operation, EUCLEAN, "EUCLEAN");
        this.offset = offset;
        this.word = word;
        this.magic = magic;
    }

    /** {@return where the lock lives in its segment} */
    public long offset() {
        return offset;
    }

    /**
     * {@return the 64-bit lock word found right after the corruption was noticed} 0 when the
     * lock's bytes could not be read then (the message says why).
     */
    public long word() {
        return word;
    }

    /** {@return the 64-bit magic found right after the corruption was noticed} 0 as for {@link #word()}. */
    public long magic() {
        return magic;
    }
}
