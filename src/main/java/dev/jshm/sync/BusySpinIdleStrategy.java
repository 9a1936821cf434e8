package dev.jshm.sync;

/**
 * Spins: {@link Thread#onSpinWait()} on each idle call. The lowest latency and a whole core
 * burned while idle; for threads pinned to their own core. Stateless, so one instance may be
 * shared by any number of threads.
 */
public final class BusySpinIdleStrategy implements IdleStrategy {

    /** The strategy; it has no parameters. */
    public BusySpinIdleStrategy() {
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            return;
        }
        Thread.onSpinWait();
    }

    @Override
    public void reset() {
    }

    /** {@return the strategy's name, for logs} */
    @Override
    public String toString() {
        return "BusySpinIdleStrategy";
    }
}
