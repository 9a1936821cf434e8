package dev.jshm.ring;

import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.nio.ByteBuffer;

import dev.jshm.Segment;

/**
 * A ring with any number of producer threads in any number of processes (agrona's
 * {@code ManyToOneRingBuffer}): claims race for the tail with a compare-and-swap, and the
 * winner owns the bytes between the old and the new tail.
 */
final class ManyToOneMessageRing extends AbstractMessageRing {

    ManyToOneMessageRing(Segment segment, long offset, ByteBuffer header, int capacity) {
        super(segment, offset, header, capacity);
    }

    @Override
    public ProducerMode producerMode() {
        return ProducerMode.MANY;
    }

    @Override
    long moveTail(long tail, long newTail) {
        return SharedMemoryRmw.compareAndExchangeLong(header, TAIL_OFFSET, tail, newTail);
    }
}
