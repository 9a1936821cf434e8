package dev.jshm;

import dev.jshm.internal.BufferViews;
import dev.jshm.internal.Secrets;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared memory mapped into this process: the face that every kind of segment shows.
 *
 * <p>Offsets are {@code long} and count bytes from the start of the segment. Multi-byte values
 * are in the platform's native byte order, so C programs on the same host read them as they
 * are. Every access is checked in Java before memory is touched: an offset or length outside
 * the segment throws {@link IndexOutOfBoundsException} naming offset, length and size; a write
 * to a read-only segment throws {@link ReadOnlySegmentException}; any access after
 * {@link #close()} throws {@link IllegalStateException}.
 *
 * <p>Truncation: a POSIX object or a file can be cut short by another process while it is mapped.
 * No access crashes the JVM then, and every method that touches memory throws
 * {@link SegmentFaultException} when its range overlapped cut-off memory (views: see
 * {@link #checkBacked(long, long)}). Details in {@link PosixSegment}.
 *
 * <p>Thread-safety: reads, writes, copies and views may be used from any number of threads at
 * once; they are plain memory accesses with no ordering between threads (publish data with the
 * atomic operations or your own protocol). {@link #close()} may be called from any thread, at
 * any time, also while other threads access the segment: they never crash the JVM, and their
 * accesses after the close either throw or touch private zeroed memory that no one else sees.
 */
public abstract sealed class Segment implements AutoCloseable permits SysVSegment, FileBackedSegment {

    private static final VarHandle CLOSING;

    static {
        try {
            CLOSING = MethodHandles.lookup().findVarHandle(Segment.class, "closing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        Secrets.setSegmentMemory(new SegmentMemoryBridge());
        Secrets.setRegularFileOpener(new RegularFileOpenerBridge());
    }

    /**
     * The current mapping. Replaced, never changed, when the segment grows: its fields are final,
     * so a thread that sees a new mapping sees all of it. Every operation reads it once.
     */
    private Mapping mapping;
    /**
     * The current mapping's first chunk (see {@link Mapping}): the fast path of typed access,
     * copies and atomics. Null once closed, so an access that finds it null takes the checked
     * path, which throws. Plain on purpose, like {@link #closed}: a thread that misses an update
     * uses a buffer over a mapping that is still valid (a superseded one, or a retired one that
     * holds private zeros), never unmapped memory.
     *
     * <p>Typed {@code MappedByteBuffer} (the class of every direct buffer) rather than
     * {@code ByteBuffer}: among its subclasses {@code get(int)} and the bulk {@code get} have one
     * implementation, so the JIT calls it directly, without the check of the buffer's class that
     * a call on a {@code ByteBuffer} pays (writes have two: the read-only buffer's throws).
     */
    MappedByteBuffer readBuffer;
    /** {@link #readBuffer}, and null also when the segment is read-only. */
    MappedByteBuffer writeBuffer;
    /** The current mapping's chunks, for offsets past the first; null as {@link #readBuffer} is. */
    private MappedByteBuffer[] readChunks;
    /** {@link #readChunks}, and null also when the segment is read-only. */
    private MappedByteBuffer[] writeChunks;
    /** Mappings replaced by a larger one; still valid (the object only grew), retired on close. */
    private final List<Mapping> superseded = new ArrayList<>(0);
    private final boolean readOnly;
    /**
     * Whether bulk operations may use the native copy: every kind by default, POSIX objects and
     * files not when built with {@code jvmCopies()}. Both paths are fault-safe (see
     * {@link FaultWord}); below {@link #nativeCopyFrom} the JVM's copy is faster than a JNI call.
     */
    private final boolean nativeCopies;
    /**
     * The smallest copy that goes through the native path ({@link BulkCopy#NATIVE_COPY_THRESHOLD}):
     * below it the JVM's copy wins, because a JNI call costs more than the copy.
     * {@link Integer#MAX_VALUE} (never) without {@link #nativeCopies}. Fills, whose length is a
     * long, ask {@link #nativeCopies} and {@link BulkCopy#NATIVE_FILL_THRESHOLD}.
     */
    private final int nativeCopyFrom;
    /**
     * Whether accesses check the fault word after them: the mapping has one exactly when the kind
     * is {@link #truncatable()} (POSIX objects and files). Never changes.
     */
    final boolean guarded;
    /**
     * The current mapping's fault word (null for System V), stored before the buffers in
     * {@link #publishBuffers}; kept after close, when no access reaches the fast path.
     */
    private FaultWord faults;
    /** Set once by the thread that wins {@link #close()}. */
    private volatile boolean closing;
    /**
     * Checked by every access. Plain on purpose: a thread that misses the write only lands in
     * the retired (anonymous) mapping, and the check costs nothing on the hot path.
     */
    private boolean closed;

    Segment(Mapping mapping, boolean nativeCopies) {
        this.mapping = mapping;
        this.readOnly = mapping.readOnly;
        this.nativeCopies = nativeCopies;
        this.nativeCopyFrom = nativeCopies ? BulkCopy.NATIVE_COPY_THRESHOLD : Integer.MAX_VALUE;
        this.guarded = mapping.faults != null;
        publishBuffers(mapping);
    }

    /**
     * Makes {@code m}'s buffers the fast path. Readers load the fields plainly and then the
     * buffer's own fields (address, limit) through the reference they loaded: a dependent load,
     * which every CPU the JVM runs on orders after the load of the reference. The release fence
     * here orders the buffers' construction (in {@link Mapping}'s constructor) before the stores
     * that publish them, so a reader that sees a buffer sees it whole: the same pairing the JVM
     * uses for final fields (a barrier at the end of the writer's constructor, nothing on the
     * reader's side). In the constructor, the segment's own final fields do the same.
     */
    private void publishBuffers(Mapping m) {
        faults = m.faults;
        VarHandle.releaseFence();
        readBuffer = m.first();
        writeBuffer = readOnly ? null : readBuffer;
        readChunks = m.chunks;
        writeChunks = readOnly ? null : m.chunks;
        JavaAtomics a = javaAtomics;
        if (a != null) {
            a.publish(readBuffer, writeBuffer);
        }
    }

    private void dropBuffers() {
        readBuffer = null;
        writeBuffer = null;
        readChunks = null;
        writeChunks = null;
        JavaAtomics a = javaAtomics;
        if (a != null) {
            a.publish(null, null);
        }
    }

    /**
     * {@return the size in bytes} A POSIX object or file that this process grows
     * ({@code resize}) has its new size from then on. Allowed after close.
     */
    public final long size() {
        return mapping.size;
    }

    /**
     * Whether bulk operations ({@link #read}, {@link #write}, {@link #fill}, strings) may go
     * through one native call ({@code memcpy}, {@code memset}) rather than the JVM's buffer
     * copies: each call then takes the native path from a size on, where it is the faster one:
     * copies from 64 KiB on AMD CPUs of family 26 and from 1 MiB on others, fills from 1 MiB
     * (measured by CopyCrossoverBench; {@code -Ddev.jshm.nativeCopyThreshold=N} sets both). True
     * unless a POSIX object or file was built with {@code jvmCopies()}. Both paths report an
     * access to memory that another process truncated in the same way. Allowed after close.
     *
     * @return whether large bulk operations take the native path
     */
    public final boolean usesNativeCopies() {
        return nativeCopies;
    }

    /**
     * The address of byte 0 in this process, for diagnostics and for handing the memory to other
     * native code. It is only a number: after {@link #close()} it points to private memory, and
     * later to nothing. Allowed after close.
     *
     * @return the address of byte 0
     */
    public final long address() {
        return mapping.address;
    }

    /** {@return whether the segment is mapped read-only} Allowed after close. */
    public final boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Where another process finds this segment: hand it to a child process with
     * {@link SegmentLocator#passTo(ProcessBuilder)}. Allowed after close.
     *
     * @return the segment's key or id, name, or path (with offset and size)
     */
    public abstract SegmentLocator locator();

    /**
     * Whether another process can cut this segment's memory off by truncating what backs it:
     * false for {@link SysVSegment} (the kernel keeps a System V segment's size for its life),
     * true for {@link PosixSegment} and {@link MappedFileSegment}, whose file any process with
     * write permission may truncate. Code that reads the segment after another process may have
     * written it checks {@link #checkBacked(long, long)} only when this is true. Allowed after
     * close; thread-safe.
     *
     * @return whether the segment's backing can shrink under it
     */
    public abstract boolean truncatable();

    /**
     * {@return whether {@link #close()} has been called} Once true, it stays true; another
     * thread's accesses may still be finishing.
     */
    public final boolean isClosed() {
        return closing;
    }

    // ---- typed access -------------------------------------------------------------------

    /*
     * Every access has one shape. The fast path is the first chunk's buffer (every offset below
     * 2 GiB - 1), read from one field, and the buffer's own bounds check: a direct buffer's limit
     * is the segment's size (or 2 GiB - 1), so when it passes, the segment's check would too, and
     * when it fails (IndexOutOfBoundsException) the chunks decide (chunkToRead/chunkToWrite): the
     * chunk that holds a later offset, with that chunk's buffer's bounds check, or the exception
     * that names the call. The field is null once the segment is closed (and the write buffer
     * also when it is read-only), which sends the access to that path too: one load and one
     * compare stand for the closed check, the read-only check and the chunk lookup.
     *
     * Widths above a byte go through BufferViews' VarHandles rather than the buffer's own
     * getLong/putLong...: those are virtual calls on the abstract ByteBuffer, which cost a check
     * of the buffer's class before the access, while the VarHandle reads the buffer's fields
     * itself. Same bounds check (IndexOutOfBoundsException), same byte order (native), any
     * alignment in plain mode, and the same InternalError when the memory faults. No such view
     * exists for bytes.
     */

    /**
     * {@return the byte at {@code offset}}
     *
     * @param offset the byte's offset in the segment
     * @throws IndexOutOfBoundsException if the byte is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the byte was cut off by a truncation
     */
    public final byte getByte(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        byte value = b.get((int) offset);
                        afterAccess("getByte", offset, Byte.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getByte", offset, Byte.BYTES);
            int index = Mapping.indexInChunk(offset);
            byte value;
            try {
                value = chunk.get(index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = readable("getByte", offset, Byte.BYTES).chunk(offset).get(index);
            }
            afterAccess("getByte", offset, Byte.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getByte", offset, Byte.BYTES);
        }
    }

    /**
     * Writes the byte at {@code offset}.
     *
     * @param offset the byte's offset in the segment
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the byte is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the byte was cut off by a truncation
     */
    public final void putByte(long offset, byte value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        b.put((int) offset, value);
                        afterAccess("putByte", offset, Byte.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putByte", offset, Byte.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                chunk.put(index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                writable("putByte", offset, Byte.BYTES).chunk(offset).put(index, value);
            }
            afterAccess("putByte", offset, Byte.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putByte", offset, Byte.BYTES);
        }
    }

    /**
     * {@return the short at {@code offset}, in native byte order}
     *
     * @param offset the short's offset in the segment, aligned or not
     * @throws IndexOutOfBoundsException if the short is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the short was cut off by a truncation
     */
    public final short getShort(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        short value = (short) BufferViews.SHORT.get(b, (int) offset);
                        afterAccess("getShort", offset, Short.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getShort", offset, Short.BYTES);
            int index = Mapping.indexInChunk(offset);
            short value;
            try {
                value = (short) BufferViews.SHORT.get(chunk, index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = (short) BufferViews.SHORT.get(readable("getShort", offset, Short.BYTES).chunk(offset), index);
            }
            afterAccess("getShort", offset, Short.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getShort", offset, Short.BYTES);
        }
    }

    /**
     * Writes the short at {@code offset}, in native byte order.
     *
     * @param offset the short's offset in the segment, aligned or not
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the short is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the short was cut off by a truncation
     */
    public final void putShort(long offset, short value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        BufferViews.SHORT.set(b, (int) offset, value);
                        afterAccess("putShort", offset, Short.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putShort", offset, Short.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                BufferViews.SHORT.set(chunk, index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                BufferViews.SHORT.set(writable("putShort", offset, Short.BYTES).chunk(offset), index, value);
            }
            afterAccess("putShort", offset, Short.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putShort", offset, Short.BYTES);
        }
    }

    /**
     * {@return the int at {@code offset}, in native byte order}
     *
     * @param offset the int's offset in the segment, aligned or not
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final int getInt(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        int value = (int) BufferViews.INT.get(b, (int) offset);
                        afterAccess("getInt", offset, Integer.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getInt", offset, Integer.BYTES);
            int index = Mapping.indexInChunk(offset);
            int value;
            try {
                value = (int) BufferViews.INT.get(chunk, index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = (int) BufferViews.INT.get(readable("getInt", offset, Integer.BYTES).chunk(offset), index);
            }
            afterAccess("getInt", offset, Integer.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getInt", offset, Integer.BYTES);
        }
    }

    /**
     * Writes the int at {@code offset}, in native byte order.
     *
     * @param offset the int's offset in the segment, aligned or not
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final void putInt(long offset, int value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        BufferViews.INT.set(b, (int) offset, value);
                        afterAccess("putInt", offset, Integer.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putInt", offset, Integer.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                BufferViews.INT.set(chunk, index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                BufferViews.INT.set(writable("putInt", offset, Integer.BYTES).chunk(offset), index, value);
            }
            afterAccess("putInt", offset, Integer.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putInt", offset, Integer.BYTES);
        }
    }

    /**
     * {@return the long at {@code offset}, in native byte order}
     *
     * @param offset the long's offset in the segment, aligned or not
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final long getLong(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        long value = (long) BufferViews.LONG.get(b, (int) offset);
                        afterAccess("getLong", offset, Long.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getLong", offset, Long.BYTES);
            int index = Mapping.indexInChunk(offset);
            long value;
            try {
                value = (long) BufferViews.LONG.get(chunk, index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = (long) BufferViews.LONG.get(readable("getLong", offset, Long.BYTES).chunk(offset), index);
            }
            afterAccess("getLong", offset, Long.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getLong", offset, Long.BYTES);
        }
    }

    /**
     * Writes the long at {@code offset}, in native byte order.
     *
     * @param offset the long's offset in the segment, aligned or not
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final void putLong(long offset, long value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        BufferViews.LONG.set(b, (int) offset, value);
                        afterAccess("putLong", offset, Long.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putLong", offset, Long.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                BufferViews.LONG.set(chunk, index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                BufferViews.LONG.set(writable("putLong", offset, Long.BYTES).chunk(offset), index, value);
            }
            afterAccess("putLong", offset, Long.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putLong", offset, Long.BYTES);
        }
    }

    /**
     * {@return the float at {@code offset}, in native byte order}
     *
     * @param offset the float's offset in the segment, aligned or not
     * @throws IndexOutOfBoundsException if the float is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the float was cut off by a truncation
     */
    public final float getFloat(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        float value = (float) BufferViews.FLOAT.get(b, (int) offset);
                        afterAccess("getFloat", offset, Float.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getFloat", offset, Float.BYTES);
            int index = Mapping.indexInChunk(offset);
            float value;
            try {
                value = (float) BufferViews.FLOAT.get(chunk, index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = (float) BufferViews.FLOAT.get(readable("getFloat", offset, Float.BYTES).chunk(offset), index);
            }
            afterAccess("getFloat", offset, Float.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getFloat", offset, Float.BYTES);
        }
    }

    /**
     * Writes the float at {@code offset}, in native byte order.
     *
     * @param offset the float's offset in the segment, aligned or not
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the float is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the float was cut off by a truncation
     */
    public final void putFloat(long offset, float value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        BufferViews.FLOAT.set(b, (int) offset, value);
                        afterAccess("putFloat", offset, Float.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putFloat", offset, Float.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                BufferViews.FLOAT.set(chunk, index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                BufferViews.FLOAT.set(writable("putFloat", offset, Float.BYTES).chunk(offset), index, value);
            }
            afterAccess("putFloat", offset, Float.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putFloat", offset, Float.BYTES);
        }
    }

    /**
     * {@return the double at {@code offset}, in native byte order}
     *
     * @param offset the double's offset in the segment, aligned or not
     * @throws IndexOutOfBoundsException if the double is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the double was cut off by a truncation
     */
    public final double getDouble(long offset) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = readBuffer;
                if (b != null) {
                    try {
                        double value = (double) BufferViews.DOUBLE.get(b, (int) offset);
                        afterAccess("getDouble", offset, Double.BYTES);
                        return value;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToRead("getDouble", offset, Double.BYTES);
            int index = Mapping.indexInChunk(offset);
            double value;
            try {
                value = (double) BufferViews.DOUBLE.get(chunk, index);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                value = (double) BufferViews.DOUBLE.get(readable("getDouble", offset, Double.BYTES).chunk(offset), index);
            }
            afterAccess("getDouble", offset, Double.BYTES);
            return value;
        } catch (InternalError e) {
            throw faulted(e, "getDouble", offset, Double.BYTES);
        }
    }

    /**
     * Writes the double at {@code offset}, in native byte order.
     *
     * @param offset the double's offset in the segment, aligned or not
     * @param value  the value to write
     * @throws IndexOutOfBoundsException if the double is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the double was cut off by a truncation
     */
    public final void putDouble(long offset, double value) {
        try {
            if ((int) offset == offset) {
                MappedByteBuffer b = writeBuffer;
                if (b != null) {
                    try {
                        BufferViews.DOUBLE.set(b, (int) offset, value);
                        afterAccess("putDouble", offset, Double.BYTES);
                        return;
                    } catch (IndexOutOfBoundsException pastTheFirstChunk) {
                        // The chunks decide.
                    }
                }
            }
            MappedByteBuffer chunk = chunkToWrite("putDouble", offset, Double.BYTES);
            int index = Mapping.indexInChunk(offset);
            try {
                BufferViews.DOUBLE.set(chunk, index, value);
            } catch (IndexOutOfBoundsException outsideTheChunk) {
                BufferViews.DOUBLE.set(writable("putDouble", offset, Double.BYTES).chunk(offset), index, value);
            }
            afterAccess("putDouble", offset, Double.BYTES);
        } catch (InternalError e) {
            throw faulted(e, "putDouble", offset, Double.BYTES);
        }
    }

    // ---- atomics ----------------------------------------------------------------------------

    /**
     * Created on first use, under the segment's lock, so that close() (which drops its buffers
     * under the same lock) never misses it. A racing second {@link NativeAtomics} is harmless
     * (it holds only this segment).
     */
    private JavaAtomics javaAtomics;
    private SegmentAtomics nativeAtomics;

    /**
     * Atomic operations on this segment's ints and longs through the JVM's own atomics
     * ({@link java.lang.invoke.VarHandle}s over the segment's buffers), valid across processes.
     * See {@link SegmentAtomics}.
     *
     * @return the Java atomics of this segment, the same instance on every call
     * @throws IllegalStateException if the segment is closed
     */
    public final SegmentAtomics atomics() {
        checkOpen();
        SegmentAtomics a = javaAtomics;
        return a != null ? a : newJavaAtomics();
    }

    private synchronized SegmentAtomics newJavaAtomics() {
        if (closing) {
            throw new IllegalStateException("Already closed: " + this);
        }
        if (javaAtomics == null) {
            JavaAtomics a = new JavaAtomics(this);
            a.publish(readBuffer, writeBuffer);
            // As in publishBuffers: readers reach the buffers through the reference stored next.
            VarHandle.releaseFence();
            javaAtomics = a;
        }
        return javaAtomics;
    }

    /**
     * The same operations as {@link #atomics()}, through C11 atomics in the native library (one
     * JNI call each), with the same fault reporting: see {@link SegmentAtomics}.
     *
     * @return the native atomics of this segment
     * @throws IllegalStateException if the segment is closed
     */
    public final SegmentAtomics nativeAtomics() {
        checkOpen();
        SegmentAtomics a = nativeAtomics;
        return a != null ? a : (nativeAtomics = new NativeAtomics(this));
    }

    // ---- bulk copies ----------------------------------------------------------------------

    /**
     * Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset..]}. Each call picks
     * the faster path for its size: the JVM's buffer copy, or, for copies of at least the
     * native threshold on a segment that {@link #usesNativeCopies()}, one native {@code memcpy}.
     *
     * @param offset    where to start reading in the segment
     * @param dst       the array to copy into
     * @param dstOffset where to start writing in {@code dst}
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range does not fit (or {@code length} is negative)
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation
     */
    public final void read(long offset, byte[] dst, int dstOffset, int length) {
        MappedByteBuffer b = readBuffer;
        if (b != null && (int) offset == offset && length < nativeCopyFrom) {
            try {
                // Checks both ranges (the buffer's limit is the segment's size or 2 GiB - 1).
                b.get((int) offset, dst, dstOffset, length);
                afterAccess("read", offset, length);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path below names the call, or finds the range in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "read", offset, length);
            }
        }
        BulkCopy.read(this, offset, dst, dstOffset, length, length >= nativeCopyFrom);
    }

    /**
     * Fills {@code dst} from {@code offset}: {@code read(offset, dst, 0, dst.length)}.
     *
     * @param offset where to start reading in the segment
     * @param dst    the array to fill
     * @throws IndexOutOfBoundsException if {@code dst.length} bytes at {@code offset} are not
     *                                   inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation
     */
    public final void read(long offset, byte[] dst) {
        read(offset, dst, 0, dst.length);
    }

    /**
     * Copies {@code src[srcOffset..srcOffset+length)} to {@code offset}, by the faster path for the
     * size as {@link #read(long, byte[], int, int)} does.
     *
     * @param offset    where to start writing in the segment
     * @param src       the array to copy from
     * @param srcOffset where to start reading in {@code src}
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range does not fit (or {@code length} is negative)
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation (the
     *                                   bytes written there reached no one)
     */
    public final void write(long offset, byte[] src, int srcOffset, int length) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && length < nativeCopyFrom) {
            try {
                b.put((int) offset, src, srcOffset, length);
                afterAccess("write", offset, length);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path below names the call, or finds the range in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "write", offset, length);
            }
        }
        BulkCopy.write(this, "write", offset, src, srcOffset, length, length >= nativeCopyFrom);
    }

    /** All of {@code src} at {@code offset}, by the checked path, failing as {@code operation}. */
    final void write(String operation, long offset, byte[] src) {
        BulkCopy.write(this, operation, offset, src, 0, src.length, src.length >= nativeCopyFrom);
    }

    /**
     * Writes all of {@code src} at {@code offset}: {@code write(offset, src, 0, src.length)}.
     *
     * @param offset where to start writing in the segment
     * @param src    the bytes to write
     * @throws IndexOutOfBoundsException if {@code src.length} bytes at {@code offset} are not
     *                                   inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation
     */
    public final void write(long offset, byte[] src) {
        write(offset, src, 0, src.length);
    }

    /**
     * Sets {@code length} bytes at {@code offset} to {@code value}, by the faster path for the
     * size as {@link #read(long, byte[], int, int)} does. Allocates nothing once a fill with the
     * same value has run in this process: the first one makes that value's 4 KiB pattern block,
     * which the process keeps.
     *
     * @param offset where to start in the segment
     * @param length how many bytes to set
     * @param value  the byte to set them to
     * @throws IndexOutOfBoundsException if the range is not inside the segment (or {@code length}
     *                                   is negative)
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation
     */
    public final void fill(long offset, long length, byte value) {
        MappedByteBuffer b = writeBuffer;
        if (b != null && (int) offset == offset && length >= 0 && length <= FillPatterns.BLOCK && length < BulkCopy.NATIVE_FILL_THRESHOLD) {
            try {
                // Below PLACED_FROM the source's place makes no difference, and reading it costs
                // two loads. The mapping read here may be older than b if the segment grows
                // meanwhile: the place it gives only moves the copy's speed, never its bytes.
                int from = length < FillPatterns.PLACED_FROM ? 0 : FillPatterns.sourceFor(mapping.address + offset);
                b.put((int) offset, FillPatterns.of(value), from, (int) length);
                afterAccess("fill", offset, length);
                return;
            } catch (IndexOutOfBoundsException outsideFirstChunk) {
                // The checked path below names the call, or finds the range in a later chunk.
            } catch (InternalError e) {
                throw faulted(e, "fill", offset, length);
            }
        }
        BulkCopy.fill(this, offset, length, value, nativeCopies && length >= BulkCopy.NATIVE_FILL_THRESHOLD);
    }

    // ---- strings --------------------------------------------------------------------------

    /**
     * Writes {@code text} as UTF-8 followed by a NUL byte at {@code offset}, as C's
     * {@code sprintf} would, so C programs read it as a string.
     *
     * @param offset where the string starts in the segment
     * @param text   the text; unpaired surrogates are written as {@code ?}
     * @return the number of bytes written, not counting the NUL
     * @throws IllegalArgumentException  if the text contains a NUL character (C would cut it there)
     * @throws IndexOutOfBoundsException if the bytes and the NUL do not fit
     * @throws IllegalStateException     if the segment is closed
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws SegmentFaultException     if the range overlaps memory cut off by a truncation
     */
    public final int putString(long offset, String text) {
        return SegmentStrings.put(this, offset, text);
    }

    /**
     * The UTF-8 string at {@code offset}, up to the first NUL byte or the end of the segment
     * (at most {@code Integer.MAX_VALUE - 8} bytes). Bytes that are not UTF-8 become U+FFFD.
     *
     * @param offset where the string starts; {@link #size()} gives an empty string
     * @return the string, without the NUL
     * @throws IndexOutOfBoundsException if {@code offset} is negative or past the end
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the bytes read or the NUL came from memory cut off by a
     *                                   truncation
     */
    public final String getString(long offset) {
        Mapping m = readable("getString", offset, 0);
        return getString(offset, (int) Math.min(m.size - offset, Integer.MAX_VALUE - 8));
    }

    /**
     * The UTF-8 string at {@code offset}, up to the first NUL byte within {@code maxLength}
     * bytes, or all {@code maxLength} bytes when there is no NUL. Bytes that are not UTF-8 become
     * U+FFFD.
     *
     * @param offset    where the string starts
     * @param maxLength the most bytes to read; all of them must be inside the segment, even when
     *                  the NUL comes sooner
     * @return the string, without the NUL
     * @throws IndexOutOfBoundsException if {@code maxLength} bytes at {@code offset} are not inside
     *                                   the segment (or {@code maxLength} is negative)
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the bytes read or the NUL came from memory cut off by a
     *                                   truncation
     */
    public final String getString(long offset, int maxLength) {
        return SegmentStrings.get(this, offset, maxLength, nativeCopies);
    }

    // ---- views ----------------------------------------------------------------------------

    /**
     * A zero-copy view of the whole segment, in native byte order (read-only if the segment
     * is). Writes through it go straight to the shared memory.
     *
     * <p>After {@link #close()}, the view no longer reaches the shared memory: it reads and
     * writes private zeroed memory, and never crashes the JVM.
     *
     * <p>Truncation (POSIX objects and files): an access through the view to memory that another
     * process cut off never crashes the JVM and throws nothing. jshm replaces that memory (from
     * the faulting page to the end of the mapping) with private zero pages, so the access reads
     * zeros or writes into memory no one else sees. A view cannot check each access: call
     * {@link #checkBacked(long, long)} on the range after reading or writing through the view
     * (for example once per message or per batch) to learn whether what was read came from the
     * object.
     *
     * @return a buffer over all of the segment, position 0, limit and capacity its size
     * @throws UnsupportedOperationException if the segment is larger than a buffer can be
     *                                       (2 GiB - 1): use {@link #asByteBuffer(long, int)}
     * @throws IllegalStateException         if the segment is closed
     */
    public final ByteBuffer asByteBuffer() {
        checkOpen();
        long size = mapping.size;
        if (size > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("asByteBuffer() of " + this + ": " + size
                    + " bytes do not fit in one ByteBuffer; use asByteBuffer(offset, length) windows");
        }
        return asByteBuffer(0, (int) size);
    }

    /**
     * A zero-copy view of {@code length} bytes at {@code offset}, for segments of any size; see
     * {@link #asByteBuffer()} for closing and truncation. Its index 0 is the segment's
     * {@code offset}.
     *
     * @param offset where the view starts in the segment
     * @param length the view's capacity in bytes
     * @return a buffer in native byte order, read-only if the segment is
     * @throws IndexOutOfBoundsException if the range is not inside the segment (or {@code length}
     *                                   is negative)
     * @throws IllegalStateException     if the segment is closed
     */
    public final ByteBuffer asByteBuffer(long offset, int length) {
        return readable("asByteBuffer", offset, length).view(offset, length);
    }

    // ---- truncation ---------------------------------------------------------------------------

    /**
     * Checks that {@code [offset, offset + length)} is still the object's memory: throws
     * {@link SegmentFaultException} if any byte of the range was replaced with private zero pages
     * after another process truncated the POSIX object or file (or its file system could not
     * back a page) and an access in this process faulted there.
     *
     * <p>What it promises: if it returns normally, every access this thread made to the range
     * before the call (through the typed, bulk and string methods, the atomics, or a view from
     * {@link #asByteBuffer}), and every access by another thread that happens-before this call,
     * read and wrote the object's memory, not replacement zeros. Accesses made after it are
     * not covered: check again after them. The typed, bulk, string and atomic methods check
     * their own range already; this is for views and for protocols that want one check after
     * several accesses. It does not look at the object itself (use {@code stat()} for its
     * current size): a truncation that no access of this process has run into yet is not
     * reported.
     *
     * <p>Cost: one load of the fault word and a compare (a few more after a {@code resize}).
     * System V segments cannot be truncated: for them it only checks bounds and state.
     *
     * @param offset where the range starts in the segment
     * @param length the range's length in bytes
     * @throws IndexOutOfBoundsException if the range is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the range overlaps replaced memory
     */
    public final void checkBacked(long offset, long length) {
        Mapping m = readable("checkBacked", offset, length);
        FaultWord f = m.faults;
        if (f != null) {
            f.check(this, "checkBacked", offset, length);
        }
    }

    /**
     * After an access of {@code [offset, offset + length)} through the fast-path buffers: throws
     * if it overlapped memory the SIGBUS handler replaced. System V segments cannot be truncated:
     * for a caller whose static type is {@link SysVSegment} (a final class) the type test folds
     * and nothing is left; otherwise it costs a load of the object's class. The class alone
     * decides: every other kind (the sealed {@link FileBackedSegment}s) is {@link #guarded}, so
     * a caller that holds a POSIX object or a file loads no field of the segment here. They read
     * the process's replacement count ({@link FaultWord#noneReplaced()}), and their mapping's
     * fault word only once anything was replaced.
     */
    final void afterAccess(String operation, long offset, long length) {
        if (!(this instanceof SysVSegment)) {
            afterGuardedAccess(operation, offset, length);
        }
    }

    /**
     * {@link #afterAccess} for a caller that only gets here on a guarded segment ({@link
     * JavaAtomics}' fast path, whose buffers are set only then): no test of the segment's class,
     * and the segment itself is only read once anything was replaced.
     */
    final void afterGuardedAccess(String operation, long offset, long length) {
        if (!FaultWord.noneReplaced()) {
            checkFaults(operation, offset, length);
        }
    }

    private void checkFaults(String operation, long offset, long length) {
        // The access went through a buffer loaded from readBuffer/writeBuffer, which
        // publishBuffers stores after faults (behind its release fence). This fence keeps the
        // loads of that field and of the memory before the load of faults below: a thread that
        // used a grown mapping's buffer sees that mapping's word, which also covers the mappings
        // it replaced (replacedFromAny). FaultWord argues why the word's read cannot miss a fault
        // of the access itself.
        VarHandle.acquireFence();
        faults.check(this, operation, offset, length);
    }

    // ---- lifecycle ------------------------------------------------------------------------

    /**
     * Unmaps (detaches) the segment from this process; the segment itself stays until it is
     * removed. Idempotent and thread-safe: the first call detaches, later ones do nothing.
     * Threads racing the close never crash the JVM (see {@link Segment}). A segment that is
     * never closed is detached when it becomes unreachable, like a {@code MappedByteBuffer}.
     *
     * @throws ShmException if the kernel refuses to replace the mapping with private memory; the
     *                      segment counts as closed all the same
     */
    @Override
    public final void close() {
        // Before the race for who retires: whichever close() returns, this thread's own later
        // accesses must already see the segment closed.
        closed = true;
        dropBuffers();
        boolean won = CLOSING.compareAndSet(this, false, true);
        try {
            synchronized (this) {
                // Again under the lock: a growth that was under way may have published its buffers
                // after the stores above, and this thread's own later accesses must still throw.
                dropBuffers();
                if (won) {
                    for (Mapping old : superseded) {
                        old.retire(this);
                    }
                    mapping.retire(this);
                }
            }
        } finally {
            if (won) {
                closeKind();
            }
        }
    }

    /** What a kind releases besides the mapping (a file descriptor, say). Runs once. */
    void closeKind() {
    }

    /**
     * Publishes a larger mapping of the same memory (after the object grew). The old one stays
     * valid for threads and views that still use it, and is retired on close. Callers hold the
     * segment's lock.
     */
    final void replaceMapping(Mapping larger) {
        assert Thread.holdsLock(this);
        checkOpen();
        if (closing) {
            throw new IllegalStateException("Already closed: " + this);
        }
        superseded.add(mapping);
        mapping = larger;
        publishBuffers(larger);
    }

    // ---- checks -----------------------------------------------------------------------------

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Already closed: " + this);
        }
    }

    /**
     * Checks that the segment is open and the range inside it; returns the mapping to use. The
     * exception names {@code operation}.
     */
    final Mapping readable(String operation, long offset, long length) {
        checkOpen();
        Mapping m = mapping;
        // Subtract, never add: offset + length can wrap around.
        if (offset < 0 || length < 0 || offset > m.size - length) {
            throw outside(operation, offset, length, m.size);
        }
        return m;
    }

    /**
     * The chunk that holds {@code offset}, for accesses the fast path did not take: read from one
     * field, no bounds check of its own. The caller's access is checked by the chunk's buffer,
     * whose limit is where the segment ends (the last chunk) or 2 GiB - 1 bytes past the chunk's
     * start (the others overlap the next by almost 1 GiB): an access that starts in a chunk and
     * fits in the segment fits in that chunk, so a refusal means it does not fit, and the caller
     * asks {@link #readable}, which throws naming {@code operation} (or finds a mapping that grew
     * meanwhile). When the segment is closed, or the offset is negative or past the last chunk,
     * {@link #readable} decides here already. The chunk number is compared as a long, before the
     * cast: an offset past 2^61 must not wrap to a valid chunk. The JIT then keeps the array's
     * own range check as well; an int chunk number that stays negative past 2^61 (the high bits
     * ORed into its sign) lets it drop that check, but made these accesses about a tenth slower:
     * computing it puts three more instructions before the load of the chunk.
     */
    final MappedByteBuffer chunkToRead(String operation, long offset, int width) {
        MappedByteBuffer[] c = readChunks;
        long n = offset >>> Mapping.CHUNK_SHIFT;
        return c != null && n < c.length ? c[(int) n] : readable(operation, offset, width).chunk(offset);
    }

    /** {@link #chunkToRead}, for writes: refuses read-only segments. */
    final MappedByteBuffer chunkToWrite(String operation, long offset, int width) {
        MappedByteBuffer[] c = writeChunks;
        long n = offset >>> Mapping.CHUNK_SHIFT;
        return c != null && n < c.length ? c[(int) n] : writable(operation, offset, width).chunk(offset);
    }

    /** {@link #readable}, and refuses read-only segments. */
    final Mapping writable(String operation, long offset, long length) {
        Mapping m = readable(operation, offset, length);
        if (readOnly) {
            throw new ReadOnlySegmentException(operation + "(offset=" + offset + ", length=" + length + ")", toString());
        }
        return m;
    }

    /** Out of line, so that the checks that may throw it stay small enough to inline. */
    private IndexOutOfBoundsException outside(String operation, long offset, long length, long size) {
        return new IndexOutOfBoundsException(operation + ": offset=" + offset + " length=" + length + " size=" + size
                + " of " + this);
    }

    /**
     * The JVM turns a fault inside its own memory accesses (SIGBUS on a truncated file or object,
     * or on System V huge pages that {@code SHM_NORESERVE} left unreserved and that ran out) into
     * an {@link InternalError}; callers get jshm's exception with the access that faulted and the
     * likely cause for this kind of segment.
     */
    final SegmentFaultException faulted(InternalError error, String operation, long offset, long length) {
        String cause = guarded ? "the memory is no longer backed by the object (did another process truncate it?)"
                : "the kernel could not back the memory (huge pages created with noReserve() may have run out)";
        return new SegmentFaultException(operation + "(offset=" + offset + ", length=" + length + ") of " + this
                + " faulted: " + cause, operation, error);
    }
}
