package dev.jshm.sync;

import dev.jshm.Segment;
import dev.jshm.SegmentFaultException;
import dev.jshm.ShmException;
import dev.jshm.internal.Secrets;
import dev.jshm.internal.Timeouts;
import dev.jshm.internal.SegmentMemory;
import java.time.Duration;
import java.util.Objects;

/**
 * Futex wait and wake on an int word in a segment: the kernel's primitive for sleeping until
 * another thread or process changes a value. The futex is <em>shared</em> ({@code FUTEX_WAIT} /
 * {@code FUTEX_WAKE}, not the {@code _PRIVATE} variants), so a waker in any process that maps the
 * same memory wakes waiters in every other one, including C programs that call
 * {@code syscall(SYS_futex, ...)} on the same word.
 *
 * <p>The protocol that loses no wake-up: the waiter reads the word, decides it must wait, and
 * calls {@code await(segment, offset, valueItRead, timeout)}; the kernel sleeps only if the word
 * still holds that value, atomically with respect to wakes. The waker <em>first changes the word</em>
 * (an atomic store or increment through {@link Segment#atomics()}), then calls
 * {@link #wake}. A waiter that had not gone to sleep yet then sees the new value and returns
 * {@link WaitResult#VALUE_CHANGED} at once. A wake without a change of the word may be missed.
 * Waiters always re-check the word in a loop:
 *
 * <pre>{@code
 * int seen;
 * while ((seen = atomics.getIntVolatile(READY)) == 0) {
 *     Futex.await(segment, READY, seen, null);      // WOKEN may be spurious: the loop re-checks
 * }
 * // the other side:
 * atomics.putIntVolatile(READY, 1);
 * Futex.wake(segment, READY, Integer.MAX_VALUE);
 * }</pre>
 *
 * <p>Interrupts: a thread blocked in the kernel cannot see {@link Thread#interrupt()}. So
 * {@code await} sleeps in slices of at most {@link #INTERRUPT_CHECK_INTERVAL} and checks the
 * thread's interrupt status between them: an interrupted waiter returns
 * {@link WaitResult#INTERRUPTED} within that interval, with its interrupt status still set. The
 * slices are invisible otherwise: each one waits for the same value, the timeout is measured once
 * for the whole call (on {@link System#nanoTime()}), and a signal that interrupts the system call
 * ({@code EINTR}) just starts the next slice. A wake that arrives between two slices is not lost
 * when the waker changed the word first: the next slice sees the new value.
 *
 * <p>Checks: the offset must be inside the segment ({@link IndexOutOfBoundsException}) and a
 * multiple of 4 ({@link IllegalArgumentException}); the segment must be open
 * ({@link IllegalStateException}, also checked between slices). Waiting and waking only read the
 * word, so they also work on read-only segments.
 *
 * <p>Thread-safety: every method may be called from any thread. Virtual threads may wait, but
 * each wait occupies its carrier thread (it is a blocking system call).
 */
public final class Futex {

    /** The longest single sleep in the kernel: how quickly an interrupted waiter notices. */
    public static final Duration INTERRUPT_CHECK_INTERVAL = Duration.ofMillis(50);

    private static final long SLICE_NANOS = INTERRUPT_CHECK_INTERVAL.toNanos();
    private static final SegmentMemory MEMORY = Secrets.segmentMemory();
    // Linux errno values.
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ETIMEDOUT = 110;

    private Futex() {
    }

    /**
     * Sleeps while the int at {@code offset} is {@code expected}, until woken, interrupted, or
     * the timeout passes.
     *
     * @param segment  the segment that holds the word
     * @param offset   where the word is: a multiple of 4, with 4 bytes inside the segment
     * @param expected the value read last; the call sleeps only while the word still holds it
     * @param timeout how long to wait at most; {@code null} waits without limit; zero or negative
     *                only checks the value ({@link WaitResult#VALUE_CHANGED} or
     *                {@link WaitResult#TIMED_OUT}); {@code Long.MAX_VALUE / 4} nanoseconds (about 73
     *                years) or longer waits without limit
     * @return {@link WaitResult#WOKEN} (possibly spurious: re-check the word),
     *         {@link WaitResult#VALUE_CHANGED} when the word was not {@code expected},
     *         {@link WaitResult#TIMED_OUT} after at least {@code timeout}, or
     *         {@link WaitResult#INTERRUPTED} when the thread is interrupted (before or during the
     *         wait; the interrupt status stays set)
     * @throws IndexOutOfBoundsException if the word is not inside the segment
     * @throws IllegalArgumentException  if {@code offset} (or the word's address) is not a multiple of 4
     * @throws IllegalStateException     if the segment is closed, before the wait or between two
     *                                   of its slices
     * @throws SegmentFaultException     if the word is in memory another process cut off (a
     *                                   truncated POSIX object or file)
     * @throws ShmException              if the kernel refuses the wait
     */
    public static WaitResult await(Segment segment, long offset, int expected, Duration timeout) {
        Objects.requireNonNull(segment, "segment");
        long timeoutNanos = timeout == null ? Timeouts.FOREVER_NANOS : Timeouts.saturatedNanos(timeout);
        boolean forever = timeoutNanos == Timeouts.FOREVER_NANOS;
        // An untimed wait reads no clock at all: a wake-up returns straight from the system call.
        long deadline = forever ? 0 : System.nanoTime() + timeoutNanos;
        Thread self = Thread.currentThread();
        while (true) {
            MEMORY.checkAlignedReadable(segment, "await", offset, Integer.BYTES, Integer.BYTES, "a futex word");
            if (self.isInterrupted()) {
                return WaitResult.INTERRUPTED;
            }
            long slice = forever ? SLICE_NANOS : Math.max(0, Math.min(SLICE_NANOS, deadline - System.nanoTime()));
            int rc = MEMORY.futexWait(segment, "await", offset, expected, slice);
            if (rc == 0) {
                return WaitResult.WOKEN;
            }
            if (rc == -EAGAIN) {
                return WaitResult.VALUE_CHANGED;
            }
            if (rc != -ETIMEDOUT && rc != -EINTR) {
                throw MEMORY.failure(rc, "futex(offset=" + offset + ", FUTEX_WAIT, expected=" + expected + ") of " + segment);
            }
            if (self.isInterrupted()) {
                return WaitResult.INTERRUPTED;
            }
            if (!forever && System.nanoTime() - deadline >= 0) {
                return WaitResult.TIMED_OUT;
            }
        }
    }

    /**
     * Wakes at most {@code count} threads (in any process) waiting on the int at {@code offset}.
     * Change the word before waking (see {@link Futex}).
     *
     * @param segment the segment that holds the word
     * @param offset  where the word is: a multiple of 4, with 4 bytes inside the segment
     * @param count   how many to wake, at least 1; {@link Integer#MAX_VALUE} wakes all
     * @return how many were woken (0 when none was waiting)
     * @throws IllegalArgumentException  if {@code count} is less than 1, or {@code offset} is not
     *                                   a multiple of 4
     * @throws IndexOutOfBoundsException if the word is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws SegmentFaultException     if the word is in memory another process cut off
     * @throws ShmException              if the kernel refuses the wake
     */
    public static int wake(Segment segment, long offset, int count) {
        Objects.requireNonNull(segment, "segment");
        if (count < 1) {
            throw new IllegalArgumentException("wake(offset=" + offset + ", count=" + count + ") of " + segment
                    + ": count must be at least 1 (Integer.MAX_VALUE wakes all)");
        }
        int rc = MEMORY.futexWake(segment, "wake", offset, count);
        if (rc < 0) {
            throw MEMORY.failure(rc, "futex(offset=" + offset + ", FUTEX_WAKE, count=" + count + ") of " + segment);
        }
        return rc;
    }
}
