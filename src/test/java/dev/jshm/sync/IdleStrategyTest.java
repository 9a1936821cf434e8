package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.SyncChild;
import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.TestSysV;
import dev.jshm.sync.BackoffIdleStrategy;
import dev.jshm.sync.BusySpinIdleStrategy;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.SleepingIdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The idle strategies, above all the futex one's promise: no wake-up is ever lost. */
class IdleStrategyTest {

    private static final int SIZE = 4096;
    /** Longer than any test may take: a sleep that lasts this long means a wake-up was lost. */
    private static final Duration NEVER = Duration.ofSeconds(30);

    @RegisterExtension
    final TestSysV.SharedSegment shared = new TestSysV.SharedSegment(SIZE, "an idling thread did not end");
    private final SysVSegment segment = shared.segment();
    private final ExecutorService pool = shared.pool();

    private static long millisOf(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void theSimpleStrategiesIdleOnlyWithoutWork() {
        for (IdleStrategy idle : new IdleStrategy[] {new BusySpinIdleStrategy(), new YieldingIdleStrategy(),
                new SleepingIdleStrategy(Duration.ofMillis(100)), new BackoffIdleStrategy()}) {
            assertTrue(millisOf(() -> {
                for (int i = 0; i < 100; i++) {
                    idle.idle(1);
                }
            }) < 100, idle + " must not idle after work");
            idle.reset();
        }
        assertTrue(millisOf(() -> new SleepingIdleStrategy(Duration.ofMillis(100)).idle(0)) >= 100);
        assertTrue(millisOf(() -> new BusySpinIdleStrategy().idle(0)) < 1000);
        assertTrue(millisOf(() -> new YieldingIdleStrategy().idle(0)) < 1000);
    }

    @Test
    void backoffSpinsThenYieldsThenParksForLongerAndLonger() {
        BackoffIdleStrategy idle = new BackoffIdleStrategy(3, 2, Duration.ofMillis(60), Duration.ofMillis(200));
        long quick = millisOf(() -> {
            for (int i = 0; i < 5; i++) {
                idle.idle(0); // 3 spins, 2 yields
            }
        });
        assertTrue(quick < 60, "spins and yields took " + quick + " ms");
        assertTrue(millisOf(() -> idle.idle(0)) >= 60, "first park: minPark");
        assertTrue(millisOf(() -> idle.idle(0)) >= 120, "second park: doubled");
        assertTrue(millisOf(() -> idle.idle(0)) >= 200, "third park: capped at maxPark");
        idle.idle(1);
        assertTrue(millisOf(() -> idle.idle(0)) < 60, "work starts over with spinning");
    }

    @Test
    void constructorsCheckTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> new SleepingIdleStrategy(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new BackoffIdleStrategy(-1, 0, Duration.ofNanos(1), Duration.ofNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> new BackoffIdleStrategy(0, 0, Duration.ofMillis(2), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new FutexIdleStrategy(segment, 0, -1, 0, NEVER));
        assertThrows(IllegalArgumentException.class, () -> new FutexIdleStrategy(segment, 0, 0, 0, Duration.ZERO));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FutexIdleStrategy(segment, 2));
        assertTrue(e.getMessage().contains("offset=2") && e.getMessage().contains("4-byte aligned"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> new FutexIdleStrategy(segment, SIZE - 4));
        assertThrows(IndexOutOfBoundsException.class, () -> FutexIdleStrategy.signal(segment, SIZE - 4));
        assertEquals(0, segment.getInt(SIZE - 4), "a refused signal must not change the word");
    }

    /**
     * The defaults' phases, as documented: one call reads the word, then {@code DEFAULT_MAX_SPINS}
     * spins and {@code DEFAULT_MAX_YIELDS} yields leave the signal block untouched, and only the
     * call after them announces a sleeper (the sleepers flag, the block's second int).
     */
    @Test
    void theDefaultsSpinAndYieldBeforeTheyAnnounce() {
        FutexIdleStrategy idle = new FutexIdleStrategy(segment, 0);
        int quiet = 1 + FutexIdleStrategy.DEFAULT_MAX_SPINS + FutexIdleStrategy.DEFAULT_MAX_YIELDS;
        for (int i = 0; i < quiet; i++) {
            idle.idle(0);
            assertEquals(0, segment.atomics().getIntVolatile(4), "announced after " + (i + 1) + " idle calls");
        }
        idle.idle(0);
        assertEquals(1, segment.atomics().getIntVolatile(4), "announced after the spins and yields");
    }

    /** A consumer asleep on the futex is woken by a signal, long before its sleep would end. */
    @Test
    void aSignalWakesASleepingConsumer() throws Exception {
        FutexIdleStrategy idle = new FutexIdleStrategy(segment, 0, 0, 0, NEVER);
        Future<Long> consumer = pool.submit(() -> {
            long item;
            while ((item = segment.atomics().getLongAcquire(64)) == 0) {
                idle.idle(0);
            }
            return item;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (segment.atomics().getIntVolatile(4) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(1, segment.atomics().getIntVolatile(4), "the consumer counts itself in before it sleeps");
        Thread.sleep(100);
        segment.atomics().putLongRelease(64, 42);
        long start = System.nanoTime();
        assertEquals(1, FutexIdleStrategy.signal(segment, 0), "the sleeping consumer is woken");
        assertEquals(42, consumer.get(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "woken, not timed out");
        assertEquals(0, segment.atomics().getIntVolatile(4), "and counts itself out");
        assertEquals(0, FutexIdleStrategy.signal(segment, 0), "no waiters: no wake");
    }

    /**
     * Two threads hand a counter back and forth 20,000 times, each waiting with a futex strategy
     * that sleeps at once (no spins, no yields) for up to 30 s. Forbidden outcome: a lost
     * wake-up, a consumer asleep while its item is there; one would stall the exchange for 30 s,
     * past the test's 25 s limit.
     */
    @Test
    void aPingPongBetweenThreadsLosesNoWakeUp() {
        int rounds = 20_000;
        assertTimeoutPreemptively(Duration.ofSeconds(25), () -> {
            Future<?> ponger = pool.submit(() -> {
                IdleStrategy idle = new FutexIdleStrategy(segment, 0, 0, 0, NEVER);
                for (long i = 1; i <= rounds; i++) {
                    while (segment.atomics().getLongAcquire(64) != i) {
                        idle.idle(0);
                    }
                    idle.idle(1);
                    segment.atomics().putLongRelease(72, i);
                    FutexIdleStrategy.signal(segment, 8);
                }
                return null;
            });
            IdleStrategy idle = new FutexIdleStrategy(segment, 8, 0, 0, NEVER);
            for (long i = 1; i <= rounds; i++) {
                segment.atomics().putLongRelease(64, i);
                FutexIdleStrategy.signal(segment, 0);
                while (segment.atomics().getLongAcquire(72) != i) {
                    idle.idle(0);
                }
                idle.idle(1);
            }
            ponger.get();
        });
        assertEquals(rounds, segment.getLong(72));
    }

    /** The same across two processes: the consumer is a child JVM. */
    @Test
    void aPingPongWithAnotherProcessLosesNoWakeUp() throws Exception {
        int rounds = 2_000;
        try (TestProcesses.Child child = TestProcesses.startJvm(segment.locator(), SyncChild.class,
                "futex-pingpong", Integer.toString(rounds))) {
            child.expectLine("ready", Duration.ofSeconds(60));
            assertTimeoutPreemptively(Duration.ofSeconds(25), () -> {
                IdleStrategy idle = new FutexIdleStrategy(segment, 8, 0, 0, NEVER);
                for (long i = 1; i <= rounds; i++) {
                    segment.atomics().putLongRelease(64, i);
                    FutexIdleStrategy.signal(segment, 0);
                    while (segment.atomics().getLongAcquire(72) != i) {
                        idle.idle(0);
                    }
                    idle.idle(1);
                }
            });
            child.expectLine("done", Duration.ofSeconds(30));
            assertEquals(0, child.waitFor(Duration.ofSeconds(30)), child::describe);
        }
        assertEquals(rounds, segment.getLong(72));
    }

    @Test
    void anInterruptedConsumerReturnsPromptlyWithItsStatusSet() throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        Future<Boolean> consumer = pool.submit(() -> {
            thread.complete(Thread.currentThread());
            IdleStrategy idle = new FutexIdleStrategy(segment, 0, 0, 0, NEVER);
            idle.idle(0); // reads the word
            idle.idle(0); // announces itself and returns, for the caller's poll
            idle.idle(0); // sleeps
            return Thread.currentThread().isInterrupted();
        });
        Thread t = thread.get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        long start = System.nanoTime();
        t.interrupt();
        assertTrue(consumer.get(10, TimeUnit.SECONDS), "the interrupt status stays set");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        assertEquals(1, segment.atomics().getIntVolatile(4), "the announcement stays for the next signal");
        assertEquals(1, FutexIdleStrategy.signal(segment, 0), "which clears it, once");
        assertEquals(0, segment.atomics().getIntVolatile(4));
        assertEquals(0, FutexIdleStrategy.signal(segment, 0), "and then costs nothing");
    }
}
