package dev.jshm;

import static dev.jshm.internal.BufferViews.LONG;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

/**
 * How jshm learns that a mapping lost memory to another process: the Java side of the C
 * library's SIGBUS handler ({@code jshm_fault.c}).
 *
 * <p>A POSIX object or a file can be truncated by another process while it is mapped here, and
 * an access past its new end raises SIGBUS. Every such mapping is registered with the handler
 * when it is made. On a SIGBUS inside it, the handler replaces the faulting page and the rest of
 * the mapping with private zero pages, lowers the mapping's fault word (8 bytes of native memory
 * that never move) to the first replaced offset, and returns: the faulting access completes on
 * zero pages, whatever executed it (the interpreter, compiled code, the JVM's own copy or CAS
 * routines, C code). No SIGBUS of a registered mapping reaches the JVM, so none can kill it or
 * become an asynchronous {@link InternalError}. Each access method then reads the word and
 * throws {@link SegmentFaultException} when the access overlapped replaced memory.
 *
 * <p>Why the read of the word cannot miss a fault of the access before it. The handler runs on
 * the faulting thread, synchronously, at the faulting instruction: its store to the word comes
 * before the rest of that thread's program in the thread's own order, and the processor raises
 * the fault precisely at the access (no later instruction of the thread has architecturally
 * executed). What remains is the compiler: the JIT could schedule the load of the word before
 * the access, since it sees no dependence between two different addresses. {@link #replacedFrom}
 * therefore starts with {@link VarHandle#acquireFence()}. The memory model forbids moving a load
 * that precedes an acquire fence (the access, when it reads: typed gets, copies out, atomics'
 * loads and read-modify-writes) after any load that follows it (the word). For an access that
 * only writes, the model alone would allow a store-then-load reordering; HotSpot's compilers do
 * not use that freedom across a fence: C2 turns every fence into a memory barrier node that takes
 * all memory slices as input, so stores before it stay above it and loads after it hang below it;
 * C1 and the interpreter keep program order around it. On x86-64 the fence emits no instruction.
 * The word is read in plain mode, right after the fence: the read hangs below that barrier, so it
 * is done on every call and never hoisted out of a caller's loop, and a plain read of a buffer
 * view is one check smaller than an opaque one (no alignment check), which matters where the
 * check is inlined into every ring operation.
 *
 * <p>Another thread that finds the pages already replaced takes no fault of its own. The handler
 * lowers the word <em>before</em> it replaces the pages, and the replacement (an {@code mmap}
 * system call) becomes visible to other threads only after that store: a thread that read zeros
 * there reads the lowered word afterwards.
 *
 * <p>The checks start with the process's replacement count ({@link #noneReplaced()}): while
 * the handler has never replaced memory, which is the normal state of a process, no word needs
 * reading.
 *
 * <p>Thread-safety: immutable apart from the word, which only the handler writes.
 */
final class FaultWord {

    /** The word's value while no memory of the mapping was replaced. */
    static final long NONE = Long.MAX_VALUE;
    /** How many mappings can be registered at once: {@code JSHM_FAULT_MAX_RANGES} in {@code jshm.h}. */
    static final int MAX_RANGES = 65536;

    /**
     * Every slot's word, made once: a registration takes a Java slice of it, where a buffer of
     * its own would be a JNI call back into Java ({@code NewDirectByteBuffer}) per mapping. The
     * class is first used by a registration, after the library was loaded.
     */
    private static final ByteBuffer WORDS = Native.faultWords();
    /**
     * How many times the handler replaced memory in this process ({@code JSHM_FAULT_REPLACEMENTS}
     * in {@code jshm.h}, the word after the last slot): 0 until the first replacement. A
     * constant, so that its check loads no field of a segment or mapping. A {@code LongBuffer}
     * view rather than {@link dev.jshm.internal.BufferViews#LONG} on a byte buffer: its
     * {@code get(0)} reads three of the buffer's fields (the memory session, the limit, the
     * address) where the byte buffer's view also reads the heap array and checks it, and every
     * access of a POSIX object or file pays this read (measured: a typed get 1.35 against 1.65
     * ns, a 64-byte read 4.9 against 5.25 ns, System V 1.05 and 4.05 ns).
     */
    private static final LongBuffer REPLACEMENTS = WORDS.slice(MAX_RANGES * Long.BYTES, Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();

    /** The table slot, released when the mapping is unmapped. */
    final int slot;
    private final ByteBuffer word;
    /**
     * The word of the mapping this one replaced when the object grew (null if none): the same
     * file, so a fault seen through the old mapping (a view taken before the growth) also
     * concerns this one. Read only by {@link Segment#checkBacked}, never per access.
     */
    private final FaultWord previous;

    private FaultWord(int slot, ByteBuffer word, FaultWord previous) {
        this.slot = slot;
        this.word = word;
        this.previous = previous;
    }

    /**
     * Registers {@code [base, base + length)}, a whole mapping; offsets count from
     * {@code origin} (the segment's byte 0). The caller unmaps the range if this throws.
     *
     * <p>A closed segment's slot is freed only when its memory is unmapped, which the
     * {@link Mapping}'s cleaner does once no buffer can reach it: a loop that opens and closes
     * segments faster than the collector runs would fill the table with closed ones. So a full
     * table is handled as the JDK handles its direct memory limit (and {@code FileChannel.map} a
     * failed {@code mmap}): ask for a collection, wait for the cleaner with growing pauses (at
     * most about a second in all), and only then give up.
     *
     * @param previous the word of the mapping of the same object this one replaces, or null
     * @throws ShmLimitException if the table of registered mappings is full and stays full
     */
    static FaultWord register(long base, long length, long origin, boolean readOnly, FaultWord previous, String what) {
        int slot = Native.faultRegister(base, length, origin, readOnly);
        for (int pause = 1; slot == -Errors.ENOSPC && pause <= 512; pause *= 2) {
            if (pause == 1) {
                System.gc();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slot = Native.faultRegister(base, length, origin, readOnly);
        }
        if (slot < 0) {
            throw Errors.failure(slot, "jshm_fault_register(" + what + ", length=" + length + ")",
                    slot == -Errors.ENOSPC ? "at most " + MAX_RANGES + " mappings of POSIX objects and files can be open in one process,"
                            + " counting closed ones whose buffers (views) are still reachable"
                            : null);
        }
        return new FaultWord(slot, WORDS.slice(slot * Long.BYTES, Long.BYTES), previous);
    }

    /** Frees {@code slot}; only just before its range is unmapped. */
    static void unregister(int slot) {
        Native.faultUnregister(slot);
    }

    /**
     * Whether the handler has never replaced memory in this process: then no access of this
     * thread before the call touched replaced memory, and no fault word needs reading. The
     * check of every access of a POSIX object or file starts here: the count is one word at a
     * fixed place, where a mapping's word is reached through the segment's fields. The handler
     * raises the count before it lowers a fault word and before it replaces memory, so what
     * {@link FaultWord} argues for the word holds for the count too; the fence is the same.
     * Once any mapping of the process lost memory, every check reads its mapping's word.
     */
    static boolean noneReplaced() {
        return replacements() == 0;
    }

    /** How many times the handler replaced memory in this process; see {@link #noneReplaced()}. */
    static long replacements() {
        VarHandle.acquireFence();
        return REPLACEMENTS.get(0);
    }

    /**
     * The lowest offset whose memory was replaced after a fault, or {@link #NONE}. Call it after
     * the access it is to cover, in the same thread.
     */
    long replacedFrom() {
        VarHandle.acquireFence();
        return (long) LONG.getOpaque(word, 0);
    }

    /** {@link #replacedFrom()} of this mapping and of every one it replaced. */
    long replacedFromAny() {
        long from = replacedFrom();
        for (FaultWord p = previous; p != null; p = p.previous) {
            from = Math.min(from, p.replacedFrom());
        }
        return from;
    }

    /**
     * Throws {@link SegmentFaultException} for {@code operation} if the access of
     * {@code [offset, offset + length)} that came before, in this thread, overlapped memory
     * replaced in this mapping or in one it replaced (the same object, smaller).
     */
    void check(Segment segment, String operation, long offset, long length) {
        if (noneReplaced()) {
            return;
        }
        long from = replacedFromAny();
        if (overlaps(offset, length, from)) {
            throw fault(segment, operation, offset, length, from);
        }
    }

    /** Whether an access of {@code [offset, offset + length)} overlapped memory replaced from {@code from}. */
    private static boolean overlaps(long offset, long length, long from) {
        // Subtract, never add: from - length cannot wrap (both are non-negative). An empty range
        // overlaps nothing.
        return offset > from - length && length != 0;
    }

    /** The exception for an access of {@code [offset, offset + length)} that overlapped memory replaced from {@code from}. */
    static SegmentFaultException fault(Segment segment, String operation, long offset, long length, long from) {
        return new SegmentFaultException(operation + "(offset=" + offset + ", length=" + length + ") of " + segment
                + " faulted: the memory from offset " + from + " on is no longer backed by the object (another process"
                + " truncated it, or its file system had no space for a page); the access saw zeros there", operation);
    }
}
