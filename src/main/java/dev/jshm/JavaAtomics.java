package dev.jshm;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;

import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;

/**
 * The JVM's atomics: {@link VarHandle}s that view the segment's direct buffers as ints and longs
 * in native byte order. On a direct buffer the atomic access modes work on the memory itself
 * (aligned addresses only, which {@link SegmentAtomics} checks), so they are atomic across
 * processes. No {@code sun.misc.Unsafe}.
 *
 * <p>Fast paths, as in {@link Segment}'s typed access: the first chunk's buffer, and the
 * VarHandle's own checks, which refuse exactly what the checked path refuses: an index past the
 * limit ({@link IndexOutOfBoundsException}) and, in the atomic access modes, an index that is not
 * a multiple of the value's size ({@link IllegalStateException}). Either sends the call to the
 * checked path, which throws the exception {@link SegmentAtomics} documents, with the call named.
 * A segment that nothing can truncate (System V) has its fast path in {@link SegmentAtomics}
 * (final methods: no dispatch, no truncation check); the others have theirs here, followed by
 * the segment's truncation check. The VarHandle checks the index, not the address, so a segment
 * whose memory is not 8-byte aligned (a file mapped from an odd file offset) has no fast path at
 * all. The buffer fields are null then, once the segment is closed, and (the write buffer) when
 * it is read-only.
 */
final class JavaAtomics extends SegmentAtomics {

    /** Whether the segment's memory starts on an 8-byte boundary: the same for every mapping of it. */
    private final boolean aligned;

    /**
     * The fast-path buffers of a segment that may be truncated ({@link Segment#readBuffer},
     * {@link Segment#writeBuffer}), kept here so that an operation loads its buffer from this
     * object, one load fewer than through the segment; null on System V, whose buffers are
     * {@link SegmentAtomics}' own. The segment sets them as it sets its own: when a grown
     * mapping is published (after its release fence) and, under its lock, on close (null).
     */
    private MappedByteBuffer readBuffer;
    private MappedByteBuffer writeBuffer;

    JavaAtomics(Segment segment) {
        super(segment);
        // Mappings start on a page boundary plus the file offset's remainder, which never changes.
        this.aligned = (segment.address() & (Long.BYTES - 1)) == 0;
    }

    /** Called by the segment only, with its lock held or from its publication of a mapping. */
    void publish(MappedByteBuffer reads, MappedByteBuffer writes) {
        // The segment's guarded (whether another process can cut its memory off) picks the fast path.
        boolean guarded = segment.guarded;
        readBuffer = aligned && guarded ? reads : null;
        writeBuffer = aligned && guarded ? writes : null;
        unguardedReads = aligned && !guarded ? reads : null;
        unguardedWrites = aligned && !guarded ? writes : null;
    }

    @Override
    int getIntVolatileChecked(long offset) {
        MappedByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset) {
            try {
                int result = (int) INT.getVolatile(b, (int) offset);
                segment.afterGuardedAccess("getIntVolatile", offset, Integer.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getIntVolatile", offset, 4);
            }
        }
        Mapping m = readableInt("getIntVolatile", offset);
        int result;
        try {
            result = (int) INT.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw segment.faulted(e, "getIntVolatile", offset, 4);
        }
        m.checkBacked(segment, "getIntVolatile", offset, Integer.BYTES);
        return result;
    }

    @Override
    void putIntVolatileChecked(long offset, int value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                INT.setVolatile(b, (int) offset, value);
                segment.afterGuardedAccess("putIntVolatile", offset, Integer.BYTES);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putIntVolatile", offset, 4);
            }
        }
        Mapping m = writableInt("putIntVolatile", offset);
        try {
            INT.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "putIntVolatile", offset, 4);
        }
        m.checkBacked(segment, "putIntVolatile", offset, Integer.BYTES);
    }

    @Override
    int getIntAcquireChecked(long offset) {
        MappedByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset) {
            try {
                int result = (int) INT.getAcquire(b, (int) offset);
                segment.afterGuardedAccess("getIntAcquire", offset, Integer.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getIntAcquire", offset, 4);
            }
        }
        Mapping m = readableInt("getIntAcquire", offset);
        int result;
        try {
            result = (int) INT.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw segment.faulted(e, "getIntAcquire", offset, 4);
        }
        m.checkBacked(segment, "getIntAcquire", offset, Integer.BYTES);
        return result;
    }

    @Override
    void putIntReleaseChecked(long offset, int value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                INT.setRelease(b, (int) offset, value);
                segment.afterGuardedAccess("putIntRelease", offset, Integer.BYTES);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putIntRelease", offset, 4);
            }
        }
        Mapping m = writableInt("putIntRelease", offset);
        try {
            INT.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "putIntRelease", offset, 4);
        }
        m.checkBacked(segment, "putIntRelease", offset, Integer.BYTES);
    }

    @Override
    boolean compareAndSetIntChecked(long offset, int expected, int value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                boolean result = INT.compareAndSet(b, (int) offset, expected, value);
                segment.afterGuardedAccess("compareAndSetInt", offset, Integer.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "compareAndSetInt", offset, 4);
            }
        }
        Mapping m = writableInt("compareAndSetInt", offset);
        boolean result;
        try {
            result = INT.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw segment.faulted(e, "compareAndSetInt", offset, 4);
        }
        m.checkBacked(segment, "compareAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    int getAndAddIntChecked(long offset, int delta) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                int result = (int) INT.getAndAdd(b, (int) offset, delta);
                segment.afterGuardedAccess("getAndAddInt", offset, Integer.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndAddInt", offset, 4);
            }
        }
        Mapping m = writableInt("getAndAddInt", offset);
        int result;
        try {
            result = (int) INT.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw segment.faulted(e, "getAndAddInt", offset, 4);
        }
        m.checkBacked(segment, "getAndAddInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    int getAndSetIntChecked(long offset, int value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                int result = (int) INT.getAndSet(b, (int) offset, value);
                segment.afterGuardedAccess("getAndSetInt", offset, Integer.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndSetInt", offset, 4);
            }
        }
        Mapping m = writableInt("getAndSetInt", offset);
        int result;
        try {
            result = (int) INT.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "getAndSetInt", offset, 4);
        }
        m.checkBacked(segment, "getAndSetInt", offset, Integer.BYTES);
        return result;
    }

    @Override
    long getLongVolatileChecked(long offset) {
        MappedByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset) {
            try {
                long result = (long) LONG.getVolatile(b, (int) offset);
                segment.afterGuardedAccess("getLongVolatile", offset, Long.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getLongVolatile", offset, 8);
            }
        }
        Mapping m = readableLong("getLongVolatile", offset);
        long result;
        try {
            result = (long) LONG.getVolatile(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw segment.faulted(e, "getLongVolatile", offset, 8);
        }
        m.checkBacked(segment, "getLongVolatile", offset, Long.BYTES);
        return result;
    }

    @Override
    void putLongVolatileChecked(long offset, long value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                LONG.setVolatile(b, (int) offset, value);
                segment.afterGuardedAccess("putLongVolatile", offset, Long.BYTES);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putLongVolatile", offset, 8);
            }
        }
        Mapping m = writableLong("putLongVolatile", offset);
        try {
            LONG.setVolatile(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "putLongVolatile", offset, 8);
        }
        m.checkBacked(segment, "putLongVolatile", offset, Long.BYTES);
    }

    @Override
    long getLongAcquireChecked(long offset) {
        MappedByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset) {
            try {
                long result = (long) LONG.getAcquire(b, (int) offset);
                segment.afterGuardedAccess("getLongAcquire", offset, Long.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getLongAcquire", offset, 8);
            }
        }
        Mapping m = readableLong("getLongAcquire", offset);
        long result;
        try {
            result = (long) LONG.getAcquire(m.chunk(offset), Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw segment.faulted(e, "getLongAcquire", offset, 8);
        }
        m.checkBacked(segment, "getLongAcquire", offset, Long.BYTES);
        return result;
    }

    @Override
    void putLongReleaseChecked(long offset, long value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                LONG.setRelease(b, (int) offset, value);
                segment.afterGuardedAccess("putLongRelease", offset, Long.BYTES);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putLongRelease", offset, 8);
            }
        }
        Mapping m = writableLong("putLongRelease", offset);
        try {
            LONG.setRelease(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "putLongRelease", offset, 8);
        }
        m.checkBacked(segment, "putLongRelease", offset, Long.BYTES);
    }

    @Override
    boolean compareAndSetLongChecked(long offset, long expected, long value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                boolean result = LONG.compareAndSet(b, (int) offset, expected, value);
                segment.afterGuardedAccess("compareAndSetLong", offset, Long.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "compareAndSetLong", offset, 8);
            }
        }
        Mapping m = writableLong("compareAndSetLong", offset);
        boolean result;
        try {
            result = LONG.compareAndSet(m.chunk(offset), Mapping.indexInChunk(offset), expected, value);
        } catch (InternalError e) {
            throw segment.faulted(e, "compareAndSetLong", offset, 8);
        }
        m.checkBacked(segment, "compareAndSetLong", offset, Long.BYTES);
        return result;
    }

    @Override
    long getAndAddLongChecked(long offset, long delta) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                long result = (long) LONG.getAndAdd(b, (int) offset, delta);
                segment.afterGuardedAccess("getAndAddLong", offset, Long.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndAddLong", offset, 8);
            }
        }
        Mapping m = writableLong("getAndAddLong", offset);
        long result;
        try {
            result = (long) LONG.getAndAdd(m.chunk(offset), Mapping.indexInChunk(offset), delta);
        } catch (InternalError e) {
            throw segment.faulted(e, "getAndAddLong", offset, 8);
        }
        m.checkBacked(segment, "getAndAddLong", offset, Long.BYTES);
        return result;
    }

    @Override
    long getAndSetLongChecked(long offset, long value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset) {
            try {
                long result = (long) LONG.getAndSet(b, (int) offset, value);
                segment.afterGuardedAccess("getAndSetLong", offset, Long.BYTES);
                return result;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndSetLong", offset, 8);
            }
        }
        Mapping m = writableLong("getAndSetLong", offset);
        long result;
        try {
            result = (long) LONG.getAndSet(m.chunk(offset), Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw segment.faulted(e, "getAndSetLong", offset, 8);
        }
        m.checkBacked(segment, "getAndSetLong", offset, Long.BYTES);
        return result;
    }
}
