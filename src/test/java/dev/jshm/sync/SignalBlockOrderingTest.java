package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.SysVSegment;
import dev.jshm.TestSysV;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The signal block's store-to-load ordering, as a litmus test: a producer publishes then
 * signals, a consumer announces itself then looks, both at once, many times over. Forbidden
 * outcome: the producer's signal finds no sleeper AND the consumer's look misses the
 * publication (the consumer would then sleep through it: a lost wake-up). The producer has no
 * fence where the membarrier is registered ({@link SignalBlock#signalFenceElided()}), so on x86
 * its publish sits in the store buffer while it reads the flag: only the consumer's membarrier
 * forbids the outcome. With the membarrier call taken out of {@code announce}, 200 rounds in
 * 50,000 showed it on a 2-core x86-64 machine.
 */
class SignalBlockOrderingTest {

    private static final int ROUNDS = 50_000;
    private static final int DATA = 128;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    @RegisterExtension
    final TestSysV.SharedSegment shared = new TestSysV.SharedSegment(4096, "a litmus thread did not end");
    private final SysVSegment segment = shared.segment();
    private final ExecutorService pool = shared.pool();

    private static void spin(int turns) {
        for (int t = 0; t < turns; t++) {
            Thread.onSpinWait();
        }
    }

    @Test
    void thisKernelLetsProducersSignalWithoutAFence() {
        // Linux 4.16 and later offer MEMBARRIER_CMD_GLOBAL_EXPEDITED; the machines the suite runs
        // on are newer. Were it refused, signal() would keep its full fence (still correct).
        assertTrue(SignalBlock.signalFenceElided(), "membarrier registration refused: " + System.getProperty("os.version"));
    }

    @Test
    void aPublishAndAnAnnouncementAtOnceNeverBothMissEachOther() {
        SignalBlock block = new SignalBlock(segment, 0);
        ByteBuffer view = segment.asByteBuffer();
        AtomicInteger go = new AtomicInteger();
        AtomicInteger producerDone = new AtomicInteger();
        boolean[] found = new boolean[ROUNDS + 1];
        // The consumer starts first (the producer must see "go" before it moves), so it waits
        // longer on average: random waits on both sides make the two steps overlap in some rounds.
        java.util.Random random = new java.util.Random(42);
        int[] producerWait = random.ints(ROUNDS + 1, 0, 8).toArray();
        int[] consumerWait = random.ints(ROUNDS + 1, 0, 40).toArray();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Future<?> producer = pool.submit(() -> {
                for (int i = 1; i <= ROUNDS; i++) {
                    while (go.get() != i) {
                        Thread.onSpinWait();
                    }
                    // As in a ring, the flag's line is in the producer's cache when it signals
                    // (only a consumer about to sleep writes it): read it first.
                    block.sleepers();
                    spin(producerWait[i]);
                    LONG.setRelease(view, DATA, (long) i);
                    found[i] = block.signalInCheckedRange();
                    producerDone.set(i);
                }
                return null;
            });
            int bothMissed = 0;
            int consumerSaw = 0;
            int producerFound = 0;
            for (int i = 1; i <= ROUNDS; i++) {
                go.set(i);
                spin(consumerWait[i]);
                block.announce();
                boolean saw = (long) LONG.getAcquire(view, DATA) == i;
                while (producerDone.get() != i) {
                    Thread.onSpinWait();
                }
                if (!saw && !found[i]) {
                    bothMissed++;
                }
                if (saw) {
                    consumerSaw++;
                }
                if (found[i]) {
                    producerFound++;
                }
                segment.atomics().putIntVolatile(SignalBlock.SLEEPERS_OFFSET, 0); // the next round starts unannounced
            }
            producer.get();
            assertEquals(0, bothMissed, "rounds where the producer found no sleeper and the consumer missed its publish"
                    + " (the consumer saw it in " + consumerSaw + ", the producer found the sleeper in " + producerFound
                    + " of " + ROUNDS + ")");
        });
    }
}
