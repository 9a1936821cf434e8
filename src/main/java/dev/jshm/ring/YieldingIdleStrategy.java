package dev.jshm.ring;

/** Yields the processor ({@link Thread#yield()}) when idle. INTERIM: see {@link IdleStrategy}. */
public final class YieldingIdleStrategy implements IdleStrategy {
    @Override
    public void idle(int workCount) {
        if (workCount <= 0) {
            Thread.yield();
        }
    }

    @Override
    public void reset() {
    }
}
