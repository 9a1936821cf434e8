package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.jshm.PosixSegment;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;
import dev.jshm.sync.BusySpinIdleStrategy;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;

/**
 * Millions of messages between processes: two JVMs, and a JVM and the C program. Every message
 * carries a sequence number and a checksum, and the consumer checks each one: a lost,
 * duplicated, reordered or torn message fails the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingInterprocessTest {

    /** Messages per direction in the large tests: 10M JVM to JVM, 10M JVM to C, 10M C to JVM. */
    static final int MANY_MESSAGES = 10_000_000;
    static final int CAPACITY = 1 << 20;

    @RegisterExtension
    static final TestShm.Objects objects = new TestShm.Objects();
    @RegisterExtension
    final RingPeers peers = new RingPeers();

    /** Produces {@code count} test messages from {@code first}, with offer or with claim and commit. */
    static void produce(MessageRing ring, long first, long count, boolean inPlace, IdleStrategy idle,
                        TestProcesses.Child consumer) {
        byte[] scratch = new byte[RingTestMessages.MAX_LENGTH];
        ByteBuffer scratchView = ByteBuffer.wrap(scratch).order(ByteOrder.nativeOrder());
        long end = first + count;
        for (long seq = first; seq < end; seq++) {
            if (inPlace) {
                int index;
                while ((index = ring.claim(1, RingTestMessages.length(seq))) < 0) {
                    idle.idle(0);
                    checkAlive(consumer);
                }
                RingTestMessages.write(ring.buffer(), index, seq);
                ring.commit(index);
            } else {
                int length = RingTestMessages.write(scratchView, 0, seq);
                while (!ring.offer(1, scratch, 0, length)) {
                    idle.idle(0);
                    checkAlive(consumer);
                }
            }
            idle.idle(1);
        }
    }

    private static int checks;

    /** Fails at once if the consumer died (rather than spinning on a full ring until the timeout). */
    private static void checkAlive(TestProcesses.Child consumer) {
        if ((++checks & 0xFFFF) == 0 && consumer != null && !consumer.process().isAlive()) {
            throw new AssertionError("the consumer died: " + consumer.stderr());
        }
    }

    /** Consumes {@code count} messages from one producer, checking each; fails after {@code timeout}. */
    static RingTestMessages.Checker consume(MessageRing ring, long count, IdleStrategy idle, Duration timeout,
                                            TestProcesses.Child producer) {
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (checker.received < count) {
            int n = ring.poll(checker, 4096);
            if (n == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("received " + checker.received + " of " + count + " messages in " + timeout
                            + (producer != null ? "; producer stderr: " + producer.stderr() : ""));
                }
            }
            idle.idle(n);
        }
        return checker;
    }

    private static void report(String what, long messages, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("%s: %,d messages in %.2f s (%,.0f/s)%n", what, messages, seconds, messages / seconds);
    }

    @Test
    void tenMillionMessagesFromJvmToJvmWithSpinning() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(CAPACITY));
        MessageRing ring = MessageRing.create(segment, CAPACITY);
        TestProcesses.Child consumer = peers.startJava("consume", "name=" + segment.name(), "count=" + MANY_MESSAGES,
                "idle=spin");
        long start = System.nanoTime();
        produce(ring, 0, MANY_MESSAGES, false, new BusySpinIdleStrategy(), consumer);
        assertEquals("consumed " + MANY_MESSAGES, consumer.awaitSuccess(Duration.ofSeconds(60)));
        report("JVM -> JVM (spin)", MANY_MESSAGES, start);
        assertEquals(consumer.process().pid(), ring.consumerPid(), "the consumer's heartbeat names it");
        assertEquals(ring.tailPosition(), ring.headPosition(), "everything consumed");
    }

    @Test
    void tenMillionMessagesFromJvmToC() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(CAPACITY));
        MessageRing ring = MessageRing.create(segment, CAPACITY);
        TestProcesses.Child consumer = peers.startC("consume", "name=" + segment.name(), "count=" + MANY_MESSAGES);
        long start = System.nanoTime();
        produce(ring, 0, MANY_MESSAGES, true, new BusySpinIdleStrategy(), consumer);
        assertEquals("consumed " + MANY_MESSAGES, consumer.awaitSuccess(Duration.ofSeconds(60)));
        report("JVM -> C (claim/commit, spin)", MANY_MESSAGES, start);
        assertEquals(consumer.process().pid(), ring.consumerPid());
    }

    @Test
    void tenMillionMessagesFromCToJvm() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(CAPACITY));
        MessageRing ring = MessageRing.create(segment, CAPACITY);
        TestProcesses.Child producer = peers.startC("produce", "name=" + segment.name(), "count=" + MANY_MESSAGES, "claim=1");
        long start = System.nanoTime();
        RingTestMessages.Checker checker = consume(ring, MANY_MESSAGES, new BusySpinIdleStrategy(), Duration.ofSeconds(60), producer);
        report("C -> JVM (spin)", checker.received, start);
        assertEquals("produced " + MANY_MESSAGES, producer.awaitSuccess(Duration.ofSeconds(10)));
        assertEquals(MANY_MESSAGES, checker.received);
        assertEquals(producer.process().pid(), ring.producerPid(), "the producer's heartbeat names it");
        assertEquals(0, ring.poll(checker, 1), "nothing more than was sent");
    }

    @Test
    void aBlockedJvmConsumerIsWokenByTheCProducer() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(64 * 1024));
        MessageRing ring = MessageRing.create(segment, 64 * 1024);
        int count = 300_000;
        TestProcesses.Child producer = peers.startC("produce", "name=" + segment.name(), "count=" + count);
        RingTestMessages.Checker checker = consume(ring, count, ring.futexIdleStrategy(), Duration.ofSeconds(60), producer);
        assertEquals("produced " + count, producer.awaitSuccess(Duration.ofSeconds(10)));
        assertEquals(count, checker.received);
        assertTrue(ring.waiters() <= 1, "at most one announcement left for the next commit");
    }

    @Test
    void aBlockedCConsumerAndABlockedJvmConsumerReceiveFromAJvmProducer() throws Exception {
        int capacity = 64 * 1024;
        long stride = MessageRing.requiredSize(capacity);
        PosixSegment segment = objects.create(2 * stride);
        MessageRing toC = MessageRing.create(segment, 0, capacity, ProducerMode.SINGLE);
        MessageRing toJvm = MessageRing.create(segment, stride, capacity, ProducerMode.SINGLE);
        int count = 200_000;
        // Each wait may last 5 s: were a wake-up lost, the 20 bursts would take minutes.
        TestProcesses.Child cConsumer = peers.startC("consume", "name=" + segment.name(), "count=" + count, "wait=5000");
        TestProcesses.Child jvmConsumer = peers.startJava("consume", "name=" + segment.name(), "offset=" + stride,
                "count=" + count, "idle=futex", "futexwait=5000");
        // Bursts with pauses, so that both consumers run dry and block between them.
        long start = System.nanoTime();
        for (long first = 0; first < count; first += 10_000) {
            produce(toC, first, 10_000, false, new YieldingIdleStrategy(), cConsumer);
            produce(toJvm, first, 10_000, true, new YieldingIdleStrategy(), jvmConsumer);
            Thread.sleep(2);
        }
        assertEquals("consumed " + count, cConsumer.awaitSuccess(Duration.ofSeconds(30)));
        assertEquals("consumed " + count, jvmConsumer.awaitSuccess(Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "the consumers were woken, not timed out");
    }

    @Test
    void theCRingRunsCleanUnderAddressSanitizerAndUbsan() throws Exception {
        int capacity = 64 * 1024;
        long stride = MessageRing.requiredSize(capacity);
        PosixSegment segment = objects.create(2 * stride);
        MessageRing many = MessageRing.create(segment, 0, capacity, ProducerMode.MANY);
        MessageRing single = MessageRing.create(segment, stride, capacity, ProducerMode.SINGLE);
        int count = 200_000;
        // Two sanitized C producers (copy and in place) into a sanitized, blocking C consumer ...
        TestProcesses.Child consumer = peers.startSanitizedC("consume", "name=" + segment.name(), "count=" + 2 * count,
                "producers=2", "wait=100");
        TestProcesses.Child copying = peers.startSanitizedC("produce", "name=" + segment.name(), "count=" + count, "type=1");
        TestProcesses.Child inPlace = peers.startSanitizedC("produce", "name=" + segment.name(), "count=" + count, "type=2",
                "claim=1");
        // ... and a sanitized C producer into this JVM.
        TestProcesses.Child toJvm = peers.startSanitizedC("produce", "name=" + segment.name(), "offset=" + stride,
                "count=" + count, "claim=1");
        RingTestMessages.Checker checker = consume(single, count, new YieldingIdleStrategy(), Duration.ofSeconds(60), toJvm);
        assertEquals(count, checker.received);
        assertEquals("produced " + count, copying.awaitSuccess(Duration.ofSeconds(60)));
        assertEquals("produced " + count, inPlace.awaitSuccess(Duration.ofSeconds(60)));
        assertEquals("produced " + count, toJvm.awaitSuccess(Duration.ofSeconds(60)));
        assertEquals("consumed " + 2 * count, consumer.awaitSuccess(Duration.ofSeconds(60)));
        assertEquals(many.tailPosition(), many.headPosition());
    }
}
