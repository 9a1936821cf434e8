package dev.jshm.sync;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Backs off in three phases while idle: spins ({@link Thread#onSpinWait()}) {@code maxSpins}
 * times, then yields {@code maxYields} times, then parks ({@link LockSupport#parkNanos}) for a
 * period that doubles from {@code minPark} up to {@code maxPark}. Any work starts over.
 * Low latency right after work, little CPU after a while of idleness.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class BackoffIdleStrategy implements IdleStrategy {

    /** Spins of {@link #BackoffIdleStrategy()} before it yields. */
    public static final int DEFAULT_MAX_SPINS = 10;
    /** Yields of {@link #BackoffIdleStrategy()} before it parks. */
    public static final int DEFAULT_MAX_YIELDS = 5;
    /** The first park of {@link #BackoffIdleStrategy()}. */
    public static final Duration DEFAULT_MIN_PARK = Duration.ofNanos(1000);
    /** The longest park of {@link #BackoffIdleStrategy()}. */
    public static final Duration DEFAULT_MAX_PARK = Duration.ofMillis(1);

    private final int maxSpins;
    private final int maxYields;
    private final long minParkNanos;
    private final long maxParkNanos;

    private int spins;
    private int yields;
    private long parkNanos;

    /** The defaults: 10 spins, 5 yields, parks of 1 µs doubling up to 1 ms. */
    public BackoffIdleStrategy() {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK, DEFAULT_MAX_PARK);
    }

    /**
     * Spins up to {@code maxSpins} times, then yields up to {@code maxYields} times, then parks
     * for {@code minPark}, doubling each time up to {@code maxPark}.
     *
     * @param maxSpins  busy spins before the first yield
     * @param maxYields yields before the first park
     * @param minPark   the first park
     * @param maxPark   the longest park
     * @throws IllegalArgumentException if a count is negative, or the parks are not
     *                                  {@code 0 < minPark <= maxPark}
     */
    public BackoffIdleStrategy(int maxSpins, int maxYields, Duration minPark, Duration maxPark) {
        if (maxSpins < 0 || maxYields < 0) {
            throw new IllegalArgumentException("maxSpins and maxYields must not be negative: maxSpins=" + maxSpins
                    + " maxYields=" + maxYields);
        }
        if (minPark.isNegative() || minPark.isZero() || maxPark.compareTo(minPark) < 0) {
            throw new IllegalArgumentException("parks must satisfy 0 < minPark <= maxPark: minPark=" + minPark
                    + " maxPark=" + maxPark);
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNanos = minPark.toNanos();
        this.maxParkNanos = maxPark.toNanos();
        reset();
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
        parkNanos = minParkNanos;
    }

    /** {@return the strategy and its parameters, for logs} */
    @Override
    public String toString() {
        return "BackoffIdleStrategy{maxSpins=" + maxSpins + ", maxYields=" + maxYields + ", minPark="
                + Duration.ofNanos(minParkNanos) + ", maxPark=" + Duration.ofNanos(maxParkNanos) + "}";
    }
}
