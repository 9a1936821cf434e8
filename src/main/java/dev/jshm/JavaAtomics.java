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
        try {
            return (int) INT.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntVolatile", offset, 4);
        }
    }

    @Override
    public void putIntVolatile(long offset, int value) {
        Mapping m = writableInt(offset, "putIntVolatile");
        try {
            INT.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntVolatile", offset, 4);
        }
    }

    @Override
    public int getIntAcquire(long offset) {
        Mapping m = readableInt(offset, "getIntAcquire");
        try {
            return (int) INT.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntAcquire", offset, 4);
        }
    }

    @Override
    public void putIntRelease(long offset, int value) {
        Mapping m = writableInt(offset, "putIntRelease");
        try {
            INT.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntRelease", offset, 4);
        }
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        Mapping m = writableInt(offset, "compareAndSetInt");
        try {
            return INT.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetInt", offset, 4);
        }
    }

    @Override
    public int getAndAddInt(long offset, int delta) {
        Mapping m = writableInt(offset, "getAndAddInt");
        try {
            return (int) INT.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddInt", offset, 4);
        }
    }

    @Override
    public int getAndSetInt(long offset, int value) {
        Mapping m = writableInt(offset, "getAndSetInt");
        try {
            return (int) INT.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "getAndSetInt", offset, 4);
        }
    }

    @Override
    public long getLongVolatile(long offset) {
        Mapping m = readableLong(offset, "getLongVolatile");
        try {
            return (long) LONG.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongVolatile", offset, 8);
        }
    }

    @Override
    public void putLongVolatile(long offset, long value) {
        Mapping m = writableLong(offset, "putLongVolatile");
        try {
            LONG.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongVolatile", offset, 8);
        }
    }

    @Override
    public long getLongAcquire(long offset) {
        Mapping m = readableLong(offset, "getLongAcquire");
        try {
            return (long) LONG.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongAcquire", offset, 8);
        }
    }

    @Override
    public void putLongRelease(long offset, long value) {
        Mapping m = writableLong(offset, "putLongRelease");
        try {
            LONG.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongRelease", offset, 8);
        }
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        Mapping m = writableLong(offset, "compareAndSetLong");
        try {
            return LONG.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetLong", offset, 8);
        }
    }

    @Override
    public long getAndAddLong(long offset, long delta) {
        Mapping m = writableLong(offset, "getAndAddLong");
        try {
            return (long) LONG.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddLong", offset, 8);
        }
    }

    @Override
    public long getAndSetLong(long offset, long value) {
        Mapping m = writableLong(offset, "getAndSetLong");
        try {
            return (long) LONG.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "getAndSetLong", offset, 8);
        }
    }

    /** As {@link Segment}'s typed accesses: the JVM turns a SIGBUS in its own access into an {@link InternalError}. */
    private SegmentFaultException faulted(InternalError error, String operation, long offset, int length) {
        return new SegmentFaultException(operation + "(offset=" + offset + ", length=" + length + ") of " + segment
                + " faulted: the memory is no longer backed by the object (did another process truncate it?)",
                operation, error);
    }
}
