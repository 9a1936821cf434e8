package dev.jshm.ring;

import java.util.concurrent.locks.LockSupport;

import dev.jshm.Segment;

/**
 * THE FUTEX PLUG POINT: the one place where the ring sleeps on and wakes its futex word.
 *
 * <p>Interim implementation until {@code dev.jshm.Futex} (branch {@code sync}) is merged: Java
 * cannot make the futex system call without it, so {@link #await} parks briefly and returns
 * (the caller re-checks the ring and waits again) and {@link #wake} has nothing to do. C
 * producers already wake with the real system call, so blocked C consumers sleep for real. When
 * {@code Futex} is merged, {@code await} becomes {@code Futex.await(segment, offset, expected,
 * timeout)} and {@code wake} becomes {@code Futex.wake(segment, offset, Integer.MAX_VALUE)}.
 */
final class RingFutex {

    /** How long the interim await parks at most before the caller looks at the ring again. */
    private static final long INTERIM_PARK_NANOS = 50_000;

    private RingFutex() {
    }

    /**
     * Sleeps while the int at {@code offset} of {@code segment} holds {@code expected}, at most
     * {@code timeoutNanos}; may return early for any reason (the caller re-checks).
     */
    static void await(Segment segment, long offset, int expected, long timeoutNanos) {
        if (segment.getInt(offset) == expected) {
            LockSupport.parkNanos(Math.min(timeoutNanos, INTERIM_PARK_NANOS));
        }
    }

    /** Wakes every process sleeping on the int at {@code offset} of {@code segment}. */
    static void wake(Segment segment, long offset) {
        // Interim: sleepers wake by themselves within INTERIM_PARK_NANOS.
    }
}
