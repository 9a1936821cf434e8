package dev.jshm.sync;

import dev.jshm.ReadOnlySegmentException;
import dev.jshm.Segment;
import dev.jshm.SegmentAtomics;
import dev.jshm.SegmentFaultException;
import dev.jshm.internal.Secrets;
import dev.jshm.internal.Timeouts;
import dev.jshm.internal.SegmentMemory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Objects;

/**
 * A mutual-exclusion lock that lives in shared memory, survives the death of its holder, and
 * cannot be turned into a crash by a process that overwrites it. C programs use the same lock
 * through {@code jshm_lock_*} in {@code jshm.h}. Java takes and releases a free lock with one
 * CAS each on the segment's atomics, and calls that C implementation for everything else
 * (waiting, owner death, corruption), so the protocol lives in one place.
 *
 * <pre>{@code
 * // the creator, once, before anyone else uses it
 * RobustLock lock = RobustLock.initialize(segment, 0);
 * // every other process
 * RobustLock lock = RobustLock.attach(segment, 0);
 *
 * try {
 *     lock.lock();
 * } catch (OwnerDiedException e) {
 *     repair(segment);            // we hold the lock; the previous holder died mid-update
 *     lock.markConsistent();
 * }
 * try {
 *     update(segment);
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <p>Memory: the lock occupies {@link #SIZE} (16) bytes at an offset that is a multiple of
 * {@link #ALIGNMENT} (8): a 64-bit word naming the owner (kernel thread id, the thread's start
 * time, and the owner-died and waiters flags; its low half is the futex word) and a magic. Those
 * bytes are the only memory the lock ever reads or writes: no pointer is stored in them or
 * followed from them. Lay out the segment so nothing else uses them.
 *
 * <p>Owner death: when the holding thread's process is killed (or the thread ends) while holding
 * the lock, the next locker, in any process, notices and takes the lock over <em>and</em> gets
 * {@link OwnerDiedException}. It then holds the lock: it repairs the state and calls
 * {@link #markConsistent()}, after which the lock works as before; or it unlocks without doing
 * so, and from then on every lock attempt, in every process, throws
 * {@link LockNotRecoverableException} (only {@link #initialize} makes a new lock there, when no
 * process uses it). Lockers find the death themselves: a {@link #tryLock()} or a timeout that
 * runs out checks whether the owner still runs before giving up, and a thread blocked in
 * {@link #lock()} checks every 50 ms, so it learns of the death within one such period (plus
 * scheduling delays). The owner
 * runs when its thread id exists in {@code /proc}, is not a zombie, and has the start time the
 * lock recorded: a thread id reused by a new thread does not count as the owner. All processes
 * sharing a lock must be in the same PID namespace.
 *
 * <p>Corruption: a lock whose bytes hold something no lock operation writes (a thread id the
 * kernel cannot issue, flags without an owner, a wrong magic), or that no longer names the thread
 * that acquired it when that thread unlocks it, throws {@link LockCorruptedException}, naming the
 * segment, the offset and what was found, and changes nothing. A peer that writes a plausible
 * value (a free lock, or a live thread as owner) breaks mutual exclusion, as any peer that shares
 * the memory can; it cannot make this process crash or write outside the lock.
 *
 * <p>Ownership: the lock is owned by the calling <em>operating-system thread</em>. Only the
 * thread that locked it may unlock it ({@link IllegalMonitorStateException} otherwise) or mark it
 * consistent. It is not reentrant: locking it again from the holding thread throws
 * {@link IllegalStateException} instead of deadlocking. Virtual threads must not use it: they
 * move between carrier threads, so the thread that unlocks would not be the one that locked; lock
 * attempts from a virtual thread throw {@link IllegalStateException}.
 *
 * <p>Interrupts: {@link #lock()} and {@link #tryLock(Duration)} wait in native code and do not
 * respond to {@link Thread#interrupt()} (the interrupt status is left set for the caller's next
 * interruptible call): use a timeout to bound the wait.
 *
 * <p>Truncation: a POSIX object or file that another process truncates below the lock never
 * crashes this process. The lock's bytes are then zero pages (see {@link Segment#checkBacked}),
 * and every method throws {@link SegmentFaultException} from the call that touched them, whether
 * in the Java fast path or in the C library (a thread blocked in {@link #lock()} finds out within
 * one 50 ms check), before anything it read there is taken for a lock state: a truncated lock is
 * reported as truncated, never as corrupt, free or held. The lock is then gone for every process;
 * a thread that held it holds nothing.
 *
 * <p>Thread-safety: instances are immutable and may be shared; the lock itself is what threads
 * and processes contend for.
 */
public final class RobustLock {

    /** The bytes a lock occupies: 16 ({@code JSHM_LOCK_SIZE}). */
    public static final int SIZE = LockWord.SIZE;

    /** The alignment a lock's offset needs: 8 ({@code JSHM_LOCK_ALIGNMENT}). */
    public static final int ALIGNMENT = LockWord.ALIGNMENT;

    // Linux errno values.
    private static final int EPERM = 1;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int EDEADLK = 35;
    private static final int ETIMEDOUT = 110;

    /** {@code Thread::isVirtual} on JDK 21+, null before (no virtual threads there). */
    private static final MethodHandle IS_VIRTUAL;
    private static final SegmentMemory MEMORY = Secrets.segmentMemory();

    static {
        MethodHandle isVirtual = null;
        try {
            isVirtual = MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            // JDK 17-20: every thread is a platform thread.
        }
        IS_VIRTUAL = isVirtual;
    }

    private final Segment segment;
    private final long offset;

    private RobustLock(Segment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
    }

    /**
     * Makes a new, unlocked lock at {@code offset} and returns it. Call it once, in the process
     * that creates the segment, before any other process attaches: initializing memory that
     * another thread is using as a lock breaks that lock. Initializing an unusable
     * ({@link LockNotRecoverableException}) lock again is the way to replace it, when no process
     * uses it.
     *
     * @param segment the segment that holds the lock
     * @param offset  where the lock starts: a multiple of {@link #ALIGNMENT}, with {@link #SIZE}
     *                bytes inside the segment
     * @return the new lock
     * @throws IndexOutOfBoundsException if {@link #SIZE} bytes at {@code offset} do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of {@link #ALIGNMENT}
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if another process cut the lock's bytes off
     */
    public static RobustLock initialize(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        int rc = MEMORY.lockInit(segment, "initialize", offset);
        if (rc < 0) {
            throw MEMORY.failure(rc, "jshm_lock_init(offset=" + offset + ") of " + segment);
        }
        return new RobustLock(segment, offset);
    }

    /**
     * The lock that {@link #initialize} made at {@code offset}, possibly in another process.
     *
     * @param segment the segment that holds the lock
     * @param offset  where {@link #initialize} made it
     * @return the lock
     * @throws IllegalArgumentException  if the memory there does not hold such a lock (never
     *                                   initialized, or a wrong offset), or the offset is misaligned
     * @throws LockCorruptedException    if it holds one whose word was overwritten
     * @throws IndexOutOfBoundsException if {@link #SIZE} bytes at {@code offset} do not fit
     * @throws ReadOnlySegmentException  if the segment is read-only (locking writes the lock)
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if another process cut the lock's bytes off
     */
    public static RobustLock attach(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        int rc = MEMORY.lockCheck(segment, "attach", offset);
        if (rc == -EINVAL) {
            throw new IllegalArgumentException("attach(offset=" + offset + ") of " + segment
                    + ": the memory there does not hold a lock made by RobustLock.initialize (was it initialized"
                    + " before this process attached, and is the offset the same?)");
        }
        RobustLock lock = new RobustLock(segment, offset);
        if (rc == -LockCorruptedException.EUCLEAN) {
            throw lock.corrupted("attach");
        }
        if (rc < 0) {
            throw MEMORY.failure(rc, "attach(offset=" + offset + ") of " + segment);
        }
        return lock;
    }

    /** {@return the segment the lock lives in} */
    public Segment segment() {
        return segment;
    }

    /** {@return where the lock lives in its segment} */
    public long offset() {
        return offset;
    }

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws LockCorruptedException      if the lock's bytes were overwritten with an impossible state
     * @throws IllegalStateException       if this thread already holds it, or is a virtual thread,
     *                                     or the segment is closed
     */
    public void lock() {
        long key = acquirable("lock");
        LockHolder self = LockHolder.current();
        if (acquireFree(self, key, "lock")) {
            return;
        }
        int rc = MEMORY.lockAcquire(segment, "lock", offset);
        acquired(rc, "lock", null, self, key);
    }

    /**
     * Acquires the lock if no one holds it.
     *
     * @return whether this thread now holds the lock
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws LockCorruptedException      as for {@link #lock()}
     * @throws IllegalStateException       as for {@link #lock()}
     */
    public boolean tryLock() {
        long key = acquirable("tryLock");
        LockHolder self = LockHolder.current();
        if (acquireFree(self, key, "tryLock")) {
            return true;
        }
        int rc = MEMORY.lockTry(segment, "tryLock", offset);
        return acquired(rc, "tryLock", null, self, key);
    }

    /**
     * Acquires the lock, waiting at most {@code timeout} (measured on a monotonic clock).
     *
     * @param timeout how long to wait; zero or negative only tries; {@code Long.MAX_VALUE / 4} nanoseconds
     *                (about 73 years) or longer waits without limit
     * @return whether this thread now holds the lock
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws LockCorruptedException      as for {@link #lock()}
     * @throws IllegalStateException       as for {@link #lock()}
     */
    public boolean tryLock(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long key = acquirable("tryLock");
        LockHolder self = LockHolder.current();
        if (acquireFree(self, key, "tryLock")) {
            return true;
        }
        int rc = MEMORY.lockAcquireTimed(segment, "tryLock", offset, Timeouts.saturatedNanos(timeout));
        return acquired(rc, "tryLock", timeout, self, key);
    }

    /**
     * Releases the lock. Unlocking a lock acquired with {@link OwnerDiedException} without
     * {@link #markConsistent()} first makes it unusable for everyone.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     * @throws LockCorruptedException       if this thread acquired the lock and the word no longer
     *                                      names it, or the magic is wrong (someone overwrote
     *                                      them; they are left as found)
     * @throws IllegalStateException        if the segment is closed
     */
    public void unlock() {
        long key = MEMORY.lockKey(segment, "unlock", offset);
        LockHolder self = LockHolder.current();
        // The uncontended release: the word names this thread and no flag is set. Volatile CAS,
        // so it releases: everything written under the lock happens before the next holder's
        // acquiring CAS (here or in jshm_lock.c) succeeds. Anything else (waiters to wake, an
        // owner-died lock, a word that does not name us, a wrong magic) is the C library's.
        SegmentAtomics atomics = segment.atomics();
        int rc;
        try {
            if (atomics.getLongAcquire(offset + LockWord.MAGIC_OFFSET) == LockWord.MAGIC
                    && atomics.compareAndSetLong(offset + LockWord.WORD_OFFSET, self.identity, 0)) {
                self.released(key);
                return;
            }
            rc = MEMORY.lockRelease(segment, "unlock", offset);
        } catch (SegmentFaultException e) {
            self.released(key); // the lock's memory is gone: nothing is held
            throw truncated("unlock", e);
        }
        if (rc == -EPERM || rc == -LockCorruptedException.EUCLEAN) {
            if (self.released(key) || rc == -LockCorruptedException.EUCLEAN && !magicIntact()) {
                throw corrupted("unlock()");
            }
            throw new IllegalMonitorStateException("unlock() of " + this + ": this thread does not hold the lock"
                    + " (a RobustLock is owned by the operating-system thread that locked it)");
        }
        if (rc < 0) {
            throw MEMORY.failure(rc, "jshm_lock_unlock(offset=" + offset + ") of " + segment);
        }
        self.released(key);
    }

    /**
     * Tells the lock that the state it protects is consistent again, after this thread acquired
     * it with {@link OwnerDiedException} and repaired the state. The lock then works as before.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     * @throws LockCorruptedException       as for {@link #unlock()}
     * @throws IllegalStateException        if the lock is not in the owner-died state (there is
     *                                      nothing to mark), or the segment is closed
     */
    public void markConsistent() {
        long key = MEMORY.lockKey(segment, "markConsistent", offset);
        int rc = MEMORY.lockConsistent(segment, "markConsistent", offset);
        if (rc == -EPERM || rc == -LockCorruptedException.EUCLEAN) {
            if (LockHolder.current().released(key)
                    || rc == -LockCorruptedException.EUCLEAN && !magicIntact()) {
                throw corrupted("markConsistent()");
            }
            throw new IllegalMonitorStateException("markConsistent() of " + this + ": this thread does not hold the lock;"
                    + " only the thread that acquired it with OwnerDiedException may mark it consistent");
        }
        if (rc == -EINVAL) {
            throw new IllegalStateException("markConsistent() of " + this + ": the lock is not in the owner-died state;"
                    + " markConsistent() is only for a holder that got OwnerDiedException");
        }
        if (rc < 0) {
            throw MEMORY.failure(rc, "jshm_lock_consistent(offset=" + offset + ") of " + segment);
        }
    }

    /**
     * {@return whether the calling thread holds the lock} For assertions and diagnostics: the
     * answer comes from the lock word, which names the owner.
     *
     * @throws LockCorruptedException if the lock's magic was overwritten
     * @throws IllegalStateException  if the segment is closed
     */
    public boolean isHeldByCurrentThread() {
        int rc = MEMORY.lockHeld(segment, "isHeldByCurrentThread", offset);
        if (rc == -LockCorruptedException.EUCLEAN) {
            throw corrupted("isHeldByCurrentThread()");
        }
        if (rc < 0) {
            throw MEMORY.failure(rc, "isHeldByCurrentThread(offset=" + offset + ") of " + segment);
        }
        return rc == 1;
    }

    /** {@return the lock's offset and segment, for logs and messages} */
    @Override
    public String toString() {
        return "RobustLock at offset " + offset + " of " + segment;
    }

    // ---- internals ----------------------------------------------------------------------------

    /** Checks the lock's range and the calling thread; returns the lock's key for {@link LockHolder}. */
    private long acquirable(String operation) {
        long key = MEMORY.lockKey(segment, operation, offset);
        if (isVirtual(Thread.currentThread())) {
            throw new IllegalStateException(operation + "() of " + this + " from virtual thread " + Thread.currentThread()
                    + ": a RobustLock is owned by an operating-system thread, and a virtual thread may unlock on another one;"
                    + " use a platform thread");
        }
        return key;
    }

    private static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    /** Turns an acquisition's result into true (held), false (busy or timed out), or an exception. */
    private boolean acquired(int rc, String method, Duration timeout, LockHolder self, long key) {
        if (rc == 0) {
            self.acquired(key);
            return true;
        }
        if (rc == -EBUSY || rc == -ETIMEDOUT) {
            return false;
        }
        // Built only on the way to an exception: the paths above allocate nothing.
        String operation = method + (timeout == null ? "()" : "(" + timeout + ")");
        if (rc == -OwnerDiedException.EOWNERDEAD) {
            self.acquired(key);
            throw new OwnerDiedException(operation + " of " + this + ": the previous holder died while holding the lock."
                    + " You hold the lock now: repair the state it protects and call markConsistent(), or unlock() without it"
                    + " to make the lock unusable (every later attempt then throws LockNotRecoverableException)", operation);
        }
        if (rc == -LockNotRecoverableException.ENOTRECOVERABLE) {
            throw new LockNotRecoverableException(operation + " of " + this + ": the lock is not recoverable (ENOTRECOVERABLE):"
                    + " a holder died, and the next one unlocked it without markConsistent(). No process can lock it again;"
                    + " RobustLock.initialize makes a new lock there once no process uses it", operation);
        }
        if (rc == -EDEADLK) {
            throw new IllegalStateException(operation + " of " + this + ": this thread already holds the lock"
                    + " (a RobustLock is not reentrant)");
        }
        if (rc == -LockCorruptedException.EUCLEAN) {
            throw corrupted(operation);
        }
        throw MEMORY.failure(rc, "jshm_lock_lock(offset=" + offset + ") via " + operation + " of " + segment);
    }

    /**
     * The uncontended acquisition: the lock is free and intact, and one CAS names this thread as
     * its owner. Volatile CAS, so it acquires: it pairs with the releasing CAS of the previous
     * unlock (here or in jshm_lock.c). Everything else (a busy, dead-owner, not-recoverable or
     * corrupt lock) is left to the C library, which reports what it finds.
     */
    private boolean acquireFree(LockHolder self, long key, String operation) {
        SegmentAtomics atomics = segment.atomics();
        try {
            if (atomics.getLongAcquire(offset + LockWord.MAGIC_OFFSET) == LockWord.MAGIC
                    && atomics.compareAndSetLong(offset + LockWord.WORD_OFFSET, 0, self.identity)) {
                self.acquired(key);
                return true;
            }
        } catch (SegmentFaultException e) {
            throw truncated(operation, e);
        }
        return false;
    }

    /** The atomics' report of a truncation, as this lock's operation. */
    private SegmentFaultException truncated(String operation, SegmentFaultException e) {
        return new SegmentFaultException(operation + "() of " + this + ": " + e.getMessage(), operation);
    }

    private boolean magicIntact() {
        return LockWord.magicIntact(segment, offset);
    }

    private LockCorruptedException corrupted(String operation) {
        return LockWord.corrupted(segment, offset, operation, toString());
    }
}
