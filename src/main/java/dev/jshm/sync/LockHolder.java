package dev.jshm.sync;

import dev.jshm.internal.Secrets;

/**
 * The calling thread as the owner of {@link RobustLock}s: its identity in a lock word (asked once
 * from the C library, which computes it for C callers too) and the locks it acquired and has not
 * released. The second tells "someone overwrote the lock this thread holds"
 * ({@link LockCorruptedException}) from "this thread never held it"
 * ({@link IllegalMonitorStateException}) when the word does not name the thread. The keys (from
 * the lock's memory) are only compared. A thread holding more locks than there are slots loses that
 * distinction for the rest (they report as not held), nothing else.
 *
 * <p>One per platform thread, reached through a thread-local; used only by its own thread.
 */
final class LockHolder {

    private static final int SLOTS = 8;
    private static final ThreadLocal<LockHolder> CURRENT = ThreadLocal.withInitial(LockHolder::new);

    /** Thread id | start time << 32, as {@code jshm_lock_self} answers. */
    final long identity;

    private final long[] held = new long[SLOTS];

    private LockHolder() {
        identity = Secrets.segmentMemory().lockSelf();
    }

    static LockHolder current() {
        return CURRENT.get();
    }

    /** Records that this thread acquired the lock with key {@code key}. */
    void acquired(long key) {
        for (int i = 0; i < SLOTS; i++) {
            if (held[i] == 0) {
                held[i] = key;
                return;
            }
        }
    }

    /** Forgets the lock with key {@code key}; returns whether this thread had acquired it. */
    boolean released(long key) {
        for (int i = 0; i < SLOTS; i++) {
            if (held[i] == key) {
                held[i] = 0;
                return true;
            }
        }
        return false;
    }
}
