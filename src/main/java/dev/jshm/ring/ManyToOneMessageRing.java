package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.LONG;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import dev.jshm.Segment;

/**
 * A ring with any number of producer threads in any number of processes (agrona's
 * {@code ManyToOneRingBuffer}): claims race for the tail with a compare-and-swap, and the
 * winner owns the bytes between the old and the new tail. Free space is zero (the consumer
 * zeroes what it consumed), so a claim whose producer died before its claim mark reads 0 up to
 * the next record, which is how unblocking finds where it ends.
 */
final class ManyToOneMessageRing extends AbstractMessageRing {

    ManyToOneMessageRing(Segment segment, long offset, ByteBuffer header, int capacity) {
        super(segment, offset, header, capacity);
    }

    @Override
    public ProducerMode producerMode() {
        return ProducerMode.MANY;
    }

    /**
     * The space is this producer's only once its compare-and-swap moved the tail, so the padding
     * and the claim mark come after it. Release on the mark (after the padding), and a release
     * fence after it: the caller's writes of the message come after the mark.
     */
    @Override
    long takeSpace(long tail, int tailIndex, int padding, int start, int required, long claimHeader) {
        long witness = SharedMemoryRmw.compareAndExchangeLong(header, TAIL_OFFSET, tail, tail + padding + required);
        if (witness == tail) {
            if (padding != 0) {
                putRecordHeader(tailIndex, padding, PADDING_TYPE);
            }
            LONG.setRelease(records, start, claimHeader);
            VarHandle.releaseFence();
        }
        return witness;
    }

    @Override
    int endMarkLength() {
        return 0;
    }
}
