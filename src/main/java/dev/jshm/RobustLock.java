package dev.jshm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mutual-exclusion lock that lives in shared memory and survives the death of its holder:
 * a POSIX robust, process-shared mutex ({@code pthread_mutex_t} with
 * {@code PTHREAD_PROCESS_SHARED}, {@code PTHREAD_MUTEX_ROBUST} and
 * {@code PTHREAD_MUTEX_ERRORCHECK}) at an offset of a {@link Segment}. C programs use the same
 * lock through {@code jshm_lock_*} in {@code jshm.h}.
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
 * <p>Memory: the lock occupies {@link #SIZE} bytes at an offset that is a multiple of
 * {@link #ALIGNMENT} ({@code sizeof} and {@code _Alignof(pthread_mutex_t)}, asked from the
 * native library: 40 and 8 on x86-64 Linux). Lay out the segment so nothing else uses those
 * bytes.
 *
 * <p>Owner death: when the holding thread's process is killed (or the thread ends) while holding
 * the lock, the kernel marks the lock, and the next locker, in any process, acquires it
 * <em>and</em> gets {@link OwnerDiedException}. It then holds the lock: it repairs the state and
 * calls {@link #markConsistent()}, after which the lock works as before; or it unlocks without
 * doing so, and from then on every lock attempt, in every process, throws
 * {@link LockNotRecoverableException} (only {@link #initialize} makes a new lock there, when no
 * process uses it).
 *
 * <p>Ownership: the lock is owned by the calling <em>operating-system thread</em>, as
 * {@code pthread} mutexes are. Only the thread that locked it may unlock it
 * ({@link IllegalMonitorStateException} otherwise) or mark it consistent. It is not reentrant:
 * locking it again from the holding thread throws {@link IllegalStateException} instead of
 * deadlocking. Virtual threads must not use it: they move between carrier threads, so the thread
 * that unlocks would not be the one that locked; lock attempts from a virtual thread throw
 * {@link IllegalStateException}. {@link #lock()} and {@link #tryLock(Duration)} block in the
 * kernel and do not respond to {@link Thread#interrupt()}: use a timeout to bound the wait.
 *
 * <p>Rules the memory must follow while the lock is held, because the C library keeps a per-thread
 * list of held robust locks that points into the segment: unlock before closing the segment (a
 * segment closed under a held lock leaves the lock held for everyone else, with no owner death
 * ever reported), and never let a POSIX object or file be truncated below the lock (a fault in
 * the native lock call ends the JVM). jshm keeps a segment reachable while any thread of this
 * process holds a lock in it, so the memory cannot be unmapped under that list.
 *
 * <p>Thread-safety: instances are immutable and may be shared; the lock itself is what threads
 * and processes contend for.
 */
public final class RobustLock {

    /**
     * The bytes a lock occupies, a multiple of {@link #ALIGNMENT} ({@code sizeof(pthread_mutex_t)},
     * 40 on x86-64 Linux). 0 when the native library could not be loaded; every method then
     * throws the load failure.
     */
    public static final int SIZE;

    /** The alignment a lock's offset needs ({@code _Alignof(pthread_mutex_t)}, 8 on x86-64 Linux); 0 as for {@link #SIZE}. */
    public static final int ALIGNMENT;

    // Linux errno values.
    private static final int EPERM = 1;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int EDEADLK = 35;
    private static final int ETIMEDOUT = 110;

    /** {@code Thread::isVirtual} on JDK 21+, null before (no virtual threads there). */
    private static final MethodHandle IS_VIRTUAL;

    /**
     * The locks threads of this process hold, which keeps their segments (and so their mappings)
     * reachable: the C library's robust list links through the lock's memory until it is unlocked,
     * and unmapping that memory under it would crash the next lock operation of the thread.
     */
    private static final Set<Held> HELD = ConcurrentHashMap.newKeySet();

    private record Held(Segment segment, long offset) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Held h && h.segment == segment && h.offset == offset;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(segment) * 31 + Long.hashCode(offset);
        }
    }

    static {
        int size = 0;
        int alignment = 0;
        try {
            Native.ensureAvailable();
            alignment = Native.lockAlignment();
            size = (Native.lockSize() + alignment - 1) / alignment * alignment;
        } catch (RuntimeException | LinkageError e) {
            // Native remembers the failure and every method rethrows it.
        }
        SIZE = size;
        ALIGNMENT = alignment;
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
     * @throws IndexOutOfBoundsException if {@link #SIZE} bytes at {@code offset} do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of {@link #ALIGNMENT}
     * @throws ReadOnlySegmentException  if the segment is read-only
     */
    public static RobustLock initialize(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        Native.ensureAvailable();
        Mapping m = checked(segment, offset, "initialize");
        int rc = Native.lockInit(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        if (rc < 0) {
            throw Errors.failure(rc, "pthread_mutex_init(offset=" + offset + ", PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST) of " + segment);
        }
        return new RobustLock(segment, offset);
    }

    /**
     * The lock that {@link #initialize} made at {@code offset}, possibly in another process.
     *
     * @throws IllegalArgumentException  if the memory there does not hold such a lock (never
     *                                   initialized, or a wrong offset), or the offset is misaligned
     * @throws IndexOutOfBoundsException if {@link #SIZE} bytes at {@code offset} do not fit
     * @throws ReadOnlySegmentException  if the segment is read-only (locking writes the lock)
     */
    public static RobustLock attach(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        Native.ensureAvailable();
        Mapping m = checked(segment, offset, "attach");
        int rc = Native.lockCheck(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        if (rc == -EINVAL) {
            throw new IllegalArgumentException("attach(offset=" + offset + ") of " + segment
                    + ": the memory there does not hold a lock made by RobustLock.initialize (was it initialized"
                    + " before this process attached, and is the offset the same?)");
        }
        if (rc < 0) {
            throw Errors.failure(rc, "attach(offset=" + offset + ") of " + segment);
        }
        return new RobustLock(segment, offset);
    }

    /** The segment the lock lives in. */
    public Segment segment() {
        return segment;
    }

    /** Where the lock lives in its segment. */
    public long offset() {
        return offset;
    }

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws IllegalStateException       if this thread already holds it, or is a virtual thread,
     *                                     or the segment is closed
     */
    public void lock() {
        Mapping m = acquirable("lock");
        int rc = Native.lockAcquire(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        acquired(rc, "lock");
    }

    /**
     * Acquires the lock if no one holds it.
     *
     * @return whether this thread now holds the lock
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws IllegalStateException       as for {@link #lock()}
     */
    public boolean tryLock() {
        Mapping m = acquirable("tryLock");
        int rc = Native.lockTry(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        return acquired(rc, "tryLock");
    }

    /**
     * Acquires the lock, waiting at most {@code timeout} (measured on a monotonic clock).
     *
     * @param timeout how long to wait; zero or negative only tries
     * @return whether this thread now holds the lock
     * @throws OwnerDiedException          with the lock held: the previous holder died holding it
     * @throws LockNotRecoverableException if the lock was made unusable
     * @throws IllegalStateException       as for {@link #lock()}
     */
    public boolean tryLock(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Mapping m = acquirable("tryLock");
        long nanos;
        try {
            nanos = timeout.isNegative() ? 0 : Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        int rc = Native.lockAcquireTimed(m.address, m.size, offset, nanos);
        Reference.reachabilityFence(m);
        return acquired(rc, "tryLock(" + timeout + ")");
    }

    /**
     * Releases the lock. Unlocking a lock acquired with {@link OwnerDiedException} without
     * {@link #markConsistent()} first makes it unusable for everyone.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     * @throws IllegalStateException        if the segment is closed
     */
    public void unlock() {
        Mapping m = checked(segment, offset, "unlock");
        int rc = Native.lockRelease(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        if (rc == -EPERM) {
            throw new IllegalMonitorStateException("unlock() of " + this + ": this thread does not hold the lock"
                    + " (a RobustLock is owned by the operating-system thread that locked it)");
        }
        if (rc < 0) {
            throw Errors.failure(rc, "pthread_mutex_unlock(offset=" + offset + ") of " + segment);
        }
        HELD.remove(new Held(segment, offset));
    }

    /**
     * Tells the lock that the state it protects is consistent again, after this thread acquired
     * it with {@link OwnerDiedException} and repaired the state. The lock then works as before.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     * @throws IllegalStateException        if the lock is not in the owner-died state (there is
     *                                      nothing to mark), or the segment is closed
     */
    public void markConsistent() {
        Mapping m = checked(segment, offset, "markConsistent");
        int rc = Native.lockConsistent(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        if (rc == -EPERM) {
            throw new IllegalMonitorStateException("markConsistent() of " + this + ": this thread does not hold the lock;"
                    + " only the thread that acquired it with OwnerDiedException may mark it consistent");
        }
        if (rc == -EINVAL) {
            throw new IllegalStateException("markConsistent() of " + this + ": the lock is not in the owner-died state;"
                    + " markConsistent() is only for a holder that got OwnerDiedException");
        }
        if (rc < 0) {
            throw Errors.failure(rc, "pthread_mutex_consistent(offset=" + offset + ") of " + segment);
        }
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        Mapping m = checked(segment, offset, "isHeldByCurrentThread");
        int rc = Native.lockHeld(m.address, m.size, offset);
        Reference.reachabilityFence(m);
        if (rc < 0) {
            throw Errors.failure(rc, "isHeldByCurrentThread(offset=" + offset + ") of " + segment);
        }
        return rc == 1;
    }

    @Override
    public String toString() {
        return "RobustLock at offset " + offset + " of " + segment;
    }

    // ---- internals ----------------------------------------------------------------------------

    private static Mapping checked(Segment segment, long offset, String operation) {
        return AlignedAccess.writable(segment, offset, SIZE, ALIGNMENT, "a RobustLock", operation);
    }

    private Mapping acquirable(String operation) {
        Mapping m = checked(segment, offset, operation);
        if (isVirtual(Thread.currentThread())) {
            throw new IllegalStateException(operation + "() of " + this + " from virtual thread " + Thread.currentThread()
                    + ": a RobustLock is owned by an operating-system thread, and a virtual thread may unlock on another one;"
                    + " use a platform thread");
        }
        return m;
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
    private boolean acquired(int rc, String operation) {
        if (rc == 0) {
            HELD.add(new Held(segment, offset));
            return true;
        }
        if (rc == -EBUSY || rc == -ETIMEDOUT) {
            return false;
        }
        if (rc == -OwnerDiedException.EOWNERDEAD) {
            HELD.add(new Held(segment, offset));
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
        throw Errors.failure(rc, "pthread_mutex_lock(offset=" + offset + ") via " + operation + " of " + segment);
    }
}
