package dev.jshm.ring;

import static dev.jshm.ring.RecordDescriptor.ALIGNMENT;
import static dev.jshm.ring.RecordDescriptor.HEADER_LENGTH;
import static dev.jshm.ring.RecordDescriptor.PADDING_TYPE;
import static dev.jshm.ring.RecordDescriptor.align;
import static dev.jshm.ring.RecordDescriptor.isAligned;
import static dev.jshm.ring.RecordDescriptor.payloadIndex;
import static dev.jshm.ring.RecordDescriptor.typeIndex;
import static dev.jshm.ring.RingDescriptor.HEAD_OFFSET;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.time.Duration;

import dev.jshm.SegmentFaultException;
import dev.jshm.internal.BufferViews;
import dev.jshm.internal.Timeouts;
import dev.jshm.sync.SignalBlock;

/**
 * The consumer's side of a ring: poll, drain, unblock and await, and the consumer's own state.
 * One consumer thread. Every value read from shared memory is checked before it becomes an
 * index: the head must be 8-aligned (its masked index is then a record header inside the area),
 * a committed length must fit in the room left before the end of the area, and a claim's length
 * too ({@link RingUnblocker} checks what it steps over in the same way). Each
 * operation checks the ring's backing after its accesses ({@link AbstractMessageRing#checkBacked}),
 * and {@link AbstractMessageRing#corrupt} before it reports a corrupt value.
 */
final class RingConsumer {

    private static final byte[] ZEROS = new byte[4096];
    /**
     * Polls between two automatic unblock checks, made by a poll that found nothing (each reads
     * the producers' cache line); a multiple of {@link RingHeartbeats#IDLE_BEAT_INTERVAL}.
     */
    private static final int UNBLOCK_CHECK_INTERVAL = RingHeartbeats.IDLE_BEAT_INTERVAL;
    /**
     * One pause per 256 claimed bytes before a claimed head is read again, at most 32; see
     * {@link #pauseForClaim}. {@code JSHM_RING_CLAIM_PAUSE_SHIFT} and
     * {@code JSHM_RING_CLAIM_PAUSES_MAX} in {@code jshm_ring.h}.
     */
    static final int CLAIM_PAUSE_SHIFT = 8;
    static final int CLAIM_PAUSES_MAX = 32;
    /**
     * Many producers: a poll zeroes what it consumed in steps of at least this many bytes as it
     * goes, not all at the end; see {@link #poll(MessageHandler, int, String, long, int, int, int)}.
     * {@code JSHM_RING_ZERO_STEP} in {@code jshm_ring.h}.
     */
    static final int ZERO_STEP = 2048;

    private final AbstractMessageRing ring;
    private final ByteBuffer records;
    /**
     * The ring's typed views ({@link AbstractMessageRing#headerLongs}): every read of the head,
     * of a record's length and type, and the head's store go through them, in less compiled code
     * than through the byte views. Every index is 8-aligned when it is used (the head is checked).
     */
    private final LongBuffer headerLongs;
    private final IntBuffer recordInts;
    /** The record area, read-only, for handlers. */
    private final ByteBuffer readView;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final SignalBlock signal;
    /**
     * Many producers: free space must be zero (see {@link ManyToOneMessageRing}), so the consumer
     * zeroes what it consumed. The single producer clears the header after its claims instead.
     */
    private final boolean zeroConsumed;

    private long autoUnblockMillis = -1;
    /**
     * Polls so far: every {@link RingHeartbeats#BEAT_INTERVAL}th one that finds a message beats,
     * and every {@link RingHeartbeats#IDLE_BEAT_INTERVAL}th that finds nothing.
     */
    private int polls;
    private final RingUnblocker unblocker;

    RingConsumer(AbstractMessageRing ring) {
        this.ring = ring;
        this.records = ring.records;
        this.headerLongs = ring.headerLongs;
        this.recordInts = ring.recordInts;
        this.readView = records.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecordLength = HEADER_LENGTH + ring.maxMessageLength;
        this.signal = ring.signal;
        this.zeroConsumed = ring.producerMode() == ProducerMode.MANY;
        this.unblocker = new RingUnblocker(ring);
    }

    /**
     * The two common polls first, in code small enough for the JIT to inline into the caller's
     * loop: a consumer that keeps up spends most of its polls finding nothing, and the sooner it
     * looks again, the sooner it sees the next message; when one comes, it usually comes alone.
     * A length of 0 at an aligned head is no record at all. A committed message at the head
     * (checked as the full poll checks it) goes to the handler here, and the poll ends unless
     * the limit allows more and the next record is committed too. Anything else (padding, a
     * claim, a corrupt header, an odd head, a heartbeat due) takes the full poll, with what was
     * read. In one thread (RingCpuBench, one run of each build, two forks each), handing the
     * message over here took an offer and poll of 32 bytes from 22.8-24.9 ns to 16.8-18.0 ns, and
     * a zero-copy claim, commit and poll from 25.1 ns to 20.3-21.5 ns.
     */
    int poll(MessageHandler handler, int limit) {
        long head = headerLongs.get(HEAD_OFFSET >>> 3);
        if (!isAligned(head)) {
            return poll(handler, limit, "poll", head, 0); // reports it
        }
        int headIndex = (int) head & mask;
        int length = lengthAcquire(headIndex);
        if (length == 0) {
            if ((polls++ & (RingHeartbeats.IDLE_BEAT_INTERVAL - 1)) == 0) {
                pollsDue();
            }
            ring.checkBacked("poll"); // the 0 may have been read from a zero page
            return 0;
        }
        int type = type(headIndex);
        if (type < 1 || length > maxRecordLength || !RecordDescriptor.committedLengthOk(length, capacity - headIndex)
                || limit < 1 || (polls & (RingHeartbeats.BEAT_INTERVAL - 1)) == 0) {
            return poll(handler, limit, "poll", head, length);
        }
        polls++;
        int aligned = align(length);
        try {
            readView.clear();
            handler.onMessage(type, readView, payloadIndex(headIndex), length - HEADER_LENGTH);
        } catch (Throwable e) {
            consumed(head, head + aligned, 0, "poll");
            throw e;
        }
        if (limit > 1 && aligned < capacity - headIndex && lengthAcquire(headIndex + aligned) > 0) {
            // More to hand over: the full poll goes on after this message, and moves the head
            // once for all of them.
            return poll(handler, limit, "poll", head, length, aligned, 1);
        }
        consumed(head, head + aligned, 0, "poll");
        return 1;
    }

    /**
     * Moves the head from {@code head} to {@code next} past what a poll read (with many
     * producers, zeroed first from {@code zeroed} bytes after the head: the poll zeroed those
     * before), and checks the ring's backing: whether the poll returns or its handler threw, what
     * the handler was given, and the head, came from the object, or the truncation is reported
     * (it then replaces the handler's exception, which may have come from reading zeros).
     */
    private void consumed(long head, long next, int zeroed, String operation) {
        if (zeroConsumed) {
            zero(((int) head & mask) + zeroed, (int) (next - head) - zeroed);
        }
        // Release: the handler's reads and the zeroes above come before a producer that reads
        // this head (acquire) reuses the space.
        BufferViews.putLongRelease(headerLongs, HEAD_OFFSET >>> 3, next);
        ring.checkBacked(operation);
    }

    /**
     * Every {@link RingHeartbeats#IDLE_BEAT_INTERVAL}th poll, when it found nothing: a heartbeat,
     * and every {@link #UNBLOCK_CHECK_INTERVAL}th the automatic unblock check. Out of line.
     */
    private void pollsDue() {
        ring.heartbeats.consumerIfNewMillis();
        if (unblockCheckDue()) {
            unblockAfterMillis(autoUnblockMillis);
        }
    }

    /** For a poll that found nothing: whether automatic unblocking is on and this poll checks. */
    private boolean unblockCheckDue() {
        return autoUnblockMillis >= 0 && ((polls - 1) & (UNBLOCK_CHECK_INTERVAL - 1)) == 0;
    }

    /**
     * The full poll, for a head and the length there that the caller read (acquire), so that a
     * poll that finds a message reads neither twice.
     *
     * @param operation  the caller's method, for reports
     * @param firstLength the length at the head, unless the head is odd
     */
    private int poll(MessageHandler handler, int limit, String operation, long head, int firstLength) {
        return poll(handler, limit, operation, head, firstLength, 0, 0);
    }

    /**
     * The full poll, going on after the {@code readBefore} bytes ({@code countBefore} messages)
     * from {@code head} that the caller handed over without moving the head.
     */
    private int poll(MessageHandler handler, int limit, String operation, long head, int firstLength, int readBefore,
            int countBefore) {
        boolean due = (polls++ & (RingHeartbeats.BEAT_INTERVAL - 1)) == 0;
        if (due) {
            ring.heartbeats.consumerIfNewMillis();
        }
        if (!isAligned(head)) {
            throw notAligned(operation, head);
        }
        int headIndex = (int) head & mask;
        int contiguous = capacity - headIndex;
        int read = readBefore;
        int count = countBefore;
        int zeroed = 0;
        try {
            // No lookahead: where a record's header lies follows from the length before it, so a
            // consumer behind its producer fetches one header's line at a time; jshm_ring_poll
            // prefetches the line a few records ahead (JSHM_RING_LOOKAHEAD_RECORDS). Java has no
            // prefetch. The nearest thing, a plain load of that line whose value went to a field,
            // helped on an Intel Xeon (two producers of 256 bytes 1.6-1.8 times Agrona's rate,
            // 1.0 without; zero-copy 4 KiB 8.6-9.0 times, 4.4-4.5 without) and hurt on an AMD EPYC
            // (interleaved pairs of runs, × Agrona with the load and without: a many-producer ring
            // fed by one process, 256 bytes, 0.49-0.62 against 0.81-0.89 in four pairs; two
            // producer processes 0.53 and 0.86 against 0.85 and 0.91; one producer of 256 bytes
            // 0.71 and 0.96 against 0.98 and 0.98, zero-copy 1.11 and 1.23 against 1.27 and
            // 1.32). A load, unlike a prefetch, holds up retirement until its line comes, and takes
            // a line the producer is still writing. Without it the Xeon's rates still met their
            // targets.
            while (read < contiguous && count < limit) {
                int recordIndex = headIndex + read;
                // Acquire (the caller's load, for the first): pairs with the producer's release
                // store of the length at commit, so the type and payload written before it are
                // visible.
                int length = read == 0 ? firstLength : lengthAcquire(recordIndex);
                if (length <= 0) {
                    if (length < 0 && read == 0) {
                        // A claim at the head: see pauseForClaim. The first pause stays here and
                        // the others out of line: with one loop for all of them, 32-byte copying
                        // rounds (one pause either way) ran slow more often (4 of 9 against 0 of 9).
                        Thread.onSpinWait();
                        if (length <= -(1 << CLAIM_PAUSE_SHIFT)) {
                            pauseForClaim(length);
                        }
                    }
                    break;
                }
                if (!RecordDescriptor.committedLengthOk(length, contiguous - read)) {
                    throw ring.corrupt(operation, "record length", head + read, length, "outside [" + HEADER_LENGTH + ", "
                            + (contiguous - read) + "] (a header, and no further than the end of the record area)");
                }
                int type = type(recordIndex);
                if (type == PADDING_TYPE) {
                    read += align(length);
                    continue;
                }
                if (type < 1 || length > maxRecordLength) {
                    throw ring.corrupt(operation, type < 1 ? "record type" : "record length", head + read, type < 1 ? type : length,
                            "not a message (type >= 1 and at most " + (maxRecordLength - HEADER_LENGTH) + " bytes) nor padding");
                }
                read += align(length);
                count++;
                readView.clear();
                handler.onMessage(type, readView, payloadIndex(recordIndex), length - HEADER_LENGTH);
                if (zeroConsumed && read - zeroed >= ZERO_STEP) {
                    // Many producers: zero the records handled so far while their lines are at
                    // hand, rather than all of a long batch at the end (consumed). The head moves
                    // only at the end of the poll, after all the zeroes. Two producers of
                    // 256-byte messages, × Agrona in two interleaved runs: 1.06 and 0.95 this way,
                    // 0.81 and 0.76 zeroing at the end; one producer process on a many-producer
                    // ring, against steps of 1 KiB and 4 KiB (three runs): 0.85-0.91 with 2 KiB,
                    // 0.33-0.61 with 1 KiB, 0.72-0.77 with 4 KiB, 0.55-0.85 at the end.
                    zero(headIndex + zeroed, read - zeroed);
                    zeroed = read;
                }
            }
        } finally {
            if (read > 0) {
                consumed(head, head + read, zeroed, operation);
            } else {
                ring.checkBacked(operation);
            }
        }
        // Found nothing (a claim at the head): the automatic unblock check, when due.
        if (count == 0 && read == 0 && unblockCheckDue()) {
            unblockAfterMillis(autoUnblockMillis);
            ring.checkBacked(operation);
        }
        return count;
    }

    /**
     * A claim at the head: its producer is writing this record now, from this cache line on.
     * Each read of a line the producer is writing takes it from the producer's stores: its next
     * store there waits for the line to come back, and the stores after it wait behind that one.
     * A consumer that keeps up and looks again at once does so several times a record, so it
     * pauses first, in proportion to what the claim has to write: one pause per
     * {@code 1 << CLAIM_PAUSE_SHIFT} bytes, at least one, at most {@link #CLAIM_PAUSES_MAX}, which
     * also bounds the wait whatever a corrupt header says. A pause takes about 10 ns on the
     * benchmark machine (longer on some CPUs, where the record is seen later, never lost), so a
     * 4 KiB claim waits about 170 ns, about what a copying producer needed per 4 KiB message when
     * no consumer read its lines; a commit that comes during the wait is seen at its end. Against
     * one pause for every claim, in three interleaved pairs of runs, a copying producer of 4 KiB
     * messages went from 1.14 to 1.51 times Agrona's rate to 1.55 to 1.59 times, 32-byte messages
     * (one pause either way) stayed at 1.2 times, and the round trips did not move; twice as many
     * pauses made 4 KiB copies faster still (1.8 times) but would see a commit up to 330 ns late.
     */
    private static void pauseForClaim(int claimLength) {
        // The pauses after the first, which the caller made. -claimLength is the claim's length,
        // or Integer.MIN_VALUE from a corrupt header, which the unsigned shift keeps positive and
        // the cap bounds.
        int more = Math.min(CLAIM_PAUSES_MAX - 1, (-claimLength) >>> CLAIM_PAUSE_SHIFT);
        for (int i = 0; i < more; i++) {
            Thread.onSpinWait();
        }
    }

    int drain(MessageHandler handler) {
        int total = 0;
        int n;
        do {
            long head = head("drain");
            n = poll(handler, Integer.MAX_VALUE, "drain", head, lengthAcquire((int) head & mask));
            total += n;
        } while (n > 0 || recordReady("drain"));
        return total;
    }

    /** The head, which only this consumer writes; refused unless 8-aligned. */
    private long head(String operation) {
        long head = headerLongs.get(HEAD_OFFSET >>> 3);
        if (!isAligned(head)) {
            throw notAligned(operation, head);
        }
        return head;
    }

    private RingCorruptedException notAligned(String operation, long head) {
        return ring.corrupt(operation, "head", head, head, "not a multiple of " + ALIGNMENT);
    }

    /**
     * The length of the record at the 8-aligned {@code recordIndex}, with acquire: it pairs with
     * the producer's release store of the length at commit, so that the type and payload written
     * before it are visible ({@link BufferViews#getIntAcquire}).
     */
    private int lengthAcquire(int recordIndex) {
        return BufferViews.getIntAcquire(recordInts, recordIndex >>> 2);
    }

    /** The type of the record at the 8-aligned {@code recordIndex}, after its length (acquire). */
    private int type(int recordIndex) {
        return recordInts.get(typeIndex(recordIndex) >>> 2);
    }

    private void zero(int index, int length) {
        for (int done = 0; done < length; done += ZEROS.length) {
            records.put(index + done, ZEROS, 0, Math.min(ZEROS.length, length - done));
        }
    }

    /** Whether the record at the head is committed (a message or padding): a poll would make progress. */
    private boolean recordReady(String operation) {
        boolean ready = lengthAcquire((int) head(operation) & mask) > 0;
        ring.checkBacked(operation);
        return ready;
    }

    void unblockAfter(Duration timeout) {
        autoUnblockMillis = timeout == null ? -1 : RingUnblocker.checkTimeout(timeout);
    }

    boolean unblock(Duration timeout) {
        boolean unblocked = unblockAfterMillis(RingUnblocker.checkTimeout(timeout));
        ring.checkBacked("unblock");
        return unblocked;
    }

    private boolean unblockAfterMillis(long timeoutMillis) {
        return unblocker.unblock(head("unblock"), timeoutMillis);
    }

    /**
     * The consumer's half of the {@link SignalBlock} protocol: read the word, announce (a full
     * fence), look at the ring (acquire load of the length at the head), sleep only while the word
     * still holds what was read. A producer that commits after the look sees the announcement
     * and changes the word. Nothing to undo at the end: the producer clears the announcement.
     */
    boolean await(Duration timeout) {
        long timeoutNanos = Timeouts.saturatedNanos(timeout);
        boolean forever = timeoutNanos == Timeouts.FOREVER_NANOS;
        long deadline = System.nanoTime() + (forever ? 0 : timeoutNanos);
        while (true) {
            // Each look checks the ring's backing: a ring cut off reads as empty, and a sleep on a
            // word that is no longer shared would last until the timeout.
            if (recordReady("await")) {
                return true; // no announcement when there is no need to sleep
            }
            int seen;
            try {
                seen = signal.word();
                signal.announce();
            } catch (SegmentFaultException e) {
                throw ring.asRing("await", e);
            }
            if (recordReady("await")) {
                return true;
            }
            long remaining = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            try {
                signal.await(seen, forever ? null : Duration.ofNanos(remaining));
            } catch (SegmentFaultException e) {
                throw ring.asRing("await", e);
            }
        }
    }
}
