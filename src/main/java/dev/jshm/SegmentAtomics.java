package dev.jshm;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;

import java.nio.MappedByteBuffer;

/**
 * Atomic operations on the ints and longs of a {@link Segment}, valid across processes: every
 * process (and every thread) that maps the same memory sees each operation as one indivisible
 * step. Obtain one with {@link Segment#atomics()} (the JVM's own atomics, through
 * {@link java.lang.invoke.VarHandle}s over the segment's buffers) or {@link Segment#nativeAtomics()}
 * (C11 atomics in the native library, one JNI call per operation). Both have the same methods
 * and the same meaning, and they may be mixed on the same addresses; the Java path is usually
 * faster because the JIT turns it into single instructions.
 *
 * <p>Memory ordering, as in {@link java.lang.invoke.VarHandle}:
 * <ul>
 * <li>{@code getXxxVolatile}, {@code putXxxVolatile}, {@code compareAndSetXxx}, {@code getAndAddXxx}
 *     and {@code getAndSetXxx} are sequentially consistent: all of them, in every thread and
 *     process, appear in one total order that agrees with each thread's program order
 *     (C11 {@code memory_order_seq_cst});</li>
 * <li>{@code getXxxAcquire} is an acquire load and {@code putXxxRelease} a release store: what a
 *     thread wrote before a release store is visible to a thread whose acquire load reads that
 *     store's value (C11 {@code memory_order_acquire} / {@code memory_order_release}). This is
 *     enough to publish data (write it, then release-store a flag or a counter) but gives no
 *     total order across different addresses.</li>
 * </ul>
 * The operations interoperate with C11 {@code <stdatomic.h>} (or GCC's {@code __atomic}
 * builtins) used by C programs on the same addresses: on the same hardware the JVM and C
 * compilers implement each ordering with the architecture's standard C11 mapping (on x86-64:
 * plain moves for loads, acquire loads and release stores; locked instructions for the
 * read-modify-writes and for sequentially consistent stores; on aarch64: {@code ldar} for
 * volatile and acquire loads, {@code stlr} for volatile and release stores, and acquire-release
 * exclusive pairs or LSE instructions for the read-modify-writes). Neither path relies on x86's
 * strong ordering: each method asks for its order explicitly (a {@code VarHandle} access mode,
 * a {@code __ATOMIC_*} order). Values are in the platform's native byte order.
 *
 * <p>Checks, before any memory is touched, in this order: any use after {@link Segment#close()}
 * throws {@link IllegalStateException}; a value not wholly inside the segment throws
 * {@link IndexOutOfBoundsException}; a write (any {@code put}, {@code compareAndSet} or
 * {@code getAndXxx}) on a read-only segment throws {@link ReadOnlySegmentException}; a value whose
 * address is not a multiple of its size (4 for int, 8 for long) throws
 * {@link IllegalArgumentException} naming the offset and the alignment, because misaligned
 * atomics are not atomic: an offset that is not such a multiple, or any offset in a file mapped
 * from a file offset that is not one.
 *
 * <p>Faults: on both paths, an operation on memory that another process cut off (a truncated
 * POSIX object or file) throws {@link SegmentFaultException}, after completing harmlessly on the
 * private zero pages that replaced that memory: a compare-and-set there reads zero, and nothing
 * it writes reaches another process. It never crashes the JVM (see {@link PosixSegment}).
 *
 * <p>Thread-safety: instances may be shared by any number of threads; using them while another
 * thread closes the segment never crashes the JVM (see {@link Segment}).
 */
public abstract sealed class SegmentAtomics permits JavaAtomics, NativeAtomics {

    final Segment segment;
    /**
     * The fast path of {@link JavaAtomics} on a segment that no other process can cut off
     * (System V): the segment's first buffer, for reads and (null when read-only) for writes;
     * null on any other segment, once closed, and always for {@link NativeAtomics}. It lives
     * here, in final methods, so that a call binds without a check of this object's class, and
     * it needs no truncation check after the access (a fault is still reported, as on every
     * path: huge pages left unreserved by {@code SHM_NORESERVE} can run out on first touch). Set
     * by {@link JavaAtomics#publish} only, with the segment's own fields (see there).
     */
    MappedByteBuffer unguardedReads;
    MappedByteBuffer unguardedWrites;

    SegmentAtomics(Segment segment) {
        this.segment = segment;
    }

    /** {@return the segment these atomics work on} Allowed after close. */
    public final Segment segment() {
        return segment;
    }

    // ---- int --------------------------------------------------------------------------------

    /**
     * {@return the int at {@code offset}, read with volatile (sequentially consistent) semantics}
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final int getIntVolatile(long offset) {
        MappedByteBuffer b = unguardedReads;
        if (b != null && (int) offset == offset) {
            try {
                return (int) INT.getVolatile(b, (int) offset);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getIntVolatile", offset, Integer.BYTES);
            }
        }
        return getIntVolatileChecked(offset);
    }

    /**
     * Writes the int at {@code offset} with volatile (sequentially consistent) semantics.
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @param value  the value to write
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final void putIntVolatile(long offset, int value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                INT.setVolatile(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putIntVolatile", offset, Integer.BYTES);
            }
        }
        putIntVolatileChecked(offset, value);
    }

    /**
     * {@return the int at {@code offset}, read with acquire semantics}
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final int getIntAcquire(long offset) {
        MappedByteBuffer b = unguardedReads;
        if (b != null && (int) offset == offset) {
            try {
                return (int) INT.getAcquire(b, (int) offset);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getIntAcquire", offset, Integer.BYTES);
            }
        }
        return getIntAcquireChecked(offset);
    }

    /**
     * Writes the int at {@code offset} with release semantics.
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @param value  the value to write
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final void putIntRelease(long offset, int value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                INT.setRelease(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putIntRelease", offset, Integer.BYTES);
            }
        }
        putIntReleaseChecked(offset, value);
    }

    /**
     * Sets the int at {@code offset} to {@code value} if it is {@code expected}, atomically.
     *
     * @param offset   the int's offset in the segment, a multiple of 4
     * @param expected the value it must have
     * @param value    the value it gets
     * @return whether it was {@code expected} (and is now {@code value})
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final boolean compareAndSetInt(long offset, int expected, int value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return INT.compareAndSet(b, (int) offset, expected, value);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "compareAndSetInt", offset, Integer.BYTES);
            }
        }
        return compareAndSetIntChecked(offset, expected, value);
    }

    /**
     * Adds {@code delta} to the int at {@code offset}, atomically, wrapping around on overflow.
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @param delta  the amount to add (negative to subtract)
     * @return the value before the addition
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final int getAndAddInt(long offset, int delta) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return (int) INT.getAndAdd(b, (int) offset, delta);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndAddInt", offset, Integer.BYTES);
            }
        }
        return getAndAddIntChecked(offset, delta);
    }

    /**
     * Sets the int at {@code offset} to {@code value}, atomically.
     *
     * @param offset the int's offset in the segment, a multiple of 4
     * @param value  the value it gets
     * @return the value before
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the int is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the int's address is not 4-byte aligned
     * @throws SegmentFaultException     if the int was cut off by a truncation
     */
    public final int getAndSetInt(long offset, int value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return (int) INT.getAndSet(b, (int) offset, value);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndSetInt", offset, Integer.BYTES);
            }
        }
        return getAndSetIntChecked(offset, value);
    }

    // ---- long -------------------------------------------------------------------------------

    /**
     * {@return the long at {@code offset}, read with volatile (sequentially consistent) semantics}
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final long getLongVolatile(long offset) {
        MappedByteBuffer b = unguardedReads;
        if (b != null && (int) offset == offset) {
            try {
                return (long) LONG.getVolatile(b, (int) offset);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getLongVolatile", offset, Long.BYTES);
            }
        }
        return getLongVolatileChecked(offset);
    }

    /**
     * Writes the long at {@code offset} with volatile (sequentially consistent) semantics.
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @param value  the value to write
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final void putLongVolatile(long offset, long value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                LONG.setVolatile(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putLongVolatile", offset, Long.BYTES);
            }
        }
        putLongVolatileChecked(offset, value);
    }

    /**
     * {@return the long at {@code offset}, read with acquire semantics}
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final long getLongAcquire(long offset) {
        MappedByteBuffer b = unguardedReads;
        if (b != null && (int) offset == offset) {
            try {
                return (long) LONG.getAcquire(b, (int) offset);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getLongAcquire", offset, Long.BYTES);
            }
        }
        return getLongAcquireChecked(offset);
    }

    /**
     * Writes the long at {@code offset} with release semantics.
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @param value  the value to write
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final void putLongRelease(long offset, long value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                LONG.setRelease(b, (int) offset, value);
                return;
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "putLongRelease", offset, Long.BYTES);
            }
        }
        putLongReleaseChecked(offset, value);
    }

    /**
     * Sets the long at {@code offset} to {@code value} if it is {@code expected}, atomically.
     *
     * @param offset   the long's offset in the segment, a multiple of 8
     * @param expected the value it must have
     * @param value    the value it gets
     * @return whether it was {@code expected} (and is now {@code value})
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final boolean compareAndSetLong(long offset, long expected, long value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return LONG.compareAndSet(b, (int) offset, expected, value);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "compareAndSetLong", offset, Long.BYTES);
            }
        }
        return compareAndSetLongChecked(offset, expected, value);
    }

    /**
     * Adds {@code delta} to the long at {@code offset}, atomically, wrapping around on overflow.
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @param delta  the amount to add (negative to subtract)
     * @return the value before the addition
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final long getAndAddLong(long offset, long delta) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return (long) LONG.getAndAdd(b, (int) offset, delta);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndAddLong", offset, Long.BYTES);
            }
        }
        return getAndAddLongChecked(offset, delta);
    }

    /**
     * Sets the long at {@code offset} to {@code value}, atomically.
     *
     * @param offset the long's offset in the segment, a multiple of 8
     * @param value  the value it gets
     * @return the value before
     * @throws IllegalStateException     if the segment is closed
     * @throws IndexOutOfBoundsException if the long is not inside the segment
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalArgumentException  if the long's address is not 8-byte aligned
     * @throws SegmentFaultException     if the long was cut off by a truncation
     */
    public final long getAndSetLong(long offset, long value) {
        MappedByteBuffer b = unguardedWrites;
        if (b != null && (int) offset == offset) {
            try {
                return (long) LONG.getAndSet(b, (int) offset, value);
            } catch (IndexOutOfBoundsException | IllegalStateException refused) {
                // Past the first chunk, outside, or misaligned: the checked path names the cause.
            } catch (InternalError e) {
                throw segment.faulted(e, "getAndSetLong", offset, Long.BYTES);
            }
        }
        return getAndSetLongChecked(offset, value);
    }

    // ---- what the unguarded fast path does not take -------------------------------------------

    /*
     * Each operation when the fast path above is empty or refused: JavaAtomics' fast path with
     * its truncation check, then its checked path; NativeAtomics' JNI call. Same contract as the
     * public method.
     */

    abstract int getIntVolatileChecked(long offset);
    abstract void putIntVolatileChecked(long offset, int value);
    abstract int getIntAcquireChecked(long offset);
    abstract void putIntReleaseChecked(long offset, int value);
    abstract boolean compareAndSetIntChecked(long offset, int expected, int value);
    abstract int getAndAddIntChecked(long offset, int delta);
    abstract int getAndSetIntChecked(long offset, int value);
    abstract long getLongVolatileChecked(long offset);
    abstract void putLongVolatileChecked(long offset, long value);
    abstract long getLongAcquireChecked(long offset);
    abstract void putLongReleaseChecked(long offset, long value);
    abstract boolean compareAndSetLongChecked(long offset, long expected, long value);
    abstract long getAndAddLongChecked(long offset, long delta);
    abstract long getAndSetLongChecked(long offset, long value);

    // ---- checks -------------------------------------------------------------------------------

    final Mapping readableInt(String operation, long offset) {
        return AlignedAccess.readable(segment, operation, offset, Integer.BYTES, Integer.BYTES, "an atomic int");
    }

    final Mapping writableInt(String operation, long offset) {
        return AlignedAccess.writable(segment, operation, offset, Integer.BYTES, Integer.BYTES, "an atomic int");
    }

    final Mapping readableLong(String operation, long offset) {
        return AlignedAccess.readable(segment, operation, offset, Long.BYTES, Long.BYTES, "an atomic long");
    }

    final Mapping writableLong(String operation, long offset) {
        return AlignedAccess.writable(segment, operation, offset, Long.BYTES, Long.BYTES, "an atomic long");
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " of " + segment;
    }
}
