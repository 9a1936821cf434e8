package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.jshm.PosixSegment;

/**
 * Producers killed with SIGKILL at random points, over and over, while this JVM consumes. The
 * consumer must never see a torn message (every message is checksummed), must receive every
 * message the producer reported as committed (it stores its last committed sequence number in
 * a word beside the ring after each commit), must unblock the claim a dead producer left, and
 * the next producer must carry on in the same ring.
 *
 * <p>Half the C producers write in place and hold each claim for 20 microseconds before they
 * commit, so that most kills catch them half way through a message; the others copy a finished
 * message in, so kills land anywhere (mostly between messages, or in a full-ring wait).
 *
 * <p>The random seed is printed; set {@code -Dring.kill.seed=N} to replay a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingKillTest {

    static final int CAPACITY = 64 * 1024;
    static final Duration UNBLOCK_TIMEOUT = Duration.ofMillis(50);

    private final RingPeers peers = new RingPeers();
    private final RingTestObjects objects = new RingTestObjects();

    @AfterEach
    void cleanUp() throws InterruptedException {
        peers.close();
        objects.close();
    }

    /** What the iterations saw. */
    static final class Tally {
        long nextSeq;
        int unblocked;
        long lostUncommitted;
    }

    interface ProducerStarter {
        RingPeers.Peer start(long firstSeq, int iteration) throws Exception;
    }

    private static Random random(String test) {
        long seed = Long.getLong("ring.kill.seed", System.nanoTime());
        System.out.println(test + ": seed " + seed + " (-Dring.kill.seed=" + seed + " replays it)");
        return new Random(seed);
    }

    /**
     * Runs {@code iterations} of: start a producer, consume while it runs for a random few
     * milliseconds after its first commit, kill it, drain, unblock, and check.
     */
    private Tally killRepeatedly(MessageRing ring, PosixSegment segment, long reportOffset, int iterations, int maxRunMillis,
                                 int batch, Random random, ProducerStarter starter) throws Exception {
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        Tally tally = new Tally();
        for (int iteration = 0; iteration < iterations; iteration++) {
            long first = checker.expected[1];
            segment.putLong(reportOffset, first - 1);
            RingPeers.Peer producer = starter.start(first, iteration);
            // Consume while it produces: wait for its first commit, then a random while.
            long startDeadline = System.nanoTime() + 30_000_000_000L;
            while (segment.getLong(reportOffset) == first - 1) {
                ring.poll(checker, 256);
                assertTrue(producer.process().isAlive(), () -> "the producer died by itself: " + producer.stderr());
                assertTrue(System.nanoTime() < startDeadline, "the producer did not commit within 30 s");
            }
            long runUntil = System.nanoTime() + random.nextInt(maxRunMillis + 1) * 1_000_000L;
            while (System.nanoTime() < runUntil) {
                ring.poll(checker, 256);
            }
            producer.process().destroyForcibly();
            assertTrue(producer.process().waitFor(30, TimeUnit.SECONDS), "the killed producer is gone");
            long reported = segment.getLong(reportOffset);

            // Drain; unblock what the dead producer left claimed; drain again, until empty.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                ring.drain(checker);
                if (ring.headPosition() == ring.tailPosition()) {
                    break;
                }
                if (ring.unblock(UNBLOCK_TIMEOUT)) {
                    tally.unblocked++;
                } else {
                    Thread.sleep(5);
                }
                assertTrue(System.nanoTime() < deadline, "the ring stayed blocked for 10 s after the kill: head="
                        + ring.headPosition() + " tail=" + ring.tailPosition());
            }
            long lastReceived = checker.expected[1] - 1;
            assertTrue(lastReceived >= reported, "iteration " + iteration + ": the producer committed up to seq " + reported
                    + " but the consumer received only up to " + lastReceived);
            tally.lostUncommitted += Math.max(0, lastReceived - reported);
            assertEquals(0, (lastReceived + 1 - first) % batch, "iteration " + iteration + ": received " + (lastReceived + 1 - first)
                    + " messages from a producer that sends whole batches of " + batch);
        }
        tally.nextSeq = checker.expected[1];
        return tally;
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void cProducerKilled30TimesNeverTearsOrLosesACommittedMessage(ProducerMode mode) throws Exception {
        long reportOffset = MessageRing.requiredSize(CAPACITY);
        PosixSegment segment = objects.create(reportOffset + 64);
        MessageRing ring = MessageRing.create(segment, 0, CAPACITY, mode);
        Random random = random("C producer, " + mode);
        Tally tally = killRepeatedly(ring, segment, reportOffset, 30, 20, 1, random,
                (first, iteration) -> peers.startC("produce", "name=" + segment.name(), "count=-1", "first=" + first,
                        "report=" + reportOffset, "claim=" + (iteration % 2), "hold=" + (iteration % 2 * 20_000)));
        System.out.printf("C producer, %s: 30 kills, %d claims unblocked, %d committed-but-unreported messages received,"
                + " next seq %d%n", mode, tally.unblocked, tally.lostUncommitted, tally.nextSeq);
        assertTrue(tally.nextSeq > 30, "the producers made progress");
        // Half the producers hold each claim for 20 us: most of their kills land inside a message.
        assertTrue(tally.unblocked >= 5, "kills that left a claim behind: " + tally.unblocked);

        // Recovery: a producer that is left alone finishes, and every message arrives.
        long first = tally.nextSeq;
        RingPeers.Peer last = peers.startC("produce", "name=" + segment.name(), "count=100000", "first=" + first, "claim=1");
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, first);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (checker.received < 100_000 && System.nanoTime() < deadline) {
            if (ring.poll(checker, 1024) == 0) {
                Thread.onSpinWait();
            }
        }
        assertEquals("produced 100000", last.await(Duration.ofSeconds(30)));
        assertEquals(100_000, checker.received);
    }

    @Test
    void jvmBatchProducerKilledNeverDeliversPartOfABatch() throws Exception {
        long reportOffset = MessageRing.requiredSize(CAPACITY);
        PosixSegment segment = objects.create(reportOffset + 64);
        MessageRing ring = MessageRing.create(segment, 0, CAPACITY, ProducerMode.MANY);
        Random random = random("JVM batch producer");
        // Batches of 7: each iteration must deliver a whole number of batches.
        Tally tally = killRepeatedly(ring, segment, reportOffset, 4, 200, 7, random,
                (first, iteration) -> peers.startJava("produce", "name=" + segment.name(), "count=-1", "first=" + first,
                        "report=" + reportOffset, "via=batch", "batch=7", "idle=yield"));
        System.out.printf("JVM batch producer: 4 kills, %d claims unblocked, next seq %d%n", tally.unblocked, tally.nextSeq);
        RingPeers.Peer last = peers.startC("produce", "name=" + segment.name(), "count=10000", "first=" + tally.nextSeq);
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, tally.nextSeq);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (checker.received < 10_000 && System.nanoTime() < deadline) {
            if (ring.poll(checker, 1024) == 0) {
                Thread.onSpinWait();
            }
        }
        assertEquals("produced 10000", last.await(Duration.ofSeconds(30)));
        assertEquals(10_000, checker.received);
    }
}
