package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

import dev.jshm.internal.AccessorClasses;

/**
 * One range of memory mapped into this process, seen from Java as direct {@link ByteBuffer}s,
 * and the rules that keep the JVM alive when it goes away.
 *
 * <p>A {@code ByteBuffer} holds at most 2 GiB - 1 bytes, so a larger range is seen through
 * several buffers: chunk {@code i} starts at {@code i} GiB and reaches as far as a buffer can
 * (2 GiB - 1 bytes, or to the end of the range). The chunks overlap by almost 1 GiB, so any access
 * or copy of up to 1 GiB that starts in a chunk fits in that chunk's buffer, and chunk 0 alone
 * covers every range smaller than 2 GiB: that is the buffer of {@link Segment}'s fast paths, whose
 * own bounds check ({@code limit}) then is the segment's.
 *
 * <p>Lifetime: {@link #retire()} replaces the mapping in place with private anonymous memory.
 * That detaches the shared memory at once (the kernel drops the attachment or the file
 * reference) but keeps the address range reserved, so a thread still reading or writing through
 * a buffer, or in a native copy, touches harmless zero pages instead of faulting. The range is
 * unmapped only by a {@link Cleaner} once every root buffer (each chunk, and each view that is
 * not a slice of a chunk) is unreachable: the JDK's buffer slices keep their root reachable, so
 * no view can outlive the range. A mapping that is never retired is unmapped (and so detached)
 * the same way when it becomes unreachable.
 */
final class Mapping {

    static final int CHUNK_SHIFT = 30;
    static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_SIZE - 1;
    /** The system page size. Mappings exist only once the library is loaded, so this can ask it. */
    static final long PAGE_SIZE = Native.pageSize();

    static {
        // Before any access to a mapping can be compiled: see AccessorClasses.
        AccessorClasses.load();
    }

    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "jshm-unmapper");
        thread.setDaemon(true);
        return thread;
    });

    /** Where the segment's byte 0 is. */
    final long address;
    /** Bytes usable from Java: the segment's size. */
    final long size;
    /** Where the kernel's mapping starts: {@link #address}, or below it when the file offset was not page aligned. */
    final long base;
    /** Bytes mapped from {@link #base}, a whole number of pages. */
    final long length;
    final boolean readOnly;
    /**
     * Native byte order, read-only when the mapping is. A JNI direct buffer is a
     * {@code MappedByteBuffer} (the JDK's {@code DirectByteBuffer}, or its read-only subclass):
     * the type lets the JIT bind {@code get} directly (see {@link Segment#readBuffer}).
     */
    final MappedByteBuffer[] chunks;

    /**
     * The fault word of a mapping another process can truncate (a POSIX object or a file),
     * registered with the SIGBUS handler until the range is unmapped; null for System V, whose
     * segments cannot shrink.
     */
    final FaultWord faults;
    private static final long[] NO_SIZES = {};

    private final Unmapper unmapper;

    Mapping(long address, long size, long base, long length, boolean readOnly) {
        this(address, size, base, length, readOnly, null);
    }

    Mapping(long address, long size, long base, long length, boolean readOnly, FaultWord faults) {
        this.address = address;
        this.size = size;
        this.base = base;
        this.length = length;
        this.readOnly = readOnly;
        this.faults = faults;
        this.unmapper = new Unmapper(base, length, faults == null ? Unmapper.NO_SLOT : faults.slot);
        int count = (int) ((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        this.chunks = new MappedByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long start = (long) i << CHUNK_SHIFT;
            chunks[i] = newRoot(start, (int) Math.min(size - start, Integer.MAX_VALUE));
        }
    }

    /** {@code size} rounded up to a whole number of pages. */
    static long pageAligned(long size) {
        return (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    }

    /**
     * The buffer over the first 2 GiB - 1 bytes (all of a smaller mapping), or null when the
     * mapping is empty.
     */
    MappedByteBuffer first() {
        return chunks.length == 0 ? null : chunks[0];
    }

    /** The buffer that holds {@code offset}; the caller has checked the offset. */
    MappedByteBuffer chunk(long offset) {
        return chunks[(int) (offset >>> CHUNK_SHIFT)];
    }

    /** The index of {@code offset} inside {@link #chunk(long)}. */
    static int indexInChunk(long offset) {
        return (int) (offset & CHUNK_MASK);
    }

    /**
     * A buffer over {@code [offset, offset + length)}, in native byte order. The caller has
     * checked the range; the buffer keeps the mapping's address range alive.
     */
    ByteBuffer view(long offset, int length) {
        if (length == 0) {
            // offset may equal size, past the last chunk: an empty view needs no memory at all.
            ByteBuffer empty = ByteBuffer.allocateDirect(0);
            return (readOnly ? empty.asReadOnlyBuffer() : empty).order(ByteOrder.nativeOrder());
        }
        ByteBuffer chunk = chunk(offset);
        int index = indexInChunk(offset);
        ByteBuffer view = length <= chunk.capacity() - index
                ? chunk.slice(index, length)
                : newRoot(offset, length);
        return view.order(ByteOrder.nativeOrder());
    }

    /**
     * Called after every access of {@code [offset, offset + length)} through this mapping: throws
     * if the access touched memory that the SIGBUS handler replaced (see {@link FaultWord}).
     * Nothing but a field load for System V. Keeps the mapping reachable until after the access.
     */
    void checkBacked(Segment segment, String operation, long offset, long length) {
        FaultWord f = faults;
        if (f != null) {
            f.check(segment, operation, offset, length);
        }
        // The access before the call used this mapping's memory by address: the mapping (and its
        // root buffers, whose collection unmaps it) must stay reachable until it is done.
        Reference.reachabilityFence(this);
    }

    /**
     * Detaches the shared memory now, leaving harmless anonymous memory in its place.
     *
     * @param segment the owner, named in the message should the kernel refuse (its
     *                {@code toString()} is only built then: closing is a success path)
     */
    void retire(Object segment) {
        int rc = Native.retire(base, length);
        // A huge page mapping (SHM_HUGETLB, perhaps made by another process, or a file on a
        // hugetlbfs mount) can only be replaced whole: its length is a multiple of its huge
        // page size, which the mapping does not tell. Try each size the kernel offers.
        for (long huge : rc == -Errors.EINVAL ? KernelLimits.hugePageSizes() : NO_SIZES) {
            long hugeLength = (length + huge - 1) / huge * huge;
            rc = Native.retire(base, hugeLength);
            if (rc != -Errors.EINVAL) {
                if (rc == 0) {
                    unmapper.length = hugeLength;
                }
                break;
            }
        }
        if (rc < 0) {
            throw Errors.failure(rc, "mmap(address=0x" + Long.toHexString(base) + ", length=" + length
                    + ", MAP_FIXED|MAP_ANONYMOUS) retiring " + segment);
        }
    }

    private MappedByteBuffer newRoot(long offset, int capacity) {
        unmapper.addRoot();
        ByteBuffer root = Native.newDirectBuffer(address + offset, capacity);
        CLEANER.register(root, unmapper);
        ByteBuffer buffer = readOnly ? root.asReadOnlyBuffer() : root;
        return (MappedByteBuffer) buffer.order(ByteOrder.nativeOrder());
    }

    /**
     * Unmaps the range when the last root buffer has been collected. It holds no reference to
     * the mapping or its buffers (that would keep them reachable forever), and as little as it
     * can: every collection between a close and the unmap copies it, with its cleaner
     * registration, for each segment closed since the one before.
     */
    private static final class Unmapper implements Runnable {
        static final int NO_SLOT = -1;
        private static final VarHandle ROOTS;

        static {
            try {
                ROOTS = MethodHandles.lookup().findVarHandle(Unmapper.class, "roots", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long address;
        /** The mapping's slot in the fault table ({@link FaultWord#slot}), or {@link #NO_SLOT}. */
        private final int faultSlot;
        /** Widened by {@link #retire} for huge page mappings, before any root can be collected. */
        volatile long length;
        /** Root buffers not yet collected. */
        @SuppressWarnings("unused") // through ROOTS
        private volatile int roots;

        Unmapper(long address, long length, int faultSlot) {
            this.address = address;
            this.faultSlot = faultSlot;
            this.length = length;
        }

        void addRoot() {
            ROOTS.getAndAdd(this, 1);
        }

        @Override
        public void run() {
            if ((int) ROOTS.getAndAdd(this, -1) == 1) {
                // Before the munmap, never after: the handler may only ever replace memory that
                // is still ours.
                if (faultSlot != NO_SLOT) {
                    FaultWord.unregister(faultSlot);
                }
                if (Native.unmap(address, length) == -Errors.EINVAL) {
                    // Never retired, and a huge page mapping: unmap whole huge pages.
                    for (long huge : KernelLimits.hugePageSizes()) {
                        if (Native.unmap(address, (length + huge - 1) / huge * huge) != -Errors.EINVAL) {
                            break;
                        }
                    }
                }
            }
        }
    }
}
