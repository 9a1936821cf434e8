package dev.jshm.ring;

import java.util.concurrent.locks.LockSupport;

/** Parks for a fixed time ({@link LockSupport#parkNanos(long)}) when idle. INTERIM: see {@link IdleStrategy}. */
public final class SleepingIdleStrategy implements IdleStrategy {
    private final long parkNanos;

    /** Parks {@code parkNanos} per idle step. */
    public SleepingIdleStrategy(long parkNanos) {
        if (parkNanos <= 0) {
            throw new IllegalArgumentException("parkNanos " + parkNanos + " must be positive");
        }
        this.parkNanos = parkNanos;
    }

    @Override
    public void idle(int workCount) {
        if (workCount <= 0) {
            LockSupport.parkNanos(parkNanos);
        }
    }

    @Override
    public void reset() {
    }
}
