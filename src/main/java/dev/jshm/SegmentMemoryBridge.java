package dev.jshm;

import dev.jshm.internal.SegmentMemory;
import java.util.SplittableRandom;

/**
 * The implementation of {@link SegmentMemory}, registered by {@link Segment}: each method checks
 * the segment and the range as the public API does, calls {@link Native}, then checks the memory
 * was still the segment's.
 */
final class SegmentMemoryBridge implements SegmentMemory {

    private static final String LOCK = "a RobustLock";

    /**
     * Lock keys are addresses mixed with a per-process value, so the key names the lock's memory
     * without telling callers where it is. Odd, and addresses of locks are 8-aligned: never 0.
     */
    private static final long KEY_MIX = new SplittableRandom().nextLong() | 1;

    SegmentMemoryBridge() {
    }

    @Override
    public void checkAlignedReadable(Segment segment, String operation, long offset, int length, int alignment, String what) {
        AlignedAccess.readable(segment, operation, offset, length, alignment, what);
    }

    @Override
    public void checkAlignedWritable(Segment segment, String operation, long offset, int length, int alignment, String what) {
        AlignedAccess.writable(segment, operation, offset, length, alignment, what);
    }

    @Override
    public int futexWait(Segment segment, String operation, long offset, int expected, long timeoutNanos) {
        Mapping m = futexWord(segment, operation, offset);
        int rc = Native.futexWait(m.address, m.size, offset, expected, timeoutNanos);
        return futexChecked(segment, operation, offset, m, rc);
    }

    @Override
    public int futexWake(Segment segment, String operation, long offset, int count) {
        Mapping m = futexWord(segment, operation, offset);
        int rc = Native.futexWake(m.address, m.size, offset, count);
        return futexChecked(segment, operation, offset, m, rc);
    }

    @Override
    public int membarrierRegister() {
        return Native.membarrierRegister();
    }

    @Override
    public int membarrier() {
        return Native.membarrier();
    }

    @Override
    public boolean noMemoryReplaced() {
        return FaultWord.noneReplaced();
    }

    @Override
    public long lockKey(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return (m.address + offset) ^ KEY_MIX;
    }

    @Override
    public int lockInit(Segment segment, String operation, long offset) {
        Native.ensureAvailable();
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockInit(m.address, m.size, offset));
    }

    @Override
    public int lockCheck(Segment segment, String operation, long offset) {
        Native.ensureAvailable();
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockCheck(m.address, m.size, offset));
    }

    @Override
    public int lockAcquire(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockAcquire(m.address, m.size, offset));
    }

    @Override
    public int lockTry(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockTry(m.address, m.size, offset));
    }

    @Override
    public int lockAcquireTimed(Segment segment, String operation, long offset, long timeoutNanos) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockAcquireTimed(m.address, m.size, offset, timeoutNanos));
    }

    @Override
    public int lockRelease(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockRelease(m.address, m.size, offset));
    }

    @Override
    public int lockConsistent(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockConsistent(m.address, m.size, offset));
    }

    @Override
    public int lockHeld(Segment segment, String operation, long offset) {
        Mapping m = lock(segment, operation, offset);
        return lockChecked(segment, operation, offset, m, Native.lockHeld(m.address, m.size, offset));
    }

    @Override
    public long lockSelf() {
        return Native.lockSelf();
    }

    @Override
    public ShmException failure(int result, String operation) {
        return Errors.failure(result, operation);
    }

    private static Mapping futexWord(Segment segment, String operation, long offset) {
        return AlignedAccess.readable(segment, operation, offset, Integer.BYTES, Integer.BYTES, "a futex word");
    }

    private static int futexChecked(Segment segment, String operation, long offset, Mapping m, int rc) {
        // The kernel reads the word itself: on memory another process cut off it answers EFAULT
        // instead of raising SIGBUS, and on memory already replaced by zero pages it would wait
        // on private memory no waker reaches.
        m.checkBacked(segment, operation, offset, Integer.BYTES);
        if (rc == -Errors.EFAULT && m.faults != null) {
            throw FaultWord.fault(segment, operation, offset, Integer.BYTES, offset);
        }
        return rc;
    }

    private static Mapping lock(Segment segment, String operation, long offset) {
        return AlignedAccess.writable(segment, operation, offset, LOCK_SIZE, LOCK_ALIGNMENT, LOCK);
    }

    private static int lockChecked(Segment segment, String operation, long offset, Mapping m, int rc) {
        m.checkBacked(segment, operation, offset, LOCK_SIZE);
        return rc;
    }
}
