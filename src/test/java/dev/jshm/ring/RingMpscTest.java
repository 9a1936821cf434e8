package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.jshm.PosixSegment;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;

/**
 * Many producers, one consumer: threads of this JVM, a C process and another JVM claim space
 * with compare-and-swap on the same tail. Each producer has its own type id and sequence; the
 * consumer checks that each producer's sequence arrives complete and in order, and the totals.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingMpscTest {

    @RegisterExtension
    static final TestShm.Objects objects = new TestShm.Objects();
    @RegisterExtension
    final RingPeers peers = new RingPeers();

    /** Producer thread {@code type}: offer, claim/commit or batches, by type. */
    private static Thread producerThread(MessageRing ring, int type, long count, ConcurrentLinkedQueue<Throwable> failures) {
        Thread thread = new Thread(() -> {
            try {
                IdleStrategy idle = new YieldingIdleStrategy();
                ByteBuffer[] batch = new ByteBuffer[8];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = ByteBuffer.allocate(RingTestMessages.MAX_LENGTH).order(ByteOrder.nativeOrder());
                }
                long seq = 0;
                while (seq < count) {
                    switch (type % 3) {
                        case 0 -> {
                            byte[] m = RingTestMessages.bytes(seq);
                            if (ring.offer(type, m, 0, m.length)) {
                                seq++;
                                continue;
                            }
                        }
                        case 1 -> {
                            int index = ring.claim(type, RingTestMessages.length(seq));
                            if (index >= 0) {
                                RingTestMessages.write(ring.buffer(), index, seq);
                                ring.commit(index);
                                seq++;
                                continue;
                            }
                        }
                        default -> {
                            int n = (int) Math.min(batch.length, count - seq);
                            for (int i = 0; i < n; i++) {
                                batch[i].clear().limit(RingTestMessages.write(batch[i], 0, seq + i));
                            }
                            if (ring.offerBatch(type, batch, 0, n)) {
                                seq += n;
                                continue;
                            }
                        }
                    }
                    idle.idle(0);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        }, "producer-" + type);
        thread.start();
        return thread;
    }

    @Test
    void threadsAndTwoOtherProcessesProduceIntoOneJvmConsumer() throws Exception {
        int capacity = 256 * 1024;
        PosixSegment segment = objects.create(MessageRing.requiredSize(capacity));
        MessageRing ring = MessageRing.create(segment, capacity, ProducerMode.MANY);
        long perThread = 400_000;
        long perProcess = 1_000_000;
        TestProcesses.Child c = peers.startC("produce", "name=" + segment.name(), "count=" + perProcess, "type=4");
        TestProcesses.Child jvm = peers.startJava("produce", "name=" + segment.name(), "count=" + perProcess, "type=5",
                "via=batch", "batch=8", "idle=yield");
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int type = 1; type <= 3; type++) {
            threads.add(producerThread(ring, type, perThread, failures));
        }
        long total = 3 * perThread + 2 * perProcess;
        RingTestMessages.Checker checker = new RingTestMessages.Checker(5, 0);
        IdleStrategy idle = new YieldingIdleStrategy();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (checker.received < total && System.nanoTime() < deadline && failures.isEmpty()) {
            idle.idle(ring.poll(checker, 1024));
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(List.of(), List.copyOf(failures), "producer threads failed");
        assertEquals("produced " + perProcess, c.awaitSuccess(Duration.ofSeconds(10)));
        assertEquals("produced " + perProcess, jvm.awaitSuccess(Duration.ofSeconds(10)));
        assertEquals(total, checker.received, "every message of every producer");
        assertEquals(List.of(perThread, perThread, perThread, perProcess, perProcess),
                List.of(checker.expected[1], checker.expected[2], checker.expected[3], checker.expected[4], checker.expected[5]),
                "each producer's sequence complete and in order");
        assertEquals(0, ring.poll(checker, 1), "nothing more than was sent");
    }

    @Test
    void jvmThreadsProduceIntoACConsumer() throws Exception {
        int capacity = 64 * 1024;
        PosixSegment segment = objects.create(MessageRing.requiredSize(capacity));
        MessageRing ring = MessageRing.create(segment, capacity, ProducerMode.MANY);
        long perThread = 300_000;
        TestProcesses.Child consumer = peers.startC("consume", "name=" + segment.name(), "count=" + 3 * perThread, "producers=3");
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int type = 1; type <= 3; type++) {
            threads.add(producerThread(ring, type, perThread, failures));
        }
        for (Thread t : threads) {
            t.join(90_000);
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals("consumed " + 3 * perThread, consumer.awaitSuccess(Duration.ofSeconds(30)));
    }
}
