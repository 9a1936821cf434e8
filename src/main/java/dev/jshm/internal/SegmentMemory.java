package dev.jshm.internal;

import dev.jshm.Segment;
import dev.jshm.ShmException;

/**
 * The native operations {@code dev.jshm.sync} performs on a segment's memory (futex words and
 * robust locks), reached through {@link Secrets#segmentMemory()}.
 *
 * <p>This is not a door into raw memory. Every method that touches memory takes a
 * {@link Segment} and an offset in it, never an address, and performs the checks the public API
 * performs before the native call: the segment is open, the range lies inside it, the offset is
 * aligned, the segment is writable where the operation writes, and afterwards that the memory was
 * still the segment's (another process may truncate a file-backed segment). So code that calls
 * it, even from the class path where module boundaries do not hold, can do nothing to memory that
 * the public API ({@code Futex}, {@code RobustLock}, {@code Segment.atomics()}) does not already
 * let it do to its own segment. The methods that take no segment touch no memory.
 *
 * <p>Not part of the API: the package is not exported from the module and may change in any
 * release. Implementations are thread-safe. Results are the C library's: {@code 0} or a positive
 * value on success, {@code -errno} on failure, which {@link #failure} turns into an exception.
 *
 * <p>Parameters every method that touches memory takes: {@code segment}, the segment that holds
 * the object; {@code operation}, the public method that calls, for the messages of the
 * exceptions; {@code offset}, where the object starts in the segment. Every such method throws
 * {@link IllegalStateException} if the segment is closed, {@link IndexOutOfBoundsException} if
 * the object is not inside it and {@link IllegalArgumentException} if it is not aligned, before
 * it touches memory, and the lock methods {@link dev.jshm.ReadOnlySegmentException} if the
 * segment is read-only (every lock operation may write the lock).
 */
public interface SegmentMemory {

    /** The bytes a robust lock occupies ({@code sizeof(jshm_lock_t)} in {@code jshm.h}). */
    int LOCK_SIZE = 16;

    /** The alignment a robust lock needs ({@code _Alignof(jshm_lock_t)} in {@code jshm.h}). */
    int LOCK_ALIGNMENT = 8;

    /**
     * Checks that {@code length} bytes at {@code offset} are inside the open segment and
     * {@code alignment}-aligned in memory.
     *
     * @param what names the object for the message, such as "a futex word"
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the range is not inside the segment
     * @throws IllegalArgumentException  if the offset or the segment's memory is not aligned
     */
    void checkAlignedReadable(Segment segment, String operation, long offset, int length, int alignment, String what);

    /**
     * Checks that {@code length} bytes at {@code offset} are inside the open, writable segment and
     * {@code alignment}-aligned in memory.
     *
     * @param what names the object for the message, such as "a signal block"
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the range is not inside the segment
     * @throws IllegalArgumentException  if the offset or the segment's memory is not aligned
     * @throws dev.jshm.ReadOnlySegmentException if the segment is read-only
     */
    void checkAlignedWritable(Segment segment, String operation, long offset, int length, int alignment, String what);

    /**
     * {@code FUTEX_WAIT} on the 4-aligned int at {@code offset} for at most {@code timeoutNanos}.
     *
     * @return 0 when woken, {@code -EAGAIN} if the word did not hold {@code expected},
     * {@code -ETIMEDOUT}, {@code -EINTR}, or another {@code -errno}
     * @throws dev.jshm.SegmentFaultException if another process truncated the memory
     */
    int futexWait(Segment segment, String operation, long offset, int expected, long timeoutNanos);

    /**
     * {@code FUTEX_WAKE} of up to {@code count} waiters on the 4-aligned int at {@code offset}.
     *
     * @return how many were woken, or {@code -errno}
     * @throws dev.jshm.SegmentFaultException if another process truncated the memory
     */
    int futexWake(Segment segment, String operation, long offset, int count);

    /**
     * Checks the lock's range as every lock operation does and returns a key that identifies the
     * lock's memory in this process while the segment is mapped (two segments mapping the same
     * memory give the same key). The key is never 0 and is not an address.
     */
    long lockKey(Segment segment, String operation, long offset);

    /**
     * Registers this process as a target of {@link #membarrier()} from any process
     * ({@code MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED}); touches no memory.
     *
     * @return 0, or {@code -errno}: {@code -ENOSYS}, {@code -EINVAL} (a kernel before 4.16),
     * {@code -EPERM} (a seccomp filter)
     */
    int membarrierRegister();

    /**
     * {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}: returns once every running thread of
     * every registered process executed a full memory barrier; touches no memory.
     *
     * @return 0 or {@code -errno}
     */
    int membarrier();

    /**
     * Whether the SIGBUS handler has never replaced memory in this process: while true, no
     * access of the calling thread before the call touched replaced memory, and
     * {@link Segment#checkBacked} would find nothing. One read of one word; for the checks after
     * each operation of structures built on a segment (call it after their accesses, in the
     * same thread). Only after a POSIX object or file was mapped.
     */
    boolean noMemoryReplaced();

    /** {@code jshm_lock_init} at {@code offset}; throws {@link dev.jshm.NativeUnavailableException} without natives. */
    int lockInit(Segment segment, String operation, long offset);

    /**
     * {@code jshm_lock_check}: whether a lock made by {@code jshm_lock_init} is at {@code offset}:
     * 0 if so, {@code -EINVAL} without its magic, {@code -EUCLEAN} if its word is impossible.
     * Throws {@link dev.jshm.NativeUnavailableException} without natives.
     */
    int lockCheck(Segment segment, String operation, long offset);

    /** {@code jshm_lock_lock}: blocks until this thread holds the lock at {@code offset}. */
    int lockAcquire(Segment segment, String operation, long offset);

    /** {@code jshm_lock_trylock}. */
    int lockTry(Segment segment, String operation, long offset);

    /** {@code jshm_lock_timedlock} for at most {@code timeoutNanos}. */
    int lockAcquireTimed(Segment segment, String operation, long offset, long timeoutNanos);

    /** {@code jshm_lock_unlock}. */
    int lockRelease(Segment segment, String operation, long offset);

    /** {@code jshm_lock_consistent}. */
    int lockConsistent(Segment segment, String operation, long offset);

    /** {@code jshm_lock_held}: 1 if the calling thread holds the lock, 0 if not. */
    int lockHeld(Segment segment, String operation, long offset);

    /** The value a lock word holds while the calling operating-system thread holds the lock. */
    long lockSelf();

    /**
     * The exception for {@code -errno} {@code result} of {@code operation}: its type follows the
     * errno (not found, exists, permission, limit, invalid argument), its message names the errno.
     */
    ShmException failure(int result, String operation);
}
