package dev.jshm.internal;

import java.time.Duration;

/**
 * The one rule for turning a {@link Duration} timeout into nanoseconds: a negative timeout is 0
 * (try once, do not wait), and a timeout of {@link #FOREVER_NANOS} or more, including one too
 * long for a {@code long} of nanoseconds, is {@link #FOREVER_NANOS}, which every caller treats as
 * no limit. Not part of the API (the package is not exported). Thread-safe.
 */
public final class Timeouts {

    /**
     * About 73 years: a timeout this long or longer waits without limit. A quarter of
     * {@code Long.MAX_VALUE}, so a deadline {@code System.nanoTime() + timeout} of a shorter one
     * never overflows, whatever the clock's origin.
     */
    public static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

    private Timeouts() {
    }

    /**
     * {@code timeout} in nanoseconds, saturated: 0 if negative, {@link #FOREVER_NANOS} if at
     * least that long.
     *
     * @param timeout the timeout to convert
     * @return nanoseconds in [0, {@link #FOREVER_NANOS}]
     * @throws NullPointerException if {@code timeout} is null (the caller decides what null means)
     */
    public static long saturatedNanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return Math.min(timeout.toNanos(), FOREVER_NANOS);
        } catch (ArithmeticException tooLongForNanos) {
            return FOREVER_NANOS;
        }
    }
}
