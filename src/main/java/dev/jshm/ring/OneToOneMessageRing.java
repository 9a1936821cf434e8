package dev.jshm.ring;

import static dev.jshm.ring.RingDescriptor.LONG;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.nio.ByteBuffer;

import dev.jshm.Segment;

/**
 * A ring with one producer thread at a time (agrona's {@code OneToOneRingBuffer}): the producer
 * owns the tail, so a claim moves it with a plain release store. Two concurrent producers
 * corrupt the ring.
 */
final class OneToOneMessageRing extends AbstractMessageRing {

    OneToOneMessageRing(Segment segment, long offset, ByteBuffer header, int capacity) {
        super(segment, offset, header, capacity);
    }

    @Override
    public ProducerMode producerMode() {
        return ProducerMode.SINGLE;
    }

    /**
     * Release: the padding header written after it is ordered by its own release store; the
     * consumer never reads the tail on its hot path, only records' lengths.
     */
    @Override
    long moveTail(long tail, long newTail) {
        LONG.setRelease(header, TAIL_OFFSET, newTail);
        return tail;
    }
}
