package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.apache.commons.lang3.ArrayUtils;

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
public abstract sealed class Segment implements AutoCloseable permits SysVSegment, PosixSegment, MappedFileSegment {

    private static final VarHandle CLOSING;

    static {
        try {
            CLOSING = MethodHandles.lookup().findVarHandle(Segment.class, "closing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The current mapping. Replaced, never changed, when the segment grows: its fields are final,
     * so a thread that sees a new mapping sees all of it. Every operation reads it once.
     */
    private Mapping mapping;
    /** Mappings replaced by a larger one; still valid (the object only grew), retired on close. */
    private final List<Mapping> superseded = new ArrayList<>(0);
    private final boolean readOnly;
    /**
     * Whether bulk operations use the native copy: System V by default, the other kinds when
     * asked. Both paths are fault-safe (see {@link FaultWord}); below a few KiB the JVM's copy
     * is faster than a JNI call.
     */
    private final boolean nativeCopies;
    /** Set once by the thread that wins {@link #close()}. */
    @SuppressWarnings("unused")
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
    }

    /** The size in bytes. Allowed after close. */
    public final long size() {
        return mapping.size;
    }

    /**
     * Whether bulk operations ({@link #read}, {@link #write}, {@link #fill}, strings) go through
     * one native call ({@code memcpy}) rather than the JVM's buffer copies. Allowed after close.
     */
    public final boolean usesNativeCopies() {
        return nativeCopies;
    }

    /**
     * The address of byte 0 in this process, for diagnostics and for handing the memory to other
     * native code. It is only a number: after {@link #close()} it points to private memory, and
     * later to nothing. Allowed after close.
     */
    public final long address() {
        return mapping.address;
    }

    /** Whether the segment is mapped read-only. Allowed after close. */
    public final boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Where another process finds this segment: hand it to a child process with
     * {@link SegmentLocator#passTo(ProcessBuilder)}. Allowed after close.
     */
    public abstract SegmentLocator locator();

    /** Whether {@link #close()} has been called. */
    public final boolean isClosed() {
        return closing;
    }

    // ---- typed access -------------------------------------------------------------------

    /** The byte at {@code offset}. */
    public final byte getByte(long offset) {
        Mapping m = readable("getByte", offset, Byte.BYTES);
        byte value;
        try {
            value = m.chunk(offset).get(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getByte", offset, Byte.BYTES);
        }
        m.checkBacked(this, "getByte", offset, Byte.BYTES);
        return value;
    }

    /** Writes the byte at {@code offset}. */
    public final void putByte(long offset, byte value) {
        Mapping m = writable(offset, Byte.BYTES, "putByte");
        try {
            m.chunk(offset).put(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putByte", offset, Byte.BYTES);
        }
        m.checkBacked(this, "putByte", offset, Byte.BYTES);
    }

    /** The short at {@code offset}, native byte order. */
    public final short getShort(long offset) {
        Mapping m = readable("getShort", offset, Short.BYTES);
        short value;
        try {
            value = m.chunk(offset).getShort(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getShort", offset, Short.BYTES);
        }
        m.checkBacked(this, "getShort", offset, Short.BYTES);
        return value;
    }

    /** Writes the short at {@code offset}, native byte order. */
    public final void putShort(long offset, short value) {
        Mapping m = writable(offset, Short.BYTES, "putShort");
        try {
            m.chunk(offset).putShort(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putShort", offset, Short.BYTES);
        }
        m.checkBacked(this, "putShort", offset, Short.BYTES);
    }

    /** The int at {@code offset}, native byte order. */
    public final int getInt(long offset) {
        Mapping m = readable("getInt", offset, Integer.BYTES);
        int value;
        try {
            value = m.chunk(offset).getInt(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getInt", offset, Integer.BYTES);
        }
        m.checkBacked(this, "getInt", offset, Integer.BYTES);
        return value;
    }

    /** Writes the int at {@code offset}, native byte order. */
    public final void putInt(long offset, int value) {
        Mapping m = writable(offset, Integer.BYTES, "putInt");
        try {
            m.chunk(offset).putInt(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putInt", offset, Integer.BYTES);
        }
        m.checkBacked(this, "putInt", offset, Integer.BYTES);
    }

    /** The long at {@code offset}, native byte order. */
    public final long getLong(long offset) {
        Mapping m = readable("getLong", offset, Long.BYTES);
        long value;
        try {
            value = m.chunk(offset).getLong(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getLong", offset, Long.BYTES);
        }
        m.checkBacked(this, "getLong", offset, Long.BYTES);
        return value;
    }

    /** Writes the long at {@code offset}, native byte order. */
    public final void putLong(long offset, long value) {
        Mapping m = writable(offset, Long.BYTES, "putLong");
        try {
            m.chunk(offset).putLong(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putLong", offset, Long.BYTES);
        }
        m.checkBacked(this, "putLong", offset, Long.BYTES);
    }

    /** The float at {@code offset}, native byte order. */
    public final float getFloat(long offset) {
        Mapping m = readable("getFloat", offset, Float.BYTES);
        float value;
        try {
            value = m.chunk(offset).getFloat(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getFloat", offset, Float.BYTES);
        }
        m.checkBacked(this, "getFloat", offset, Float.BYTES);
        return value;
    }

    /** Writes the float at {@code offset}, native byte order. */
    public final void putFloat(long offset, float value) {
        Mapping m = writable(offset, Float.BYTES, "putFloat");
        try {
            m.chunk(offset).putFloat(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putFloat", offset, Float.BYTES);
        }
        m.checkBacked(this, "putFloat", offset, Float.BYTES);
    }

    /** The double at {@code offset}, native byte order. */
    public final double getDouble(long offset) {
        Mapping m = readable("getDouble", offset, Double.BYTES);
        double value;
        try {
            value = m.chunk(offset).getDouble(Mapping.indexInChunk(offset));
        } catch (InternalError e) {
            throw faulted(e, "getDouble", offset, Double.BYTES);
        }
        m.checkBacked(this, "getDouble", offset, Double.BYTES);
        return value;
    }

    /** Writes the double at {@code offset}, native byte order. */
    public final void putDouble(long offset, double value) {
        Mapping m = writable(offset, Double.BYTES, "putDouble");
        try {
            m.chunk(offset).putDouble(Mapping.indexInChunk(offset), value);
        } catch (InternalError e) {
            throw faulted(e, "putDouble", offset, Double.BYTES);
        }
        m.checkBacked(this, "putDouble", offset, Double.BYTES);
    }

    // ---- atomics ----------------------------------------------------------------------------

    /** Created on first use; a racing second instance is harmless (they hold only this segment). */
    private SegmentAtomics javaAtomics;
    private SegmentAtomics nativeAtomics;

    /**
     * Atomic operations on this segment's ints and longs through the JVM's own atomics
     * ({@link java.lang.invoke.VarHandle}s over the segment's buffers), valid across processes.
     * See {@link SegmentAtomics}.
     *
     * @throws IllegalStateException if the segment is closed
     */
    public final SegmentAtomics atomics() {
        checkOpen();
        SegmentAtomics a = javaAtomics;
        return a != null ? a : (javaAtomics = new JavaAtomics(this));
    }

    /**
     * The same operations as {@link #atomics()}, through C11 atomics in the native library (one
     * JNI call each), with the same fault reporting: see {@link SegmentAtomics}.
     *
     * @throws IllegalStateException if the segment is closed
     */
    public final SegmentAtomics nativeAtomics() {
        checkOpen();
        SegmentAtomics a = nativeAtomics;
        return a != null ? a : (nativeAtomics = new NativeAtomics(this));
    }

    // ---- bulk copies ----------------------------------------------------------------------

    /**
     * Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset..]}: one native
     * {@code memcpy} when {@link #usesNativeCopies()}, the JVM's buffer copy otherwise.
     *
     * @throws IndexOutOfBoundsException if either range does not fit
     * @throws SegmentFaultException     if the memory is no longer backed (a truncated object)
     */
    public final void read(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        Mapping m = readable("read", offset, length);
        if (nativeCopies) {
            int rc = Native.copyToArray(m.address, m.size, offset, dst, dstOffset, length);
            Reference.reachabilityFence(m);
            if (rc < 0) {
                throw Errors.failure(rc, "read(offset=" + offset + ", length=" + length + ") of " + this);
            }
        } else {
            copyOut(m, "read", offset, dst, dstOffset, length);
        }
        m.checkBacked(this, "read", offset, length);
    }

    /** The JVM's copy out of the mapping, chunk by chunk; a fault is reported as {@code operation}'s. */
    private void copyOut(Mapping m, String operation, long offset, byte[] dst, int dstOffset, int length) {
        try {
            long at = offset;
            int done = 0;
            while (done < length) {
                ByteBuffer chunk = m.chunk(at);
                int index = Mapping.indexInChunk(at);
                int n = Math.min(length - done, chunk.capacity() - index);
                chunk.get(index, dst, dstOffset + done, n);
                done += n;
                at += n;
            }
        } catch (InternalError e) {
            throw faulted(e, operation, offset, length);
        }
    }

    /** Fills {@code dst} from {@code offset}: {@code read(offset, dst, 0, dst.length)}. */
    public final void read(long offset, byte[] dst) {
        read(offset, dst, 0, dst.length);
    }

    /**
     * Copies {@code src[srcOffset..srcOffset+length)} to {@code offset}: one native
     * {@code memcpy} when {@link #usesNativeCopies()}, the JVM's buffer copy otherwise.
     *
     * @throws IndexOutOfBoundsException if either range does not fit
     * @throws SegmentFaultException     if the memory is no longer backed (a truncated object)
     */
    public final void write(long offset, byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Mapping m = writable(offset, length, "write");
        if (nativeCopies) {
            int rc = Native.copyFromArray(m.address, m.size, offset, src, srcOffset, length);
            Reference.reachabilityFence(m);
            if (rc < 0) {
                throw Errors.failure(rc, "write(offset=" + offset + ", length=" + length + ") of " + this);
            }
        } else {
            copyIn(m, "write", offset, src, srcOffset, length);
        }
        m.checkBacked(this, "write", offset, length);
    }

    /** The JVM's copy into the mapping, chunk by chunk; a fault is reported as {@code operation}'s. */
    private void copyIn(Mapping m, String operation, long offset, byte[] src, int srcOffset, int length) {
        try {
            long at = offset;
            int done = 0;
            while (done < length) {
                ByteBuffer chunk = m.chunk(at);
                int index = Mapping.indexInChunk(at);
                int n = Math.min(length - done, chunk.capacity() - index);
                chunk.put(index, src, srcOffset + done, n);
                done += n;
                at += n;
            }
        } catch (InternalError e) {
            throw faulted(e, operation, offset, length);
        }
    }

    /** Writes all of {@code src} at {@code offset}. */
    public final void write(long offset, byte[] src) {
        write(offset, src, 0, src.length);
    }

    /** Sets {@code length} bytes at {@code offset} to {@code value}. */
    public final void fill(long offset, long length, byte value) {
        Mapping m = writable(offset, length, "fill");
        if (nativeCopies) {
            int rc = Native.fill(m.address, m.size, offset, length, value);
            Reference.reachabilityFence(m);
            if (rc < 0) {
                throw Errors.failure(rc, "fill(offset=" + offset + ", length=" + length + ") of " + this);
            }
        } else {
            byte[] pattern = new byte[(int) Math.min(length, COPY_BLOCK)];
            Arrays.fill(pattern, value);
            for (long done = 0; done < length; done += pattern.length) {
                copyIn(m, "fill", offset + done, pattern, 0, (int) Math.min(pattern.length, length - done));
            }
        }
        m.checkBacked(this, "fill", offset, length);
    }

    /** The block size of the Java paths that work piece by piece. */
    private static final int COPY_BLOCK = 8192;


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
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("putString(offset=" + offset + ") of " + this
                    + ": the text contains a NUL character at index " + nul);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(offset, Arrays.copyOf(bytes, bytes.length + 1));
        return bytes.length;
    }

    /** The UTF-8 string at {@code offset} up to the first NUL byte or the end of the segment. */
    public final String getString(long offset) {
        Mapping m = readable("getString", offset, 0);
        return getString(offset, (int) Math.min(m.size - offset, Integer.MAX_VALUE - 8));
    }

    /**
     * The UTF-8 string at {@code offset}, up to the first NUL byte within {@code maxLength}
     * bytes, or all {@code maxLength} bytes when there is no NUL.
     */
    public final String getString(long offset, int maxLength) {
        Mapping m = readable("getString", offset, maxLength);
        int length = maxLength;
        if (nativeCopies) {
            long nul = Native.indexOf(m.address, m.size, offset, maxLength, (byte) 0);
            Reference.reachabilityFence(m);
            if (nul < -1) {
                throw Errors.failure(nul, "getString(offset=" + offset + ", maxLength=" + maxLength + ") of " + this);
            }
            length = nul == -1 ? maxLength : (int) (nul - offset);
        } else {
            // Scan a page at a time and never past the page that holds the NUL: the pages after
            // the string may be gone (a truncated object) without the string being affected.
            byte[] block = new byte[(int) Math.min(maxLength, Mapping.PAGE_SIZE)];
            int scanned = 0;
            while (scanned < maxLength) {
                long at = m.address + offset + scanned;
                int n = (int) Math.min(maxLength - scanned, Mapping.PAGE_SIZE - Long.remainderUnsigned(at, Mapping.PAGE_SIZE));
                copyOut(m, "getString", offset + scanned, block, 0, n);
                int nul = ArrayUtils.indexOf(block, (byte) 0);
                if (nul >= 0 && nul < n) {
                    length = scanned + nul;
                    break;
                }
                scanned += n;
            }
        }
        byte[] bytes = new byte[length];
        if (nativeCopies) {
            read(offset, bytes);
        } else {
            copyOut(m, "getString", offset, bytes, 0, length);
        }
        // The bytes and the NUL that ended them: a NUL read from replaced memory ends no string.
        m.checkBacked(this, "getString", offset, Math.min(length + 1L, maxLength));
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
     * <p>Truncation (POSIX objects and files): an access through the view to memory that another
     * process cut off never crashes the JVM and throws nothing. jshm replaces that memory (from
     * the faulting page to the end of the mapping) with private zero pages, so the access reads
     * zeros or writes into memory no one else sees. A view cannot check each access: call
     * {@link #checkBacked(long, long)} on the range after reading or writing through the view
     * (for example once per message or per batch) to learn whether what was read came from the
     * object.
     *
     * @throws UnsupportedOperationException if the segment is larger than a buffer can be
     *                                       (2 GiB - 1): use {@link #asByteBuffer(long, int)}
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

    /** A zero-copy view of {@code length} bytes at {@code offset}; see {@link #asByteBuffer()}. */
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
     * @throws IndexOutOfBoundsException if the range is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the range overlaps replaced memory
     */
    public final void checkBacked(long offset, long length) {
        Mapping m = readable("checkBacked", offset, length);
        FaultWord f = m.faults;
        if (f != null) {
            long from = f.replacedFromAny();
            if (FaultWord.overlaps(offset, length, from)) {
                throw FaultWord.fault(this, "checkBacked", offset, length, from);
            }
        }
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
        // Before the race for who retires: whichever close() returns, this thread's own later
        // accesses must already see the segment closed.
        closed = true;
        if (!CLOSING.compareAndSet(this, false, true)) {
            return;
        }
        try {
            synchronized (this) {
                for (Mapping old : superseded) {
                    old.retire(this);
                }
                mapping.retire(this);
            }
        } finally {
            closeKind();
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
        superseded.add(mapping);
        mapping = larger;
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
            throw new IndexOutOfBoundsException(operation + ": offset=" + offset + " length=" + length + " size=" + m.size
                    + " of " + this);
        }
        return m;
    }

    /** {@link #readable}, and refuses read-only segments. */
    final Mapping writable(long offset, long length, String operation) {
        Mapping m = readable(operation, offset, length);
        if (readOnly) {
            throw new ReadOnlySegmentException(operation + "(offset=" + offset + ", length=" + length + ")", toString());
        }
        return m;
    }

    /**
     * The JVM turns a fault inside its own memory accesses (SIGBUS on a truncated file or object)
     * into an {@link InternalError}; callers get jshm's exception with the access that faulted.
     */
    private SegmentFaultException faulted(InternalError error, String operation, long offset, long length) {
        return new SegmentFaultException(operation + "(offset=" + offset + ", length=" + length + ") of " + this
                + " faulted: the memory is no longer backed by the object (did another process truncate it?)",
                operation, error);
    }
}
