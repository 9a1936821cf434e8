package dev.jshm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeoutsTest {

    @Test
    void negativeIsZero() {
        assertEquals(0, Timeouts.saturatedNanos(Duration.ofNanos(-1)));
        assertEquals(0, Timeouts.saturatedNanos(Duration.ofSeconds(Long.MIN_VALUE)));
        assertEquals(0, Timeouts.saturatedNanos(Duration.ZERO));
    }

    @Test
    void anOrdinaryTimeoutIsItsNanoseconds() {
        assertEquals(1_500_000_000L, Timeouts.saturatedNanos(Duration.ofMillis(1500)));
        assertEquals(Timeouts.FOREVER_NANOS - 1, Timeouts.saturatedNanos(Duration.ofNanos(Timeouts.FOREVER_NANOS - 1)));
    }

    @Test
    void longOrOverflowingTimeoutsAreForever() {
        assertEquals(Timeouts.FOREVER_NANOS, Timeouts.saturatedNanos(Duration.ofNanos(Timeouts.FOREVER_NANOS)));
        assertEquals(Timeouts.FOREVER_NANOS, Timeouts.saturatedNanos(Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals(Timeouts.FOREVER_NANOS, Timeouts.saturatedNanos(Duration.ofSeconds(Long.MAX_VALUE)));
        // A deadline on nanoTime from the longest finite timeout cannot overflow.
        assertEquals(true, Long.MAX_VALUE - Timeouts.FOREVER_NANOS > Long.MAX_VALUE / 2);
    }

    @Test
    void nullIsTheCallersToDecide() {
        assertThrows(NullPointerException.class, () -> Timeouts.saturatedNanos(null));
    }
}
