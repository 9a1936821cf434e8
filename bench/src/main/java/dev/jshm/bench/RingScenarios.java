package dev.jshm.bench;

import static dev.jshm.bench.CrossProcess.CONTROL;
import static dev.jshm.bench.CrossProcess.LONGS;
import static dev.jshm.bench.CrossProcess.READY;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.HdrHistogram.Histogram;

import dev.jshm.PosixSegment;
import dev.jshm.ring.MessageHandler;
import dev.jshm.ring.MessageRing;
import dev.jshm.ring.ProducerMode;
import dev.jshm.sync.IdleStrategy;

/**
 * The two-process ways of jshm's {@link MessageRing}, for {@link CrossProcess}: round trips and
 * one-way throughput, copying ({@code offer} from a {@code byte[]}) or zero-copy ({@code claim},
 * write in place, {@code commit}; the consumer reads in place), spinning or with the ring's
 * futex idle strategy, and many producers (two child processes) into one consumer.
 *
 * <p>The copying ways write each message as AgronaScenarios' do: the sequence number as one
 * 8-byte store at the message's start, then {@code offer} copies the whole message. A 1-byte
 * store there is not the same work: {@code offer}'s first 8-byte read of the array covers the
 * store while it may still wait in the store buffer, which cannot forward it (on an AMD EPYC
 * host, ten alternated pairs of runs of 32-byte throughput: a median 0.92 of Agrona's rate with
 * the 1-byte store, 1.04 with the 8-byte store).
 *
 * <p>The zero-copy round trip passes a message of the given size each way without copying its
 * bytes: the echo side reads the sequence number in place and claims, stamps and commits a
 * message of the same length on the other ring.
 */
final class RingScenarios {

    static final int RTT_RING = 64 * 1024;
    static final int THROUGHPUT_RING = 1024 * 1024;

    /** The 8-byte store of the sequence number into a copying way's message. */
    private static final VarHandle MESSAGE_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());

    private RingScenarios() {
    }

    /** Where ring {@code index} starts: after the control page, 4 KiB aligned. */
    static long ringOffset(int capacity, int index) {
        long span = (MessageRing.requiredSize(capacity) + 4095) / 4096 * 4096;
        return CONTROL + index * span;
    }

    /**
     * The spinning ways spin bare, as AgronaScenarios' loops and baseline.c's do, so that the
     * rings are compared and not the idle strategies: {@code BusySpinIdleStrategy} executes
     * {@code Thread.onSpinWait()} (x86 {@code pause}, up to ~140 cycles) on each empty poll,
     * which delays the sight of a message that arrives during it.
     */
    private static IdleStrategy idle(MessageRing ring, boolean futex) {
        return futex ? ring.futexIdleStrategy() : BARE_SPIN;
    }

    private static final IdleStrategy BARE_SPIN = new IdleStrategy() {
        @Override
        public void idle(int workCount) {
            // poll again at once
        }

        @Override
        public void reset() {
        }
    };

    // ---- round trips -----------------------------------------------------------------------------

    static Histogram roundTrip(long warm, long n, int size, boolean futex, boolean zeroCopy) throws Exception {
        String name = "/" + DevShm.uniqueName("ring-rtt");
        try (PosixSegment segment = PosixSegment.create(name, ringOffset(RTT_RING, 2))) {
            MessageRing ping = MessageRing.create(segment, ringOffset(RTT_RING, 0), RTT_RING, ProducerMode.SINGLE);
            MessageRing pong = MessageRing.create(segment, ringOffset(RTT_RING, 1), RTT_RING, ProducerMode.SINGLE);
            ByteBuffer view = segment.asByteBuffer(0, CONTROL);
            Process child = CrossProcess.spawn("ring-rtt", name, Long.toString(warm + n), Boolean.toString(futex),
                    Boolean.toString(zeroCopy));
            CrossProcess.awaitReady(view, child);
            segment.unlink();
            byte[] message = new byte[size];
            IdleStrategy idle = idle(pong, futex);
            Counter received = new Counter();
            Histogram h = CrossProcess.histogram();
            ByteBuffer buffer = ping.buffer();
            for (long i = 0; i < warm + n; i++) {
                long t = System.nanoTime();
                if (zeroCopy) {
                    int index;
                    while ((index = ping.claim(1, size)) < 0) {
                        // full: spin
                    }
                    buffer.putLong(index, i);
                    ping.commit(index);
                } else {
                    MESSAGE_LONGS.set(message, 0, i);
                    while (!ping.offer(1, message, 0, size)) {
                        // full: spin
                    }
                }
                int got;
                while ((got = pong.poll(received, 1)) == 0) {
                    idle.idle(0);
                }
                idle.idle(got);
                long rtt = System.nanoTime() - t;
                if (i >= warm) {
                    h.recordValue(rtt);
                }
            }
            CrossProcess.finish(child);
            return h;
        }
    }

    /**
     * The round trip of jshm's record protocol without its checks ({@link UncheckedRing}): the
     * same two rings, formatted by {@link MessageRing#create}, the same 32-byte messages and the
     * same bare spin as the copying way, so that the two differ by what {@link MessageRing} adds
     * alone.
     */
    static Histogram roundTripUnchecked(long warm, long n) throws Exception {
        String name = "/" + DevShm.uniqueName("ring-rtt-unchecked");
        try (PosixSegment segment = PosixSegment.create(name, ringOffset(RTT_RING, 2))) {
            MessageRing.create(segment, ringOffset(RTT_RING, 0), RTT_RING, ProducerMode.SINGLE);
            MessageRing.create(segment, ringOffset(RTT_RING, 1), RTT_RING, ProducerMode.SINGLE);
            UncheckedRing ping = unchecked(segment, 0);
            UncheckedRing pong = unchecked(segment, 1);
            ByteBuffer view = segment.asByteBuffer(0, CONTROL);
            Process child = CrossProcess.spawn("ring-rtt-unchecked", name, Long.toString(warm + n));
            CrossProcess.awaitReady(view, child);
            segment.unlink();
            byte[] message = new byte[UncheckedRing.MESSAGE];
            Counter received = new Counter();
            Histogram h = CrossProcess.histogram();
            for (long i = 0; i < warm + n; i++) {
                long t = System.nanoTime();
                MESSAGE_LONGS.set(message, 0, i);
                while (!ping.offer(1, message)) {
                    // padding at the end of the area: offer again
                }
                while (pong.poll(received) == 0) {
                    // spin (or padding consumed)
                }
                long rtt = System.nanoTime() - t;
                if (i >= warm) {
                    h.recordValue(rtt);
                }
            }
            CrossProcess.finish(child);
            return h;
        }
    }

    static void roundTripUncheckedChild(String name, long total) {
        try (PosixSegment segment = PosixSegment.open(name)) {
            UncheckedRing ping = unchecked(segment, 0);
            UncheckedRing pong = unchecked(segment, 1);
            long[] echoed = {0};
            MessageHandler echo = (type, buffer, offset, length) -> {
                // Straight from one ring into the other, as roundTripChild's copying echo does.
                while (!pong.offer(type, buffer, offset)) {
                    // padding at the end of the area: offer again
                }
                echoed[0]++;
            };
            LONGS.setRelease(segment.asByteBuffer(0, CONTROL), READY, 1L);
            while (echoed[0] < total) {
                ping.poll(echo);
            }
        }
    }

    /** Ring {@code index}'s header and record area, for {@link UncheckedRing}. */
    private static UncheckedRing unchecked(PosixSegment segment, int index) {
        long at = ringOffset(RTT_RING, index);
        int header = (int) (MessageRing.requiredSize(RTT_RING) - RTT_RING);
        return new UncheckedRing(segment.asByteBuffer(at, header), segment.asByteBuffer(at + header, RTT_RING));
    }

    static void roundTripChild(String name, long total, boolean futex, boolean zeroCopy) {
        try (PosixSegment segment = PosixSegment.open(name)) {
            MessageRing ping = MessageRing.attach(segment, ringOffset(RTT_RING, 0));
            MessageRing pong = MessageRing.attach(segment, ringOffset(RTT_RING, 1));
            IdleStrategy idle = idle(ping, futex);
            ByteBuffer out = pong.buffer();
            long[] echoed = {0};
            MessageHandler echo = zeroCopy
                    ? (type, buffer, offset, length) -> {
                        int index;
                        while ((index = pong.claim(type, length)) < 0) {
                            // full: spin
                        }
                        out.putLong(index, buffer.getLong(offset));
                        pong.commit(index);
                        echoed[0]++;
                    }
                    : (type, buffer, offset, length) -> {
                        // Straight from one ring into the other, as Agrona's echo writes from its
                        // buffer.
                        while (!pong.offer(type, buffer, offset, length)) {
                            // full: spin
                        }
                        echoed[0]++;
                    };
            LONGS.setRelease(segment.asByteBuffer(0, CONTROL), READY, 1L);
            while (echoed[0] < total) {
                idle.idle(ping.poll(echo, 1));
            }
        }
    }

    // ---- throughput ------------------------------------------------------------------------------

    /**
     * This JVM consumes what {@code producers} child processes write as fast as the ring takes it,
     * and times the block of {@code block} messages that follows
     * {@link CrossProcess#THROUGHPUT_WARM_BLOCKS} warm-up blocks (with two producers
     * {@link CrossProcess#MANY_PRODUCERS_WARM_BLOCKS}).
     */
    static double throughput(long block, int size, boolean futex, boolean zeroCopy, int producers) throws Exception {
        int warmBlocks = producers > 1 ? CrossProcess.MANY_PRODUCERS_WARM_BLOCKS : CrossProcess.THROUGHPUT_WARM_BLOCKS;
        String name = "/" + DevShm.uniqueName("ring-tp");
        try (PosixSegment segment = PosixSegment.create(name, ringOffset(THROUGHPUT_RING, 1))) {
            MessageRing ring = MessageRing.create(segment, ringOffset(THROUGHPUT_RING, 0), THROUGHPUT_RING,
                    producers > 1 ? ProducerMode.MANY : ProducerMode.SINGLE);
            Process[] children = new Process[producers];
            long each = block * (warmBlocks + 1) / producers;
            for (int p = 0; p < producers; p++) {
                // Every child must be attached before the object is unlinked.
                ByteBuffer view = segment.asByteBuffer(0, CONTROL);
                LONGS.setRelease(view, READY, 0L);
                children[p] = CrossProcess.spawn("ring-throughput", name, Long.toString(each), Integer.toString(size),
                        Boolean.toString(zeroCopy));
                CrossProcess.awaitReady(view, children[p]);
            }
            segment.unlink();
            IdleStrategy idle = idle(ring, futex);
            Counter received = new Counter();
            double rate = 0;
            for (int b = 0; b < warmBlocks + 1; b++) {
                long start = System.nanoTime();
                long target = Math.min((b + 1) * block, each * producers);
                long count = target - b * block;
                while (received.count < target) {
                    idle.idle(ring.poll(received, (int) Math.min(Integer.MAX_VALUE, target - received.count)));
                }
                rate = count / ((System.nanoTime() - start) / 1e9);
            }
            for (Process child : children) {
                CrossProcess.finish(child);
            }
            return rate;
        }
    }

    static void throughputChild(String name, long total, int size, boolean zeroCopy) {
        try (PosixSegment segment = PosixSegment.open(name)) {
            MessageRing ring = MessageRing.attach(segment, ringOffset(THROUGHPUT_RING, 0));
            byte[] message = new byte[size];
            ByteBuffer buffer = ring.buffer();
            LONGS.setRelease(segment.asByteBuffer(0, CONTROL), READY, 1L);
            for (long i = 0; i < total; i++) {
                if (zeroCopy) {
                    int index;
                    while ((index = ring.claim(1, size)) < 0) {
                        // full: spin
                    }
                    buffer.putLong(index, i);
                    ring.commit(index);
                } else {
                    MESSAGE_LONGS.set(message, 0, i);
                    while (!ring.offer(1, message, 0, size)) {
                        // full: spin
                    }
                }
            }
        }
    }

    static final class Counter implements MessageHandler {
        long count;

        @Override
        public void onMessage(int msgTypeId, ByteBuffer buffer, int offset, int length) {
            count++;
        }
    }
}
