package dev.jshm;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

/**
 * Spins, then yields, then blocks on a futex in shared memory until another thread or process
 * signals: the idle strategy of a consumer whose producer may be in another process. It costs no
 * CPU while parked and wakes within microseconds of a {@link #signal}.
 *
 * <p>Memory: {@link #SIZE} (8) bytes at a 4-aligned {@code offset}, zero to begin with:
 * <ul>
 * <li>{@code offset + 0}: the <em>signal word</em>, an int the producer increments on a signal
 *     when a consumer may be asleep (it wraps around), and the futex word consumers sleep on;</li>
 * <li>{@code offset + 4}: the <em>waiters count</em>, the number of consumers about to sleep or
 *     asleep on the word.</li>
 * </ul>
 *
 * <p>The protocol, which loses no wake-up:
 * <ul>
 * <li>Producer, after publishing each item (its data written before): {@link #signal}, which
 *     issues a full fence and reads the waiters count; only if it is above zero does it
 *     increment the signal word and call {@link Futex#wake} for all sleepers. Without waiters a
 *     signal is a fence and one read: no locked read-modify-write, no system call.</li>
 * <li>Consumer (this class): its first idle call after work reads the signal word; later calls
 *     spin {@code maxSpins} times and yield {@code maxYields} times; the next call adds 1 to the
 *     waiters count and returns without sleeping, so the caller polls once more while counted;
 *     the call after that sleeps ({@link Futex#await}) while the signal word still holds the
 *     value read, at most {@code maxPark}, subtracts 1 and reads the word again; the next two
 *     calls do the same. Work arriving in between ({@code idle(n > 0)} or {@link #reset})
 *     subtracts the 1 of a consumer counted but not yet asleep.</li>
 * </ul>
 * Why no wake-up is lost (a Dekker store-to-load pattern): the producer's publish, full fence
 * and read of the count, against the consumer's add to the count, full fence and the caller's
 * poll after it. Both fences are explicit: neither side relies on x86's locked instructions
 * being full barriers, so the argument holds on aarch64 too. Either the producer's read comes before the add, and then the item
 * was published before it and the poll after the add sees it; or the producer sees the count
 * above zero and increments the word after the consumer read it, so the consumer's futex wait
 * finds the word changed and returns at once, or it is asleep and is woken.
 * A consumer that stops calling {@code idle} between the counting call and the sleeping one
 * (without {@code reset}) leaves the count too high, as a consumer killed while asleep does.
 * Several consumers may share one signal word; each signal wakes all that sleep on it. A
 * consumer process killed while asleep leaves the waiters count too high, which only costs the
 * producer a needless wake call per signal. {@code maxPark} bounds a sleep in case a producer
 * does not follow the protocol or died mid-way.
 *
 * <p>Interrupts: an interrupted thread returns from {@code idle} within
 * {@link Futex#INTERRUPT_CHECK_INTERVAL} with its interrupt status still set, and later idle
 * calls return at once while it stays set (as {@code LockSupport.parkNanos} does): the caller's
 * loop should check it.
 *
 * <p>Not thread-safe: one instance per consumer thread. {@link #signal} may be called from any
 * thread of any process.
 */
public final class FutexIdleStrategy implements IdleStrategy {

    /** Bytes the signal word and the waiters count occupy. */
    public static final int SIZE = 8;
    /** Spins of {@link #FutexIdleStrategy(Segment, long)} before it yields. */
    public static final int DEFAULT_MAX_SPINS = 100;
    /** Yields of {@link #FutexIdleStrategy(Segment, long)} before it sleeps on the futex. */
    public static final int DEFAULT_MAX_YIELDS = 10;
    /** The longest single sleep of {@link #FutexIdleStrategy(Segment, long)}. */
    public static final Duration DEFAULT_MAX_PARK = Duration.ofMillis(100);

    private static final int WAITERS = Integer.BYTES;

    private final Segment segment;
    private final SegmentAtomics atomics;
    private final long offset;
    private final int maxSpins;
    private final int maxYields;
    private final Duration maxPark;

    /** Whether {@link #observed} holds a read of the signal word that no sleep has used yet. */
    private boolean armed;
    private int observed;
    /** Whether this consumer is counted in the waiters count (added 1 that it has not removed). */
    private boolean counted;
    private int spins;
    private int yields;

    /** With the defaults: 100 spins, 10 yields, sleeps of at most 100 ms. */
    public FutexIdleStrategy(Segment segment, long offset) {
        this(segment, offset, DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MAX_PARK);
    }

    /**
     * @param segment   where the signal word and the waiters count live
     * @param offset    where they start: a multiple of 4, with {@link #SIZE} bytes inside the segment
     * @param maxSpins  spins after work before yielding (0 for none)
     * @param maxYields yields after spinning before sleeping (0 for none)
     * @param maxPark   the longest single sleep on the futex
     * @throws IndexOutOfBoundsException if the 8 bytes do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4, a count is
     *                                   negative, or {@code maxPark} is not positive
     * @throws ReadOnlySegmentException  if the segment is read-only (waiting counts itself in)
     */
    public FutexIdleStrategy(Segment segment, long offset, int maxSpins, int maxYields, Duration maxPark) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(maxPark, "maxPark");
        if (maxSpins < 0 || maxYields < 0) {
            throw new IllegalArgumentException("maxSpins and maxYields must not be negative: maxSpins=" + maxSpins
                    + " maxYields=" + maxYields);
        }
        if (maxPark.isNegative() || maxPark.isZero()) {
            throw new IllegalArgumentException("maxPark must be positive: " + maxPark);
        }
        AlignedAccess.writable(segment, offset, SIZE, Integer.BYTES, "a FutexIdleStrategy", "FutexIdleStrategy");
        this.segment = segment;
        this.atomics = segment.atomics();
        this.offset = offset;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxPark = maxPark;
    }

    /**
     * The producer's side: after a full fence, reads the waiters count and, only if a consumer may
     * be asleep, increments the signal word at {@code offset} and wakes every consumer asleep on
     * it. Call it after publishing each item.
     *
     * @return how many sleeping consumers were woken
     * @throws IndexOutOfBoundsException if the 8 bytes do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4
     */
    public static int signal(Segment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        // Check all 8 bytes first, so a bad offset fails before the word changes.
        AlignedAccess.writable(segment, offset, SIZE, Integer.BYTES, "a FutexIdleStrategy", "signal");
        SegmentAtomics atomics = segment.atomics();
        // Store (the caller's publish) -> load (the count): only a full fence orders them. See
        // the protocol in the class comment.
        VarHandle.fullFence();
        if (atomics.getIntVolatile(offset + WAITERS) <= 0) {
            return 0;
        }
        atomics.getAndAddInt(offset, 1);
        return Futex.wake(segment, offset, Integer.MAX_VALUE);
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        if (!armed) {
            // The read a later sleep compares against. This call never sleeps: the caller polls
            // once more after the read, so nothing published before it can be missed.
            observed = atomics.getIntVolatile(offset);
            armed = true;
            return;
        }
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < maxYields) {
            yields++;
            Thread.yield();
            return;
        }
        if (!counted) {
            // Count in, then let the caller poll once more before the sleep: a producer
            // that published before the add is seen by that poll, one after it increments the word.
            atomics.getAndAddInt(offset + WAITERS, 1);
            // Store (the count) -> load (the caller's poll, often only an acquire read): the
            // Dekker pair of signal()'s fence. A locked add is a full barrier on x86, but the
            // memory model promises no store-load order between a volatile add and a later
            // acquire or plain read, and aarch64 can reorder them (an ldaddal or stlxr followed
            // by a plain ldr); only a full fence orders them everywhere.
            VarHandle.fullFence();
            counted = true;
            return;
        }
        try {
            Futex.await(segment, offset, observed, maxPark);
        } finally {
            counted = false;
            atomics.getAndAddInt(offset + WAITERS, -1);
        }
        // Re-arm for the next sleep; the caller polls before it.
        observed = atomics.getIntVolatile(offset);
    }

    @Override
    public void reset() {
        if (counted) {
            counted = false;
            atomics.getAndAddInt(offset + WAITERS, -1);
        }
        armed = false;
        spins = 0;
        yields = 0;
    }

    @Override
    public String toString() {
        return "FutexIdleStrategy{offset=" + offset + ", maxSpins=" + maxSpins + ", maxYields=" + maxYields
                + ", maxPark=" + maxPark + ", segment=" + segment + "}";
    }
}
