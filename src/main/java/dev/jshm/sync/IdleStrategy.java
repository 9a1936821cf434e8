package dev.jshm.sync;

/**
 * What a thread does when a poll of shared memory found nothing to do: spin, yield, sleep, or
 * block on a futex. Used in a duty-cycle loop:
 *
 * <pre>{@code
 * while (running) {
 *     int work = ring.poll(handler);   // how many items were handled
 *     idle.idle(work);                 // 0: back off a little more; > 0: start over
 * }
 * }</pre>
 *
 * <p>Thread-safety: an implementation that counts how long the thread has been idle
 * ({@link BackoffIdleStrategy}, {@link FutexIdleStrategy}) belongs to one thread; the stateless
 * ones ({@link BusySpinIdleStrategy}, {@link YieldingIdleStrategy}, {@link SleepingIdleStrategy})
 * may be shared by any number of threads.
 */
public interface IdleStrategy {

    /**
     * Called after each unit of work with how much was done. {@code workCount > 0} resets the
     * strategy and returns at once; {@code 0} means nothing was done, and the strategy idles
     * for a while (how long depends on the strategy and on how long the thread has been idle).
     *
     * @param workCount how much the last poll did: greater than 0 after work, 0 (or less) when
     *                  there was nothing to do
     */
    void idle(int workCount);

    /** Forgets how long the thread has been idle, as if work had just been done. */
    void reset();
}
