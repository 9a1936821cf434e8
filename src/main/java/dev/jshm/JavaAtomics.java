package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The JVM's atomics: {@link VarHandle}s that view the segment's direct buffers as ints and longs
 * in native byte order. On a direct buffer the atomic access modes work on the memory itself
 * (aligned addresses only, which {@link SegmentAtomics} checks), so they are atomic across
 * processes. No {@code sun.misc.Unsafe}.
 *
 * <p>An aligned int or long never straddles two of the mapping's 1 GiB chunks (the chunk size is a
 * multiple of 8), so each access goes to one chunk's buffer.
 */
final class JavaAtomics extends SegmentAtomics {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    JavaAtomics(Segment segment) {
        super(segment);
    }

    @Override
    public int getIntVolatile(long offset) {
        Mapping m = readableInt(offset, "getIntVolatile");
        int result;
        try {
            result = (int) INT.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntVolatile", offset, 4);
        }
        m.checkBacked(segment, "getIntVolatile", offset, Integer.BYTES);
        return result;
    }

    @Override
    public void putIntVolatile(long offset, int value) {
        Mapping m = writableInt(offset, "putIntVolatile");
        try {
            INT.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntVolatile", offset, 4);
        }
        m.checkBacked(segment, "putIntVolatile", offset, Integer.BYTES);
    }

    @Override
    public int getIntAcquire(long offset) {
        Mapping m = readableInt(offset, "getIntAcquire");
        int result;
        try {
            result = (int) INT.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntAcquire", offset, 4);
        }
        m.checkBacked(segment, "getIntAcquire", offset, Integer.BYTES);
        return result;
    }

    @Override
    public void putIntRelease(long offset, int value) {
        Mapping m = writableInt(offset, "putIntRelease");
        try {
            INT.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntRelease", offset, 4);
        }
        m.checkBacked(segment, "putIntRelease", offset, Integer.BYTES);
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        Mapping m = writableInt(offset, "compareAndSetInt");
        boolean result;
        try {
            result = INT.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetInt", offset, 4);
        }
        m.checkBacked(segment, "compareAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    public int getAndAddInt(long offset, int delta) {
        Mapping m = writableInt(offset, "getAndAddInt");
        int result;
        try {
            result = (int) INT.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddInt", offset, 4);
        }
        m.checkBacked(segment, "getAndAddInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    public int getAndSetInt(long offset, int value) {
        Mapping m = writableInt(offset, "getAndSetInt");
        int result;
        try {
            result = (int) INT.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "getAndSetInt", offset, 4);
        }
        m.checkBacked(segment, "getAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    public long getLongVolatile(long offset) {
        Mapping m = readableLong(offset, "getLongVolatile");
        long result;
        try {
            result = (long) LONG.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongVolatile", offset, 8);
        }
        m.checkBacked(segment, "getLongVolatile", offset, Long.BYTES);
        return result;
    }

    @Override
    public void putLongVolatile(long offset, long value) {
        Mapping m = writableLong(offset, "putLongVolatile");
        try {
            LONG.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongVolatile", offset, 8);
        }
        m.checkBacked(segment, "putLongVolatile", offset, Long.BYTES);
    }

    @Override
    public long getLongAcquire(long offset) {
        Mapping m = readableLong(offset, "getLongAcquire");
        long result;
        try {
            result = (long) LONG.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongAcquire", offset, 8);
        }
        m.checkBacked(segment, "getLongAcquire", offset, Long.BYTES);
        return result;
    }

    @Override
    public void putLongRelease(long offset, long value) {
        Mapping m = writableLong(offset, "putLongRelease");
        try {
            LONG.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongRelease", offset, 8);
        }
        m.checkBacked(segment, "putLongRelease", offset, Long.BYTES);
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        Mapping m = writableLong(offset, "compareAndSetLong");
        boolean result;
        try {
            result = LONG.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetLong", offset, 8);
        }
        m.checkBacked(segment, "compareAndSetLong", offset, Long.BYTES);
        return result;
    }

    @Override
    public long getAndAddLong(long offset, long delta) {
        Mapping m = writableLong(offset, "getAndAddLong");
        long result;
        try {
            result = (long) LONG.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddLong", offset, 8);
        }
        m.checkBacked(segment, "getAndAddLong", offset, Long.BYTES);
        return result;
    }

    @Override
    public long getAndSetLong(long offset, long value) {
        Mapping m = writableLong(offset, "getAndSetLong");
        long result;
        try {
            result = (long) LONG.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "getAndSetLong", offset, 8);
        }
        m.checkBacked(segment, "getAndSetLong", offset, Long.BYTES);
        return result;
    }

    /** As {@link Segment}'s typed accesses: the JVM turns a SIGBUS in its own access into an {@link InternalError}. */
    private SegmentFaultException faulted(InternalError error, String operation, long offset, int length) {
        return new SegmentFaultException(operation + "(offset=" + offset + ", length=" + length + ") of " + segment
                + " faulted: the memory is no longer backed by the object (did another process truncate it?)",
                operation, error);
    }
}
