package dev.jshm.ring;

/** How many producers a ring has: fixed when it is created, recorded in its header. */
public enum ProducerMode {
    /**
     * One producer thread at a time, in one process (agrona's one-to-one ring): claims move the
     * tail with a plain release store. Two concurrent producers corrupt the ring.
     */
    SINGLE,
    /**
     * Any number of producer threads in any number of processes (agrona's many-to-one ring):
     * claims move the tail with a compare-and-swap.
     */
    MANY
}
