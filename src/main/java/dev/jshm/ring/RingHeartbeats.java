package dev.jshm.ring;

import static dev.jshm.internal.BufferViews.INT;
import static dev.jshm.internal.BufferViews.LONG;
import static dev.jshm.ring.RingDescriptor.CONSUMER_HEARTBEAT_OFFSET;
import static dev.jshm.ring.RingDescriptor.CONSUMER_PID_OFFSET;
import static dev.jshm.ring.RingDescriptor.PRODUCER_HEARTBEAT_OFFSET;
import static dev.jshm.ring.RingDescriptor.PRODUCER_PID_OFFSET;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The ring's liveness fields: who beat last and when, on {@link #clockMillis()}. Producers beat
 * on their first claim, on every {@value #BEAT_INTERVAL}th, and on every claim that goes the long
 * way (padding, a full ring), when the millisecond changed (reading the clock costs more than
 * the rest of a claim; {@link RingProducer} counts the claims); the consumer beats on its first
 * poll, then on every {@value #BEAT_INTERVAL}th that finds a message and every
 * {@value #IDLE_BEAT_INTERVAL}th that finds nothing ({@link RingConsumer} counts the polls).
 * Heartbeats are for monitoring only: unblocking never trusts them.
 *
 * <p>The producer's fields are racy between producer threads of one ring, harmlessly: a lost
 * update only moves a beat by a claim.
 */
final class RingHeartbeats {

    /** Claims (polls) between two reads of the heartbeat clock; a power of two. */
    static final int BEAT_INTERVAL = 64;
    /**
     * Polls between two reads of the clock by a poll that finds nothing; a power of two, a
     * multiple of {@link #BEAT_INTERVAL}. A consumer that spins on an empty ring polls every few
     * nanoseconds: with a clock read (about 20 ns) every 64th poll, a message that arrived during
     * one waited for it, about one round trip in fifteen. Every 1024th still beats every few
     * microseconds while it spins.
     */
    static final int IDLE_BEAT_INTERVAL = 1024;
    private static final int PID = (int) ProcessHandle.current().pid();

    private final ByteBuffer header;
    private long producerBeatMillis;
    private long consumerBeatMillis;

    RingHeartbeats(ByteBuffer header) {
        this.header = header;
    }

    /** {@code CLOCK_MONOTONIC} in milliseconds: {@link System#nanoTime()} reads it on Linux. */
    static long clockMillis() {
        return System.nanoTime() / 1_000_000;
    }

    static boolean isRecent(long beat, Duration maxAge) {
        return beat != 0 && clockMillis() - beat <= maxAge.toMillis();
    }

    /** Beats unless this object's last producer beat was in the same millisecond. */
    void producerIfNewMillis() {
        long now = clockMillis();
        if (now != producerBeatMillis) {
            producer(now);
        }
    }

    /** Beats unless this object's last consumer beat was in the same millisecond. */
    void consumerIfNewMillis() {
        long now = clockMillis();
        if (now != consumerBeatMillis) {
            consumer(now);
        }
    }

    /** The pid first, then the time with release: a reader of the time sees the pid that wrote it. */
    void producer(long now) {
        producerBeatMillis = now;
        INT.setOpaque(header, PRODUCER_PID_OFFSET, PID);
        LONG.setRelease(header, PRODUCER_HEARTBEAT_OFFSET, now);
    }

    void consumer(long now) {
        consumerBeatMillis = now;
        INT.setOpaque(header, CONSUMER_PID_OFFSET, PID);
        LONG.setRelease(header, CONSUMER_HEARTBEAT_OFFSET, now);
    }

    long producerBeat() {
        return (long) LONG.getAcquire(header, PRODUCER_HEARTBEAT_OFFSET);
    }

    long consumerBeat() {
        return (long) LONG.getAcquire(header, CONSUMER_HEARTBEAT_OFFSET);
    }

    int producerPid() {
        return (int) INT.getAcquire(header, PRODUCER_PID_OFFSET);
    }

    int consumerPid() {
        return (int) INT.getAcquire(header, CONSUMER_PID_OFFSET);
    }
}
