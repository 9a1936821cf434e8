package dev.jshm.ring;

/**
 * What a polling loop does when it found no work (agrona's {@code IdleStrategy}).
 *
 * <p>INTERIM: the same interface as {@code dev.jshm.IdleStrategy} on branch {@code sync}; this
 * file and the three plain strategies beside it go when that branch is merged, so that the
 * project has one idle-strategy hierarchy.
 */
public interface IdleStrategy {

    /**
     * Called after each unit of work with what it did: {@code workCount > 0} resets the
     * strategy, 0 idles one step.
     */
    void idle(int workCount);

    /** Starts the strategy over (after work was found elsewhere). */
    void reset();
}
