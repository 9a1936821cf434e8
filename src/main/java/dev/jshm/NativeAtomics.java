package dev.jshm;

/**
 * The native library's atomics: C11 {@code __atomic} operations in {@code jshm_sync.c}, one JNI
 * call each. Slower than {@link JavaAtomics} (a JNI transition per operation); kept as the
 * reference implementation that C programs use, and for comparing the two in benchmarks.
 *
 * <p>The mapping stays reachable until the call returns (the fault check after it reads the
 * mapping), so a concurrent close only ever retires the memory under the call (see
 * {@link Mapping}), never unmaps it. A SIGBUS inside the C atomic (a truncated object) is healed
 * by the library's handler and reported by that check (see {@link FaultWord}).
 */
final class NativeAtomics extends SegmentAtomics {

    NativeAtomics(Segment segment) {
        super(segment);
    }

    @Override
    int getIntVolatileChecked(long offset) {
        Mapping m = readableInt("getIntVolatile", offset);
        int result = Native.atomicGetIntVolatile(m.address, m.size, offset);
        m.checkBacked(segment, "getIntVolatile", offset, Integer.BYTES);
        return result;
    }

    @Override
    void putIntVolatileChecked(long offset, int value) {
        Mapping m = writableInt("putIntVolatile", offset);
        Native.atomicPutIntVolatile(m.address, m.size, offset, value);
        m.checkBacked(segment, "putIntVolatile", offset, Integer.BYTES);
    }

    @Override
    int getIntAcquireChecked(long offset) {
        Mapping m = readableInt("getIntAcquire", offset);
        int result = Native.atomicGetIntAcquire(m.address, m.size, offset);
        m.checkBacked(segment, "getIntAcquire", offset, Integer.BYTES);
        return result;
    }

    @Override
    void putIntReleaseChecked(long offset, int value) {
        Mapping m = writableInt("putIntRelease", offset);
        Native.atomicPutIntRelease(m.address, m.size, offset, value);
        m.checkBacked(segment, "putIntRelease", offset, Integer.BYTES);
    }

    @Override
    boolean compareAndSetIntChecked(long offset, int expected, int value) {
        Mapping m = writableInt("compareAndSetInt", offset);
        boolean result = Native.atomicCompareAndSetInt(m.address, m.size, offset, expected, value);
        m.checkBacked(segment, "compareAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    int getAndAddIntChecked(long offset, int delta) {
        Mapping m = writableInt("getAndAddInt", offset);
        int result = Native.atomicGetAndAddInt(m.address, m.size, offset, delta);
        m.checkBacked(segment, "getAndAddInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    int getAndSetIntChecked(long offset, int value) {
        Mapping m = writableInt("getAndSetInt", offset);
        int result = Native.atomicGetAndSetInt(m.address, m.size, offset, value);
        m.checkBacked(segment, "getAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    long getLongVolatileChecked(long offset) {
        Mapping m = readableLong("getLongVolatile", offset);
        long result = Native.atomicGetLongVolatile(m.address, m.size, offset);
        m.checkBacked(segment, "getLongVolatile", offset, Long.BYTES);
        return result;
    }

    @Override
    void putLongVolatileChecked(long offset, long value) {
        Mapping m = writableLong("putLongVolatile", offset);
        Native.atomicPutLongVolatile(m.address, m.size, offset, value);
        m.checkBacked(segment, "putLongVolatile", offset, Long.BYTES);
    }

    @Override
    long getLongAcquireChecked(long offset) {
        Mapping m = readableLong("getLongAcquire", offset);
        long result = Native.atomicGetLongAcquire(m.address, m.size, offset);
        m.checkBacked(segment, "getLongAcquire", offset, Long.BYTES);
        return result;
    }

    @Override
    void putLongReleaseChecked(long offset, long value) {
        Mapping m = writableLong("putLongRelease", offset);
        Native.atomicPutLongRelease(m.address, m.size, offset, value);
        m.checkBacked(segment, "putLongRelease", offset, Long.BYTES);
    }

    @Override
    boolean compareAndSetLongChecked(long offset, long expected, long value) {
        Mapping m = writableLong("compareAndSetLong", offset);
        boolean result = Native.atomicCompareAndSetLong(m.address, m.size, offset, expected, value);
        m.checkBacked(segment, "compareAndSetLong", offset, Long.BYTES);
        return result;
    }

    @Override
    long getAndAddLongChecked(long offset, long delta) {
        Mapping m = writableLong("getAndAddLong", offset);
        long result = Native.atomicGetAndAddLong(m.address, m.size, offset, delta);
        m.checkBacked(segment, "getAndAddLong", offset, Long.BYTES);
        return result;
    }

    @Override
    long getAndSetLongChecked(long offset, long value) {
        Mapping m = writableLong("getAndSetLong", offset);
        long result = Native.atomicGetAndSetLong(m.address, m.size, offset, value);
        m.checkBacked(segment, "getAndSetLong", offset, Long.BYTES);
        return result;
    }
}
