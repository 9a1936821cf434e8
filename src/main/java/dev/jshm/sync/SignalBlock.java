package dev.jshm.sync;

import static dev.jshm.internal.BufferViews.INT;

import dev.jshm.ReadOnlySegmentException;
import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import dev.jshm.internal.BufferViews;
import dev.jshm.internal.Secrets;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The futex wait/wake protocol in shared memory, in one place: the block a producer signals
 * after it publishes and a consumer sleeps on when it finds nothing to do. The message ring's
 * header holds one; {@link FutexIdleStrategy} sleeps on one; C programs use the same protocol
 * ({@code jshm_ring_wait} and the producer's signal in {@code jshm_ring.c}).
 *
 * <p>Memory: {@link #SIZE} (8) bytes at a 4-aligned offset, zero to begin with:
 * <pre>
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   |  word (u32)       |  sleepers (i32)   |
 *   +-------------------+-------------------+
 * </pre>
 * <ul>
 * <li><em>word</em>: the futex word consumers sleep on; a producer increments it (wrapping) when
 *     it wakes them;</li>
 * <li><em>sleepers</em>: non-zero when a consumer may be asleep (or about to sleep) on the word.
 *     A consumer sets it to 1 before its last look; the producer that finds it non-zero sets it
 *     back to 0, then increments the word and wakes every sleeper.</li>
 * </ul>
 *
 * <p>Why no wake-up is lost (a Dekker store-to-load pattern, with an asymmetric fence). Producer:
 * publish (the caller's release store), a compiler barrier, read {@code sleepers}; if non-zero:
 * exchange it with 0, increment the word, {@code FUTEX_WAKE} all. Consumer: read the word
 * ({@code w0}), exchange {@code sleepers} with 1, {@code membarrier(2)}
 * ({@code MEMBARRIER_CMD_GLOBAL_EXPEDITED}), a full fence, look for work (acquire), and
 * {@code FUTEX_WAIT} only while the word is {@code w0}. Every process that may signal registers
 * for that membarrier once ({@code MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED}, when this class is
 * initialised; the C ring on its first commit). The membarrier returns only after every running
 * thread of every registered process executed a full memory barrier at some point B during the
 * call (an interrupt on its CPU; a thread that was not running passed through a context switch,
 * which is one). The producer's publish and read stay in program order in the instructions it
 * executes (the compiler barrier, argued at {@link #signal}); the processor may let the read
 * pass the publish (x86's store buffer, aarch64's weaker order), but not across B. So either
 * <ol>
 * <li>the producer's read comes before B: then so does the publish, which B made visible before
 *     the membarrier returned, so before the consumer's look, and the consumer does not sleep;
 *     or</li>
 * <li>the producer's read comes after B: then after the consumer's exchange, which was complete
 *     (a locked instruction, and the system call's own barrier on entry) before the membarrier
 *     began: it reads the consumer's 1, or a later value. The producer that exchanges it back
 *     to 0 increments the word after that, so after the consumer read {@code w0}; the
 *     consumer's {@code FUTEX_WAIT} then finds the word changed and returns at once, or the
 *     consumer is already asleep and the wake reaches it.</li>
 * </ol>
 * Where the kernel refuses the registration ({@code ENOSYS} before Linux 4.3, {@code EINVAL}
 * before 4.16, {@code EPERM} under a seccomp filter), this process's producers execute a full
 * fence instead, and the pattern holds with the consumer's full fence alone. Where a consumer's
 * membarrier fails, registered producers may miss its announcement: it then sleeps in slices of
 * at most {@link #UNFENCED_SLEEP} and looks again after each, so a wake-up is at worst that
 * late, never lost.
 * Clearing {@code sleepers} on the producer side is what makes the block heal itself: a consumer
 * that dies asleep, or whose segment is closed under it, leaves at most one needless wake to
 * the next producer, never a wake per signal forever. A consumer that sets the flag and then
 * finds work leaves the same single needless wake behind.
 *
 * <p>Cost: a signal without sleepers is one load, no fence, no locked read-modify-write and no
 * system call; a consumer that is about to sleep pays the exchange and the membarrier (an
 * interrupt to each CPU that runs a registered process: microseconds, on a path that then
 * sleeps in the kernel anyway). A full fence per signal, the symmetric form, makes the producer
 * wait until its publish has left the store buffer, which costs most when the consumer is
 * reading that very cache line; a ring without sleeping consumers (agrona's) pays nothing.
 * Batching the check (reading {@code sleepers} every n-th signal) would let a consumer sleep
 * through the last n - 1 commits of a burst, so it is not done.
 *
 * <p>Truncation: every method checks the block's 8 bytes after touching them
 * ({@link Segment#checkBacked}) and throws {@link SegmentFaultException} if another process cut
 * them off (a POSIX object or file): a flag or word read from the zero pages that replaced them is
 * never returned, nor acted on as if it were shared. System V segments cannot be truncated: on
 * them the check is skipped.
 *
 * <p>Thread-safety: every method may be called from any thread of any process that maps the
 * block. The block reads and writes through a view of the segment taken at construction: after
 * the segment is closed its accesses land in the retired mapping (harmless); {@link #await}
 * throws {@link IllegalStateException} then, and so do the other methods that touch the block
 * on a POSIX object or file (their truncation check needs the segment open).
 */
public final class SignalBlock {

    /** Bytes the block occupies. */
    public static final int SIZE = 8;
    /** Where the futex word is in the block. */
    public static final int WORD_OFFSET = 0;
    /** Where the sleepers flag is in the block. */
    public static final int SLEEPERS_OFFSET = 4;

    /**
     * The longest sleep of a consumer whose membarrier failed: registered producers may then miss
     * its announcement, so it looks again after at most this long.
     */
    public static final Duration UNFENCED_SLEEP = Duration.ofMillis(1);

    /**
     * Whether this process is a target of the consumers' membarrier, so that {@link #signal}
     * needs no fence of its own. Decided once: registration is for the life of the process.
     */
    private static final boolean SIGNAL_FENCE_ELIDED = Secrets.segmentMemory().membarrierRegister() == 0;

    /** Set when a consumer's membarrier failed in this process: sleeps are cut into slices from then on. */
    private static volatile boolean sleepInSlices;

    private final Segment segment;
    private final long offset;
    private final ByteBuffer block;
    /** {@link #block} as ints ({@link BufferViews#ints}), for the commit's plain read of the flag. */
    private final IntBuffer blockInts;
    /** Whether another process can truncate the segment: all kinds but System V. */
    private final boolean truncatable;

    /**
     * The block at {@code offset}, as it is (nothing is written): a new block must start as 8 zero
     * bytes, as a new segment's memory does.
     *
     * @param segment the segment that holds the block
     * @param offset  where the block starts in {@code segment}: a multiple of 4 with {@link #SIZE}
     *                bytes inside it
     * @throws IndexOutOfBoundsException if the block does not fit
     * @throws IllegalArgumentException  if the offset is not a multiple of 4
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalStateException     if the segment is closed
     */
    public SignalBlock(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        Secrets.segmentMemory().checkAlignedWritable(segment, "SignalBlock", offset, SIZE, Integer.BYTES, "a signal block");
        this.segment = segment;
        this.offset = offset;
        this.block = segment.asByteBuffer(offset, SIZE);
        this.blockInts = BufferViews.ints(block);
        this.truncatable = segment.truncatable();
    }

    /** {@return the segment the block is in} */
    public Segment segment() {
        return segment;
    }

    /** {@return where the block starts in {@link #segment()}} */
    public long offset() {
        return offset;
    }

    /**
     * The producer's side, after it published: wakes every consumer that may be asleep. Without
     * sleepers it is one load (and a full fence where this process could not register for the
     * membarrier: {@link #signalFenceElided()}).
     *
     * @return whether it found sleepers (and woke them)
     */
    public boolean signal() {
        int sleepers = sleepersAfterPublish();
        checkBacked("signal");
        return sleepers != 0 && wakeSleepers();
    }

    /**
     * {@link #signal()} for a caller that checks, after this call, a range of the segment that
     * holds the block ({@link Segment#checkBacked}): a message ring checks its whole memory after
     * every operation, so one check covers its records and this block. The common path (no
     * sleepers) leaves the check to the caller: a flag read from the zero pages that replaced
     * truncated memory reads 0, so nothing is done with it before the caller's check throws. The
     * rare path (sleepers) checks the block itself before it wakes anyone.
     *
     * @return whether it found sleepers (and woke them)
     */
    public boolean signalInCheckedRange() {
        return sleepersAfterPublish() != 0 && wakeSleepers();
    }

    /**
     * Whether this process signals without a fence: it is registered as a target of the
     * consumers' {@code membarrier(2)} (see the class comment).
     *
     * @return true when registered; false where the kernel refused the registration, and
     * {@link #signal} then executes a full fence
     */
    public static boolean signalFenceElided() {
        return SIGNAL_FENCE_ELIDED;
    }

    /** The fence after the caller's publish, then the flag. */
    private int sleepersAfterPublish() {
        // Store (the caller's publish) -> load (sleepers). With the membarrier registered (see
        // the class comment), the load only has to stay after the store in the instructions this
        // thread executes, and acquireFence gives that to every HotSpot compiler without a fence
        // instruction on x86: C2 makes it a LoadFence node, a MemBar whose memory input is the
        // whole memory state (all alias slices, so the caller's release store is scheduled
        // before it) and whose memory output every later access depends on (so the load below
        // is scheduled after it); it emits nothing on x86-64 and dmb ishld on aarch64. C1 emits
        // memory accesses in bytecode order and the fence as membar_acquire (again nothing on
        // x86-64); the interpreter executes them in order, and its Unsafe.loadFence is a C++
        // compiler barrier at least. The JMM alone would allow the load to pass the store (only
        // a full fence forbids that in its words): what orders them for the consumer is the
        // membarrier's barrier on this CPU, not the memory model. Without the registration:
        // a full fence, the symmetric form.
        if (SIGNAL_FENCE_ELIDED) {
            VarHandle.acquireFence();
        } else {
            VarHandle.fullFence();
        }
        // Plain, below the fence: read on every call (the fence is a barrier the JIT does not move
        // it above, so it is never hoisted out of a caller's loop), without the alignment check
        // that an opaque read of a buffer view adds to every commit, through the ints view, whose
        // compiled code is smaller still (see BufferViews).
        return blockInts.get(SLEEPERS_OFFSET >>> 2);
    }

    /** The rare half of {@link #signal}: clear the flag, change the word, wake. */
    private boolean wakeSleepers() {
        if (exchangeInt(SLEEPERS_OFFSET, 0) == 0) {
            checkBacked("signal");
            return false; // another producer cleared it after our read: it changes the word and wakes
        }
        addInt(WORD_OFFSET, 1);
        checkBacked("signal");
        Futex.wake(segment, offset + WORD_OFFSET, Integer.MAX_VALUE);
        return true;
    }

    /**
     * The consumer's first step: the value of the word, for a later {@link #await}. Read it before
     * {@link #announce()} and before the last look for work.
     *
     * @return the futex word, to pass to {@link #await} as {@code observed}
     */
    public int word() {
        int word = (int) INT.getVolatile(block, WORD_OFFSET);
        checkBacked("word");
        return word;
    }

    /**
     * The consumer's second step: marks that a consumer may sleep, with a full fence, so that a
     * producer that publishes after the consumer's next look (which must follow this call) sees
     * the mark and wakes it.
     */
    public void announce() {
        exchangeInt(SLEEPERS_OFFSET, 1);
        checkBacked("announce");
        // The heavy half of the asymmetric fence (class comment): every registered producer's
        // publish before its read of sleepers is visible when this returns, or that read sees
        // the 1 above. The kernel's own barriers on system call entry and exit order it after
        // the exchange and before the look.
        if (Secrets.segmentMemory().membarrier() != 0) {
            sleepInSlices = true;
        }
        // The exchange is volatile, but the look that follows may be a plain acquire load, which
        // the memory model lets move before a volatile write; the fence pins it after (on x86
        // the locked exchange already is one). It is also the whole consumer half against a
        // producer that could not register and keeps its full fence.
        VarHandle.fullFence();
    }

    /**
     * The consumer's last step, after {@link #word()}, {@link #announce()} and a look that found
     * no work: sleeps while the word still holds {@code observed}, at most {@code timeout}. May
     * return sooner ({@link WaitResult#TIMED_OUT} after {@link #UNFENCED_SLEEP}, when this
     * process's membarrier failed): look for work again after any return.
     *
     * @param observed what {@link #word()} returned before the announcement
     * @param timeout  the longest sleep, as for {@link Futex#await}: {@code null} for no limit
     * @return how the sleep ended, as {@link Futex#await} tells it
     * @throws IllegalStateException if the segment is closed
     * @see Futex#await
     */
    public WaitResult await(int observed, Duration timeout) {
        if (sleepInSlices && (timeout == null || timeout.compareTo(UNFENCED_SLEEP) > 0)) {
            // A registered producer may have missed the announcement: the caller looks again
            // after the slice (a spurious return, which every caller handles already).
            timeout = UNFENCED_SLEEP;
        }
        return Futex.await(segment, offset + WORD_OFFSET, observed, timeout);
    }

    /** {@return the sleepers flag, for monitoring and tests: non-zero when a consumer may be asleep} */
    public int sleepers() {
        int sleepers = (int) INT.getVolatile(block, SLEEPERS_OFFSET);
        checkBacked("sleepers");
        return sleepers;
    }

    /** After the accesses it covers: the block's bytes were the object's, or this throws. */
    private void checkBacked(String operation) {
        if (!truncatable) {
            return;
        }
        try {
            segment.checkBacked(offset, SIZE);
        } catch (SegmentFaultException e) {
            throw new SegmentFaultException(operation + " of " + this + ": " + e.getMessage(), operation);
        }
    }

    // The block's only read-modify-writes on shared memory.

    private int exchangeInt(int index, int value) {
        return (int) INT.getAndSet(block, index, value);
    }

    private int addInt(int index, int delta) {
        return (int) INT.getAndAdd(block, index, delta);
    }

    /** {@return the block's offset and segment, for logs and messages} */
    @Override
    public String toString() {
        return "SignalBlock(offset=" + offset + ") of " + segment;
    }
}
