package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The JVM's atomics: {@link VarHandle}s that view the segment's direct buffers as ints and longs
 * in native byte order. On a direct buffer the atomic access modes work on the memory itself
 * (aligned addresses only, which {@link SegmentAtomics} checks), so they are atomic across
 * processes. No {@code sun.misc.Unsafe}.
 *
 * <p>Fast path, as in {@link Segment}'s typed access: the first chunk's buffer, and the VarHandle's
 * own bounds check; only aligned addresses take it. An index past the limit
 * ({@link IndexOutOfBoundsException}) sends the call to the checked path, which throws the
 * exception {@link SegmentAtomics} documents, with the call named. The buffer field is null once
 * the segment is closed, and the write buffer also when it is read-only, which sends those calls
 * to the checked path too.
 */
final class JavaAtomics extends SegmentAtomics {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /**
     * The low bits of the segment's address: the same for every mapping of it (mappings start on
     * a page boundary plus the file offset's remainder), so one field tells, with the offset,
     * whether an access is aligned in memory. The VarHandle itself checks the index, not the
     * address.
     */
    private final long addressBits;

    /**
     * The segment's fast-path buffers ({@link Segment#readBuffer}, {@link Segment#writeBuffer}),
     * kept here too so that an operation loads its buffer from this object, one load fewer than
     * through the segment. The segment sets them as it sets its own: when a grown mapping is
     * published (after its release fence) and, under its lock, on close (null).
     */
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    JavaAtomics(Segment segment) {
        super(segment);
        this.addressBits = segment.address() & (Long.BYTES - 1);
    }

    /** Called by the segment only, with its lock held or from its publication of a mapping. */
    void publish(ByteBuffer reads, ByteBuffer writes) {
        readBuffer = reads;
        writeBuffer = writes;
    }

    @Override
    public int getIntVolatile(long offset) {
        ByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                return (int) INT.getVolatile(b, (int) offset);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getIntVolatile", offset, 4);
            }
        }
        Mapping m = readableInt(offset, "getIntVolatile");
        try {
            return (int) INT.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntVolatile", offset, 4);
        }
    }

    @Override
    public void putIntVolatile(long offset, int value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                INT.setVolatile(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "putIntVolatile", offset, 4);
            }
        }
        Mapping m = writableInt(offset, "putIntVolatile");
        try {
            INT.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntVolatile", offset, 4);
        }
    }

    @Override
    public int getIntAcquire(long offset) {
        ByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                return (int) INT.getAcquire(b, (int) offset);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getIntAcquire", offset, 4);
            }
        }
        Mapping m = readableInt(offset, "getIntAcquire");
        try {
            return (int) INT.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getIntAcquire", offset, 4);
        }
    }

    @Override
    public void putIntRelease(long offset, int value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                INT.setRelease(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "putIntRelease", offset, 4);
            }
        }
        Mapping m = writableInt(offset, "putIntRelease");
        try {
            INT.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putIntRelease", offset, 4);
        }
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                return INT.compareAndSet(b, (int) offset, expected, value);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "compareAndSetInt", offset, 4);
            }
        }
        Mapping m = writableInt(offset, "compareAndSetInt");
        try {
            return INT.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetInt", offset, 4);
        }
    }

    @Override
    public int getAndAddInt(long offset, int delta) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                return (int) INT.getAndAdd(b, (int) offset, delta);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getAndAddInt", offset, 4);
            }
        }
        Mapping m = writableInt(offset, "getAndAddInt");
        try {
            return (int) INT.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddInt", offset, 4);
        }
    }

    @Override
    public int getAndSetInt(long offset, int value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 3) == 0) {
            try {
                return (int) INT.getAndSet(b, (int) offset, value);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getAndSetInt", offset, 4);
            }
        }
        Mapping m = writableInt(offset, "getAndSetInt");
        try {
            return (int) INT.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "getAndSetInt", offset, 4);
        }
    }

    @Override
    public long getLongVolatile(long offset) {
        ByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                return (long) LONG.getVolatile(b, (int) offset);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getLongVolatile", offset, 8);
            }
        }
        Mapping m = readableLong(offset, "getLongVolatile");
        try {
            return (long) LONG.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongVolatile", offset, 8);
        }
    }

    @Override
    public void putLongVolatile(long offset, long value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                LONG.setVolatile(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "putLongVolatile", offset, 8);
            }
        }
        Mapping m = writableLong(offset, "putLongVolatile");
        try {
            LONG.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongVolatile", offset, 8);
        }
    }

    @Override
    public long getLongAcquire(long offset) {
        ByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                return (long) LONG.getAcquire(b, (int) offset);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getLongAcquire", offset, 8);
            }
        }
        Mapping m = readableLong(offset, "getLongAcquire");
        try {
            return (long) LONG.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLongAcquire", offset, 8);
        }
    }

    @Override
    public void putLongRelease(long offset, long value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                LONG.setRelease(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "putLongRelease", offset, 8);
            }
        }
        Mapping m = writableLong(offset, "putLongRelease");
        try {
            LONG.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLongRelease", offset, 8);
        }
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                return LONG.compareAndSet(b, (int) offset, expected, value);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "compareAndSetLong", offset, 8);
            }
        }
        Mapping m = writableLong(offset, "compareAndSetLong");
        try {
            return LONG.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw faulted(e, "compareAndSetLong", offset, 8);
        }
    }

    @Override
    public long getAndAddLong(long offset, long delta) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                return (long) LONG.getAndAdd(b, (int) offset, delta);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getAndAddLong", offset, 8);
            }
        }
        Mapping m = writableLong(offset, "getAndAddLong");
        try {
            return (long) LONG.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw faulted(e, "getAndAddLong", offset, 8);
        }
    }

    @Override
    public long getAndSetLong(long offset, long value) {
        ByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && ((offset | addressBits) & 7) == 0) {
            try {
                return (long) LONG.getAndSet(b, (int) offset, value);
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path names the call, or finds the offset in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "getAndSetLong", offset, 8);
            }
        }
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
