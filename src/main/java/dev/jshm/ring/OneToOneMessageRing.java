package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RingDescriptor.TAIL_OFFSET;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import dev.jshm.Segment;

/**
 * A ring with one producer thread at a time (agrona's {@code OneToOneRingBuffer}): the producer
 * owns the tail and all free space, so a claim moves the tail with a plain release store. Two
 * concurrent producers corrupt the ring.
 *
 * <p>The consumer does not zero what it consumed: old records stay in free space, which the
 * consumer never reads, because the producer clears the header after each claim before the tail
 * passes it, and a poll stops at that cleared header. The consumer's caches then hold the record
 * lines read-only, and a producer coming round again takes them without fetching zeroes back.
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
     * Everything of this claim that a consumer may read is written before the tail moves: the
     * header after the claim cleared, the claim's header (its mark and type), and the padding's
     * own claim mark. A producer that dies at any point thus leaves either no claim (the tail did
     * not move; the next producer writes over these bytes, which nobody reads) or one whose first
     * header says how far it goes, which unblocking needs now that free space is not zero.
     *
     * <p>Plain stores, a release fence, then the tail in a plain store: together a release store of
     * the tail, in the form that spares the compiled claim the alignment check of an atomic mode
     * (the header's address is checked 8-aligned when the ring is created or attached). An
     * unblocking consumer reads the tail with acquire and then sees the marks; the next producer
     * (another thread, or another process after this one died) reads the tail and then executes
     * an acquire fence ({@link RingProducer}'s claim), which pairs with this fence. Aligned long
     * stores to direct memory are single-copy atomic on 64-bit platforms in every mode; the
     * commit's release store and the acquire fence that begins the next claim keep the JIT from
     * sinking this store out of a caller's loop. The same fence orders the claim mark before the
     * caller's writes of the message, as {@link AbstractMessageRing#takeSpace} promises.
     * A polling consumer never reads the tail; it sees the cleared header after this claim
     * through the release store of the claim's commit (or of the padding's length below), which
     * it reads with acquire before it reads on.
     */
    @Override
    long takeSpace(long tail, int tailIndex, int padding, int start, int required, long claimHeader) {
        // Plain stores through the typed views (AbstractMessageRing#recordLongs): both indexes
        // are 8-aligned, the start and the claim's length being multiples of 8.
        recordLongs.put(((start + required) & mask) >>> 3, 0L);
        recordLongs.put(start >>> 3, claimHeader);
        if (padding != 0) {
            INT.set(records, tailIndex, -padding);
        }
        VarHandle.releaseFence();
        headerLongs.put(TAIL_OFFSET >>> 3, tail + padding + required);
        if (padding != 0) {
            putRecordHeader(tailIndex, padding, PADDING_TYPE);
        }
        return tail;
    }

    /** The cleared header after each claim: the ring holds at most {@code capacity - 8} bytes. */
    @Override
    int endMarkLength() {
        return HEADER_LENGTH;
    }
}
