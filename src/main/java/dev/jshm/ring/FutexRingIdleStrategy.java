package dev.jshm.ring;

import java.time.Duration;
import java.util.Objects;

/**
 * The idle strategy of a blocking ring consumer: spins a little, yields a little, then sleeps
 * in {@link MessageRing#await(Duration)} on the ring's futex word until a producer commits and
 * wakes it. Costs no processor while the ring is empty; a wake-up costs a system call on both
 * sides (producers make it only while a consumer waits).
 *
 * <p>For the consumer thread of one ring; not thread-safe.
 */
public final class FutexRingIdleStrategy implements IdleStrategy {

    private final MessageRing ring;
    private final int spins;
    private final int yields;
    private final Duration maxWait;
    private int idleSteps;

    /** 100 spins, 10 yields, then waits of at most 100 ms (re-checked: a wait is never lost). */
    public FutexRingIdleStrategy(MessageRing ring) {
        this(ring, 100, 10, Duration.ofMillis(100));
    }

    /**
     * @param spins   idle steps that spin before the first yield
     * @param yields  idle steps that yield before the first wait
     * @param maxWait the longest single wait (the loop then polls, and waits again)
     */
    public FutexRingIdleStrategy(MessageRing ring, int spins, int yields, Duration maxWait) {
        this.ring = Objects.requireNonNull(ring, "ring");
        if (spins < 0 || yields < 0 || maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("spins=" + spins + " yields=" + yields + " maxWait=" + maxWait
                    + ": counts must not be negative and the wait must be positive");
        }
        this.spins = spins;
        this.yields = yields;
        this.maxWait = maxWait;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            idleSteps = 0;
            return;
        }
        if (idleSteps < spins) {
            idleSteps++;
            Thread.onSpinWait();
        } else if (idleSteps < spins + yields) {
            idleSteps++;
            Thread.yield();
        } else {
            ring.await(maxWait);
        }
    }

    @Override
    public void reset() {
        idleSteps = 0;
    }
}
