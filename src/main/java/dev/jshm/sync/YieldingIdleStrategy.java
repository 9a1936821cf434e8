package dev.jshm.sync;

/**
 * Yields the processor ({@link Thread#yield()}) on each idle call: low latency while letting other
 * runnable threads use the core, still a busy core when nothing else runs. Stateless, so one
 * instance may be shared by any number of threads.
 */
public final class YieldingIdleStrategy implements IdleStrategy {

    /** The strategy; it has no parameters. */
    public YieldingIdleStrategy() {
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            return;
        }
        Thread.yield();
    }

    @Override
    public void reset() {
    }

    /** {@return the strategy's name, for logs} */
    @Override
    public String toString() {
        return "YieldingIdleStrategy";
    }
}
