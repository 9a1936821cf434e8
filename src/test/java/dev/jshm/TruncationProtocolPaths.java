package dev.jshm;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.jshm.ring.MessageHandler;
import dev.jshm.ring.MessageRing;
import dev.jshm.ring.ProducerMode;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.RobustLock;

/**
 * The protocols of {@link TruncationPeer}'s matrix: message rings and a {@link RobustLock} in the
 * part of the segment above {@link TruncationPeer#SIZE}, where the plain access paths never write,
 * and which the truncation cuts off whole. Each path has a ring of its own and runs in one thread
 * (a ring's consumer is one thread; here it is also the producer, or the only producer of a
 * {@link ProducerMode#MANY} ring). Before the cut a path feeds or drains its ring as needed, so the
 * call it is named after does real work; after it, it makes only that call, which must throw
 * {@link SegmentFaultException} (a normal return is counted as silent).
 *
 * <p>The first three lock paths share one lock and hold it briefly: mostly the Java fast path,
 * which meets the cut in the segment's atomics. The two blocking paths share another and hold it
 * for milliseconds and then pause as long, so that one of them is nearly always waiting for it in
 * the C library while the other holds it, and neither starves: the waiter meets the cut there,
 * at its next look at the lock (within 50 ms). That it then takes the zeros for a free lock unless
 * {@link RobustLock} checks after the native call is shown, deterministically, by
 * {@link ProtocolFaultTest}.
 */
final class TruncationProtocolPaths {

    /** Bytes above {@link TruncationPeer#SIZE} that the protocols take. */
    static final int BYTES = 256 * 1024;
    static final List<String> NAMES = List.of("ringOffer", "ringClaimCommit", "ringMpscClaim", "ringPoll", "ringAwait",
            "ringFutexIdle", "lock", "tryLock", "tryLockTimed", "lockBlocking", "tryLockBlocking");

    private static final int CAPACITY = 16 * 1024;
    private static final int RING_SPACING = 32 * 1024;
    private static final long LONG_HOLD_NANOS = 5_000_000;
    private static final MessageHandler HANDLER = (type, buffer, index, length) -> {
        if (length >= Long.BYTES) {
            TruncationPeer.consume(buffer.getLong(index));
        }
    };

    private TruncationProtocolPaths() {
    }

    /**
     * The paths, each with its ring or the lock made at {@code base} in {@code segment} (which
     * must hold {@link #BYTES} there). {@code cut} says whether the truncation has happened.
     */
    static Map<String, TruncationPeer.Op> paths(Segment segment, long base, BooleanSupplier cut) {
        Map<String, TruncationPeer.Op> ops = new LinkedHashMap<>();
        byte[] message = new byte[40];

        MessageRing offer = ring(segment, base, 0, ProducerMode.SINGLE);
        ops.put("ringOffer", (s, v, at, b) -> {
            if (offer.offer(1, message, 0, message.length)) {
                return 1;
            }
            return offer.drain(HANDLER); // full: before the cut only (after it, offer throws)
        });

        MessageRing claim = ring(segment, base, 1, ProducerMode.SINGLE);
        ops.put("ringClaimCommit", (s, v, at, b) -> claimCommit(claim, at));

        MessageRing mpsc = ring(segment, base, 2, ProducerMode.MANY);
        ops.put("ringMpscClaim", (s, v, at, b) -> claimCommit(mpsc, at));

        MessageRing poll = ring(segment, base, 3, ProducerMode.SINGLE);
        ops.put("ringPoll", (s, v, at, b) -> {
            if (!cut.getAsBoolean()) {
                feed(poll, at);
            }
            return poll.poll(HANDLER, 4);
        });

        MessageRing await = ring(segment, base, 4, ProducerMode.SINGLE);
        ops.put("ringAwait", (s, v, at, b) -> {
            if (!cut.getAsBoolean()) {
                await.drain(HANDLER);
                if ((at & 1) == 0) {
                    await.offer(1, message, 0, message.length); // else the await below sleeps on the futex
                }
            }
            return await.await(Duration.ofMillis(1)) ? 1 : 0;
        });

        MessageRing idleRing = ring(segment, base, 5, ProducerMode.SINGLE);
        // No spins or yields: every idle call reads the signal block, announces, or sleeps on it.
        FutexIdleStrategy idle = new FutexIdleStrategy(segment, idleRing.futexOffset(), 0, 0, Duration.ofMillis(1));
        ops.put("ringFutexIdle", (s, v, at, b) -> {
            int work = 0;
            if (!cut.getAsBoolean()) {
                work = idleRing.poll(HANDLER, 4);
                if ((at & 3) == 0) {
                    idleRing.offer(1, message, 0, message.length);
                }
            }
            idle.idle(work);
            return work;
        });

        long lockOffset = base + 6L * RING_SPACING;
        RobustLock lock = RobustLock.initialize(segment, lockOffset);
        ops.put("lock", (s, v, at, b) -> {
            lock.lock();
            try {
                hold(at);
            } finally {
                lock.unlock();
            }
            return 1;
        });
        ops.put("tryLock", (s, v, at, b) -> {
            if (!lock.tryLock()) {
                return 0;
            }
            try {
                hold(at);
            } finally {
                lock.unlock();
            }
            return 1;
        });
        ops.put("tryLockTimed", (s, v, at, b) -> {
            if (!lock.tryLock(Duration.ofMillis(2))) {
                return 0;
            }
            try {
                hold(at);
            } finally {
                lock.unlock();
            }
            return 1;
        });
        RobustLock blocking = RobustLock.initialize(segment, lockOffset + 64);
        ops.put("lockBlocking", (s, v, at, b) -> {
            blocking.lock();
            try {
                // One more call into the C library, which reads the lock: it meets the cut too.
                if (!blocking.isHeldByCurrentThread()) {
                    throw new IllegalStateException("lock() returned, and the lock is not held");
                }
                LockSupport.parkNanos(LONG_HOLD_NANOS);
            } finally {
                blocking.unlock();
            }
            LockSupport.parkNanos(LONG_HOLD_NANOS); // the other path's turn: it waits in C meanwhile
            return 1;
        });
        ops.put("tryLockBlocking", (s, v, at, b) -> {
            if (!blocking.tryLock(Duration.ofMillis(200))) {
                return 0;
            }
            try {
                if (!blocking.isHeldByCurrentThread()) {
                    throw new IllegalStateException("tryLock(200 ms) returned true, and the lock is not held");
                }
                LockSupport.parkNanos(LONG_HOLD_NANOS);
            } finally {
                blocking.unlock();
            }
            LockSupport.parkNanos(LONG_HOLD_NANOS); // the other path's turn: it waits in C meanwhile
            return 1;
        });
        if (!List.copyOf(ops.keySet()).equals(NAMES)) {
            throw new IllegalStateException(ops.keySet() + " != " + NAMES);
        }
        return ops;
    }

    private static MessageRing ring(Segment segment, long base, int index, ProducerMode mode) {
        return MessageRing.create(segment, base + (long) index * RING_SPACING, CAPACITY, mode);
    }

    private static long claimCommit(MessageRing ring, int at) {
        int index = ring.claim(1, Long.BYTES);
        if (index < 0) {
            return ring.drain(HANDLER); // full: before the cut only (after it, claim throws)
        }
        ring.buffer().putLong(index, at);
        ring.commit(index);
        return index;
    }

    private static void feed(MessageRing ring, int at) {
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, at);
        for (int i = 0; i < 4; i++) {
            ring.offer(1, payload);
        }
    }

    /** Holds the lock a little, so that the other lock paths find it busy now and then. */
    private static void hold(int at) {
        if ((at & 7) == 0) {
            long end = System.nanoTime() + 20_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
    }
}
