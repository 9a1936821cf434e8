package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.LONG;


import java.nio.ByteBuffer;

/**
 * The ring's only atomic read-modify-write on shared memory (the signal block has its own, in
 * {@link dev.jshm.sync.SignalBlock}): one place to reason about what a locked instruction on memory
 * that another process may truncate does.
 */
final class SharedMemoryRmw {

    private SharedMemoryRmw() {
    }

    /** A sequentially consistent compare-and-exchange; returns the value found. */
    static long compareAndExchangeLong(ByteBuffer buffer, int index, long expected, long value) {
        return (long) LONG.compareAndExchange(buffer, index, expected, value);
    }
}
