package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
 * <p>Thread-safety: reads, writes, copies and views may be used from any number of threads at
 * once; they are plain memory accesses with no ordering between threads (publish data with the
 * atomic operations or your own protocol). {@link #close()} may be called from any thread, at
 * any time, also while other threads access the segment: they never crash the JVM, and their
 * accesses after the close either throw or touch private zeroed memory that no one else sees.
 */
public abstract sealed class Segment implements AutoCloseable permits SysVSegment {

    private static final VarHandle CLOSING;

    static {
        try {
            CLOSING = MethodHandles.lookup().findVarHandle(Segment.class, "closing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Mapping mapping;
    private final long size;
    private final boolean readOnly;
    /** Set once by the thread that wins {@link #close()}. */
    @SuppressWarnings("unused")
    private volatile boolean closing;
    /**
     * Checked by every access. Plain on purpose: a thread that misses the write only lands in
     * the retired (anonymous) mapping, and the check costs nothing on the hot path.
     */
    private boolean closed;

    Segment(Mapping mapping) {
        this.mapping = mapping;
        this.size = mapping.size;
        this.readOnly = mapping.readOnly;
    }

    /** The size in bytes. Allowed after close. */
    public final long size() {
        return size;
    }

    /** Whether the segment is mapped read-only. Allowed after close. */
    public final boolean isReadOnly() {
        return readOnly;
    }

    /** Whether {@link #close()} has been called. */
    public final boolean isClosed() {
        return closing;
    }

    // ---- typed access -------------------------------------------------------------------

    /** The byte at {@code offset}. */
    public final byte getByte(long offset) {
        checkRead(offset, Byte.BYTES);
        return mapping.chunk(offset).get(Mapping.indexInChunk(offset));
    }

    /** Writes the byte at {@code offset}. */
    public final void putByte(long offset, byte value) {
        checkWrite(offset, Byte.BYTES, "putByte");
        mapping.chunk(offset).put(Mapping.indexInChunk(offset), value);
    }

    /** The short at {@code offset}, native byte order. */
    public final short getShort(long offset) {
        checkRead(offset, Short.BYTES);
        return mapping.chunk(offset).getShort(Mapping.indexInChunk(offset));
    }

    /** Writes the short at {@code offset}, native byte order. */
    public final void putShort(long offset, short value) {
        checkWrite(offset, Short.BYTES, "putShort");
        mapping.chunk(offset).putShort(Mapping.indexInChunk(offset), value);
    }

    /** The int at {@code offset}, native byte order. */
    public final int getInt(long offset) {
        checkRead(offset, Integer.BYTES);
        return mapping.chunk(offset).getInt(Mapping.indexInChunk(offset));
    }

    /** Writes the int at {@code offset}, native byte order. */
    public final void putInt(long offset, int value) {
        checkWrite(offset, Integer.BYTES, "putInt");
        mapping.chunk(offset).putInt(Mapping.indexInChunk(offset), value);
    }

    /** The long at {@code offset}, native byte order. */
    public final long getLong(long offset) {
        checkRead(offset, Long.BYTES);
        return mapping.chunk(offset).getLong(Mapping.indexInChunk(offset));
    }

    /** Writes the long at {@code offset}, native byte order. */
    public final void putLong(long offset, long value) {
        checkWrite(offset, Long.BYTES, "putLong");
        mapping.chunk(offset).putLong(Mapping.indexInChunk(offset), value);
    }

    /** The float at {@code offset}, native byte order. */
    public final float getFloat(long offset) {
        checkRead(offset, Float.BYTES);
        return mapping.chunk(offset).getFloat(Mapping.indexInChunk(offset));
    }

    /** Writes the float at {@code offset}, native byte order. */
    public final void putFloat(long offset, float value) {
        checkWrite(offset, Float.BYTES, "putFloat");
        mapping.chunk(offset).putFloat(Mapping.indexInChunk(offset), value);
    }

    /** The double at {@code offset}, native byte order. */
    public final double getDouble(long offset) {
        checkRead(offset, Double.BYTES);
        return mapping.chunk(offset).getDouble(Mapping.indexInChunk(offset));
    }

    /** Writes the double at {@code offset}, native byte order. */
    public final void putDouble(long offset, double value) {
        checkWrite(offset, Double.BYTES, "putDouble");
        mapping.chunk(offset).putDouble(Mapping.indexInChunk(offset), value);
    }

    // ---- bulk copies ----------------------------------------------------------------------

    /**
     * Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset..]} with one
     * native call.
     *
     * @throws IndexOutOfBoundsException if either range does not fit
     */
    public final void read(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        checkRead(offset, length);
        int rc = Native.copyToArray(mapping.address, size, offset, dst, dstOffset, length);
        Reference.reachabilityFence(mapping);
        if (rc < 0) {
            throw Errors.failure(rc, "read(offset=" + offset + ", length=" + length + ") of " + this);
        }
    }

    /** Fills {@code dst} from {@code offset}: {@code read(offset, dst, 0, dst.length)}. */
    public final void read(long offset, byte[] dst) {
        read(offset, dst, 0, dst.length);
    }

    /**
     * Copies {@code src[srcOffset..srcOffset+length)} to {@code offset} with one native call.
     *
     * @throws IndexOutOfBoundsException if either range does not fit
     */
    public final void write(long offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        checkWrite(offset, length, "write");
        int rc = Native.copyFromArray(mapping.address, size, offset, src, srcOffset, length);
        Reference.reachabilityFence(mapping);
        if (rc < 0) {
            throw Errors.failure(rc, "write(offset=" + offset + ", length=" + length + ") of " + this);
        }
    }

    /** Writes all of {@code src} at {@code offset}. */
    public final void write(long offset, byte[] src) {
        write(offset, src, 0, src.length);
    }

    /** Sets {@code length} bytes at {@code offset} to {@code value}. */
    public final void fill(long offset, long length, byte value) {
        checkWrite(offset, length, "fill");
        int rc = Native.fill(mapping.address, size, offset, length, value);
        Reference.reachabilityFence(mapping);
        if (rc < 0) {
            throw Errors.failure(rc, "fill(offset=" + offset + ", length=" + length + ") of " + this);
        }
    }

    // ---- strings --------------------------------------------------------------------------

    /**
     * Writes {@code text} as UTF-8 followed by a NUL byte at {@code offset}, as C's
     * {@code sprintf} would, so C programs read it as a string.
     *
     * @return the number of bytes written, not counting the NUL
     * @throws IllegalArgumentException  if the text contains a NUL character (C would cut it there)
     * @throws IndexOutOfBoundsException if the bytes and the NUL do not fit
     */
    public final int putString(long offset, String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("putString(offset=" + offset + ") of " + this
                    + ": the text contains a NUL character at index " + text.indexOf('\0'));
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        write(offset, terminated);
        return bytes.length;
    }

    /** The UTF-8 string at {@code offset} up to the first NUL byte or the end of the segment. */
    public final String getString(long offset) {
        checkRead(offset, 0);
        return getString(offset, (int) Math.min(size - offset, Integer.MAX_VALUE - 8));
    }

    /**
     * The UTF-8 string at {@code offset}, up to the first NUL byte within {@code maxLength}
     * bytes, or all {@code maxLength} bytes when there is no NUL.
     */
    public final String getString(long offset, int maxLength) {
        checkRead(offset, maxLength);
        long nul = Native.indexOf(mapping.address, size, offset, maxLength, (byte) 0);
        Reference.reachabilityFence(mapping);
        if (nul < -1) {
            throw Errors.failure(nul, "getString(offset=" + offset + ", maxLength=" + maxLength + ") of " + this);
        }
        int length = nul == -1 ? maxLength : (int) (nul - offset);
        byte[] bytes = new byte[length];
        read(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---- views ----------------------------------------------------------------------------

    /**
     * A zero-copy view of the whole segment, in native byte order (read-only if the segment
     * is). Writes through it go straight to the shared memory.
     *
     * <p>After {@link #close()}, the view no longer reaches the shared memory: it reads and
     * writes private zeroed memory, and never crashes the JVM.
     *
     * @throws UnsupportedOperationException if the segment is larger than a buffer can be
     *                                       (2 GiB - 1): use {@link #asByteBuffer(long, int)}
     */
    public final ByteBuffer asByteBuffer() {
        checkOpen();
        if (size > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("asByteBuffer() of " + this + ": " + size
                    + " bytes do not fit in one ByteBuffer; use asByteBuffer(offset, length) windows");
        }
        return asByteBuffer(0, (int) size);
    }

    /** A zero-copy view of {@code length} bytes at {@code offset}; see {@link #asByteBuffer()}. */
    public final ByteBuffer asByteBuffer(long offset, int length) {
        checkRead(offset, length);
        return mapping.view(offset, length);
    }

    // ---- lifecycle ------------------------------------------------------------------------

    /**
     * Unmaps (detaches) the segment from this process; the segment itself stays until it is
     * removed. Idempotent and thread-safe: the first call detaches, later ones do nothing.
     * Threads racing the close never crash the JVM (see {@link Segment}). A segment that is
     * never closed is detached when it becomes unreachable, like a {@code MappedByteBuffer}.
     */
    @Override
    public final void close() {
        if (!CLOSING.compareAndSet(this, false, true)) {
            return;
        }
        closed = true;
        try {
            mapping.retire(toString());
        } finally {
            closeKind();
        }
    }

    /** What a kind releases besides the mapping (a file descriptor, say). Runs once. */
    void closeKind() {
    }

    // ---- checks -----------------------------------------------------------------------------

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Already closed: " + this);
        }
    }

    final void checkRead(long offset, long length) {
        checkOpen();
        // Subtract, never add: offset + length can wrap around.
        if (offset < 0 || length < 0 || offset > size - length) {
            throw outOfBounds(offset, length);
        }
    }

    final void checkWrite(long offset, long length, String operation) {
        checkRead(offset, length);
        if (readOnly) {
            throw new ReadOnlySegmentException(operation + "(offset=" + offset + ", length=" + length + ")", toString());
        }
    }

    private IndexOutOfBoundsException outOfBounds(long offset, long length) {
        return new IndexOutOfBoundsException("offset=" + offset + " length=" + length + " size=" + size + " of " + this);
    }
}
