package dev.jshm.sync;

import dev.jshm.ReadOnlySegmentException;
import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import java.time.Duration;
import java.util.Objects;

/**
 * Spins, then yields, then blocks on a futex in shared memory until another thread or process
 * signals: the idle strategy of a consumer whose producer may be in another process. It costs no
 * CPU while parked and wakes within microseconds of a {@link #signal}.
 *
 * <p>Memory and protocol: a {@link SignalBlock} ({@link #SIZE} = 8 bytes at a 4-aligned
 * {@code offset}, zero to begin with: the futex word, then the sleepers flag), whose class
 * comment argues why no wake-up is lost. The producer calls {@link #signal} (or
 * {@link SignalBlock#signal()}) after publishing each item. This consumer: its first idle call
 * after work reads the word; later calls spin {@code maxSpins} times and yield
 * {@code maxYields} times; the next call {@linkplain SignalBlock#announce() announces} a
 * sleeper and returns without sleeping, so the caller polls once more after the announcement
 * (the look the protocol needs); the call after that sleeps while the word still holds the
 * value read, at most {@code maxPark}, and reads the word again for the next sleep.
 *
 * <p>Why the defaults spin for so long ({@value #DEFAULT_MAX_SPINS} {@link Thread#onSpinWait()}s:
 * about 20 µs where one takes 10 ns, up to about 100 µs on CPUs whose {@code pause} takes 140
 * cycles): a sleep costs a wake-up, tens of microseconds (a {@code FUTEX_WAKE} to a sleeper on
 * an idle CPU, see the futex wake-up in the project's benchmarks), so a consumer that sleeps
 * after a gap shorter than that turns the gap into a wake-up's latency, while spinning costs only
 * the CPU it holds. Gaps of a few microseconds are common (a producer that pauses, a host that
 * deschedules it for a moment). Choose fewer spins where the CPU matters more than the latency
 * of a message that follows such a gap.
 *
 * <p>Several consumers may share one block; each signal wakes all that sleep on it. A consumer
 * killed asleep, or whose segment is closed under it, costs the next producer one needless
 * wake, not one per signal. {@code maxPark} bounds a sleep in case a producer does not follow
 * the protocol or died mid-way.
 *
 * <p>Interrupts: an interrupted thread returns from {@code idle} within
 * {@link Futex#INTERRUPT_CHECK_INTERVAL} with its interrupt status still set, and later idle
 * calls return at once while it stays set (as {@code LockSupport.parkNanos} does): the caller's
 * loop should check it.
 *
 * <p>Truncation: every call that touches the signal block (all but spins and yields) throws
 * {@link SegmentFaultException} if another process cut it off (see {@link SignalBlock}), rather
 * than sleeping on a word that is no longer shared.
 *
 * <p>Not thread-safe: one instance per consumer thread. {@link #signal} may be called from any
 * thread of any process.
 */
public final class FutexIdleStrategy implements IdleStrategy {

    /** Bytes the signal block occupies: {@link SignalBlock#SIZE}. */
    public static final int SIZE = SignalBlock.SIZE;
    /** Spins of {@link #FutexIdleStrategy(Segment, long)} before it yields. */
    public static final int DEFAULT_MAX_SPINS = 2_000;
    /** Yields of {@link #FutexIdleStrategy(Segment, long)} before it sleeps on the futex. */
    public static final int DEFAULT_MAX_YIELDS = 10;
    /** The longest single sleep of {@link #FutexIdleStrategy(Segment, long)}. */
    public static final Duration DEFAULT_MAX_PARK = Duration.ofMillis(100);

    private final SignalBlock block;
    private final int maxSpins;
    private final int maxYields;
    private final Duration maxPark;

    /** Whether {@link #observed} holds a read of the word that no sleep has used yet. */
    private boolean armed;
    private int observed;
    /** Whether this consumer announced itself and the caller has polled since. */
    private boolean announced;
    private int spins;
    private int yields;

    /**
     * With the defaults: 2,000 spins, 10 yields, sleeps of at most 100 ms.
     *
     * @param segment where the signal block lives
     * @param offset  where it starts: a multiple of 4, with {@link #SIZE} bytes inside the segment
     * @throws IndexOutOfBoundsException if the 8 bytes do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4
     * @throws ReadOnlySegmentException  if the segment is read-only (waiting announces itself)
     * @throws IllegalStateException     if the segment is closed
     */
    public FutexIdleStrategy(Segment segment, long offset) {
        this(segment, offset, DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MAX_PARK);
    }

    /**
     * With counts and a longest sleep of one's own.
     *
     * @param segment   where the signal block lives
     * @param offset    where it starts: a multiple of 4, with {@link #SIZE} bytes inside the segment
     * @param maxSpins  spins after work before yielding (0 for none)
     * @param maxYields yields after spinning before sleeping (0 for none)
     * @param maxPark   the longest single sleep on the futex
     * @throws IndexOutOfBoundsException if the 8 bytes do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4, a count is
     *                                   negative, or {@code maxPark} is not positive
     * @throws ReadOnlySegmentException  if the segment is read-only (waiting announces itself)
     * @throws IllegalStateException     if the segment is closed
     */
    public FutexIdleStrategy(Segment segment, long offset, int maxSpins, int maxYields, Duration maxPark) {
        this(new SignalBlock(segment, offset), maxSpins, maxYields, maxPark);
    }

    /**
     * On a signal block of one's own (a ring's, for instance).
     *
     * @param block     the block to sleep on
     * @param maxSpins  spins after work before yielding (0 for none)
     * @param maxYields yields after spinning before sleeping (0 for none)
     * @param maxPark   the longest single sleep on the futex
     * @throws IllegalArgumentException if a count is negative, or {@code maxPark} is not positive
     */
    public FutexIdleStrategy(SignalBlock block, int maxSpins, int maxYields, Duration maxPark) {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(maxPark, "maxPark");
        if (maxSpins < 0 || maxYields < 0) {
            throw new IllegalArgumentException("maxSpins and maxYields must not be negative: maxSpins=" + maxSpins
                    + " maxYields=" + maxYields);
        }
        if (maxPark.isNegative() || maxPark.isZero()) {
            throw new IllegalArgumentException("maxPark must be positive: " + maxPark);
        }
        this.block = block;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxPark = maxPark;
    }

    /**
     * The producer's side: reads the sleepers flag (after a full fence only where this process
     * could not register for the consumers' membarrier, see {@link SignalBlock}) and, only if a consumer
     * may be asleep, clears it, increments the word at {@code offset} and wakes every consumer
     * asleep on it. Call it after publishing each item. A producer that signals often keeps one
     * {@link SignalBlock} and calls {@link SignalBlock#signal()}: this method checks its
     * arguments on every call.
     *
     * @param segment where the signal block lives
     * @param offset  where it starts: a multiple of 4, with {@link #SIZE} bytes inside the segment
     * @return 1 if it found sleepers and woke them, else 0
     * @throws IndexOutOfBoundsException if the 8 bytes do not fit
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4
     * @throws ReadOnlySegmentException  if the segment is read-only
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if another process cut the block off
     */
    public static int signal(Segment segment, long offset) {
        return new SignalBlock(segment, offset).signal() ? 1 : 0;
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
            observed = block.word();
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
        if (!announced) {
            // Announce, then let the caller poll once more before the sleep: a producer that
            // published before the announcement is seen by that poll, one after it wakes us.
            block.announce();
            announced = true;
            return;
        }
        announced = false;
        block.await(observed, maxPark);
        // Re-arm for the next sleep; the caller polls before it, and it announces again.
        observed = block.word();
    }

    @Override
    public void reset() {
        // An announcement left behind costs the next producer one needless wake: no undo needed.
        announced = false;
        armed = false;
        spins = 0;
        yields = 0;
    }

    /** {@return the strategy, its parameters and its signal block, for logs} */
    @Override
    public String toString() {
        return "FutexIdleStrategy{maxSpins=" + maxSpins + ", maxYields=" + maxYields + ", maxPark=" + maxPark + ", " + block + "}";
    }
}
