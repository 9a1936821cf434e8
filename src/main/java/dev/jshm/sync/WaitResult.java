package dev.jshm.sync;

/** How {@link Futex#await} ended. */
public enum WaitResult {
    /**
     * A {@link Futex#wake} reached this waiter, or the wake-up was spurious: the kernel may end a
     * wait without a wake. Either way the word may or may not have changed: re-check it.
     */
    WOKEN,
    /** The word did not hold the expected value when the wait began (or between two of its slices); no wait happened. */
    VALUE_CHANGED,
    /** The timeout passed without a wake. */
    TIMED_OUT,
    /** The waiting thread was interrupted; its interrupt status is still set. */
    INTERRUPTED
}
