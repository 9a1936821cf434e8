package dev.jshm.sync;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Sleeps for a fixed period ({@link LockSupport#parkNanos}) on each idle call: little CPU while
 * idle, latency up to the period (plus the timer slack of the system, around 50 µs on Linux).
 * Like {@code parkNanos}, it returns at once while the thread's interrupt status is set (the
 * caller's loop should check it). Stateless, so one instance may be shared by any number of threads.
 */
public final class SleepingIdleStrategy implements IdleStrategy {

    /** The period of {@link #SleepingIdleStrategy()}: 1 µs, which the system rounds up. */
    public static final Duration DEFAULT_PERIOD = Duration.ofNanos(1000);

    private final long periodNanos;

    /** Sleeps {@link #DEFAULT_PERIOD}. */
    public SleepingIdleStrategy() {
        this(DEFAULT_PERIOD);
    }

    /**
     * Sleeps {@code period} on each idle call.
     *
     * @param period how long each idle call parks; the system rounds it up to its timer's resolution
     * @throws IllegalArgumentException if {@code period} is not positive
     */
    public SleepingIdleStrategy(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("SleepingIdleStrategy period must be positive: " + period);
        }
        this.periodNanos = period.toNanos();
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            return;
        }
        LockSupport.parkNanos(periodNanos);
    }

    @Override
    public void reset() {
    }

    /** {@return the strategy and its period, for logs} */
    @Override
    public String toString() {
        return "SleepingIdleStrategy{period=" + Duration.ofNanos(periodNanos) + "}";
    }
}
