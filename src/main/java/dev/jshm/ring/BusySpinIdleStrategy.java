package dev.jshm.ring;

/** Spins with {@link Thread#onSpinWait()}: the lowest latency, a whole core. INTERIM: see {@link IdleStrategy}. */
public final class BusySpinIdleStrategy implements IdleStrategy {
    @Override
    public void idle(int workCount) {
        if (workCount <= 0) {
            Thread.onSpinWait();
        }
    }

    @Override
    public void reset() {
    }
}
