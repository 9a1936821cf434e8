package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.Access;
import dev.jshm.PosixSegment;
import dev.jshm.SyncChild;
import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;
import dev.jshm.TestSysV;
import dev.jshm.ThreadAllocations;
import dev.jshm.sync.Futex;
import dev.jshm.sync.WaitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Futex wait and wake: across processes, timeouts, changed values, interrupts, and counts. */
class FutexTest {

    private static final int SIZE = 4096;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestSysV.SharedSegment shared = new TestSysV.SharedSegment(SIZE, "a waiting thread did not end");
    private final SysVSegment segment = shared.segment();
    private final ExecutorService pool = shared.pool();

    /**
     * A child JVM waits on word 0; this process wakes it without changing the word, so only a
     * wake that crosses processes ends the wait (a private futex would never reach it). The
     * child then sets word 4, which this process sees.
     */
    @Test
    void aWakeReachesAWaiterInAnotherProcess() throws Exception {
        try (TestProcesses.Child child = TestProcesses.startJvm(segment.locator(), SyncChild.class,
                "futex-wait", "0", "0", "60000", "4")) {
            child.expectLine("waiting", CHILD_TIMEOUT);
            long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
            int woken = 0;
            while (woken == 0 && System.nanoTime() < deadline) {
                // The child may not have reached the kernel yet (or be between two slices).
                woken = Futex.wake(segment, 0, Integer.MAX_VALUE);
                if (woken == 0) {
                    Thread.sleep(5);
                }
            }
            assertEquals(1, woken, "exactly the one waiting child is woken");
            child.expectLine("WOKEN", CHILD_TIMEOUT);
            assertEquals(0, child.waitFor(CHILD_TIMEOUT), child::describe);
        }
        assertEquals(1, segment.atomics().getIntVolatile(4), "the child's second word");
        assertEquals(0, segment.atomics().getIntVolatile(0), "nobody changed the futex word");
    }

    /** The documented protocol across processes: change the word, then wake. */
    @Test
    void changingTheWordThenWakingEndsAWaitInAnotherProcess() throws Exception {
        try (TestProcesses.Child child = TestProcesses.startJvm(segment.locator(), SyncChild.class,
                "futex-wait", "0", "0", "60000", "4")) {
            child.expectLine("waiting", CHILD_TIMEOUT);
            Thread.sleep(100);
            segment.atomics().putIntVolatile(0, 1);
            Futex.wake(segment, 0, Integer.MAX_VALUE);
            String result = child.nextLine(CHILD_TIMEOUT);
            // WOKEN if it slept in the kernel, VALUE_CHANGED if it had not got there yet.
            assertTrue(result.equals("WOKEN") || result.equals("VALUE_CHANGED"), result);
            assertEquals(0, child.waitFor(CHILD_TIMEOUT), child::describe);
        }
        assertEquals(1, segment.atomics().getIntVolatile(4));
    }

    @Test
    void aTimeoutIsHonoured() {
        long start = System.nanoTime();
        WaitResult result = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Futex.await(segment, 0, 0, Duration.ofMillis(100)));
        long elapsed = System.nanoTime() - start;
        assertEquals(WaitResult.TIMED_OUT, result);
        assertTrue(elapsed >= 100_000_000L, "returned after " + elapsed + " ns, before the 100 ms timeout");
        assertTrue(elapsed < 2_000_000_000L, "returned after " + elapsed + " ns");
    }

    @Test
    void aTimeoutLongerThanASliceIsHonouredAsAWhole() {
        long start = System.nanoTime();
        WaitResult result = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Futex.await(segment, 0, 0, Duration.ofMillis(275)));
        long elapsed = System.nanoTime() - start;
        assertEquals(WaitResult.TIMED_OUT, result);
        assertTrue(elapsed >= 275_000_000L && elapsed < 2_275_000_000L, "returned after " + elapsed + " ns");
    }

    @Test
    void aZeroTimeoutOnlyChecksTheValue() {
        assertEquals(WaitResult.TIMED_OUT, Futex.await(segment, 0, 0, Duration.ZERO));
        assertEquals(WaitResult.TIMED_OUT, Futex.await(segment, 0, 0, Duration.ofMillis(-5)));
        assertEquals(WaitResult.VALUE_CHANGED, Futex.await(segment, 0, 1, Duration.ZERO));
    }

    @Test
    void aDifferentValueReturnsAtOnce() {
        segment.atomics().putIntVolatile(8, 5);
        long start = System.nanoTime();
        assertEquals(WaitResult.VALUE_CHANGED, Futex.await(segment, 8, 4, null));
        assertEquals(WaitResult.VALUE_CHANGED, Futex.await(segment, 8, 4, Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "a changed value must not wait");
    }

    @Test
    void anInterruptEndsTheWaitPromptlyAndStaysSet() throws Exception {
        CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
        Future<Object[]> waiter = pool.submit(() -> {
            waiterThread.complete(Thread.currentThread());
            WaitResult result = Futex.await(segment, 0, 0, null);
            long returned = System.nanoTime();
            return new Object[] {result, Thread.currentThread().isInterrupted(), returned};
        });
        Thread thread = waiterThread.get(10, TimeUnit.SECONDS);
        Thread.sleep(200); // let it reach the kernel
        long interrupt = System.nanoTime();
        thread.interrupt();
        Object[] outcome = waiter.get(10, TimeUnit.SECONDS);
        assertEquals(WaitResult.INTERRUPTED, outcome[0]);
        assertEquals(true, outcome[1], "the interrupt status must stay set");
        long latency = (long) outcome[2] - interrupt;
        assertTrue(latency < 1_000_000_000L, "returned " + latency + " ns after the interrupt");
    }

    @Test
    void anAlreadyInterruptedThreadDoesNotWait() {
        Thread.currentThread().interrupt();
        try {
            assertEquals(WaitResult.INTERRUPTED, Futex.await(segment, 0, 0, Duration.ofSeconds(30)));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    /** Two waiters in threads; waking all of them reports both, and both return WOKEN. */
    @Test
    void wakeReturnsHowManyItWoke() throws Exception {
        assertEquals(0, Futex.wake(segment, 12, Integer.MAX_VALUE), "no waiters, nobody woken");
        CountDownLatch started = new CountDownLatch(2);
        List<Future<WaitResult>> waiters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            waiters.add(pool.submit(() -> {
                started.countDown();
                return Futex.await(segment, 12, 0, Duration.ofSeconds(60));
            }));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Thread.sleep(200);
        // Each waiter sleeps in slices, so one may be between two of them at the moment of a wake:
        // count over several wakes until both are out.
        int woken = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (woken < 2 && System.nanoTime() < deadline) {
            woken += Futex.wake(segment, 12, Integer.MAX_VALUE);
        }
        assertEquals(2, woken);
        for (Future<WaitResult> w : waiters) {
            assertEquals(WaitResult.WOKEN, w.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void wakeOneWakesOne() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(3);
        List<Future<Integer>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(pool.submit(() -> {
                started.countDown();
                int wokenTimes = 0;
                while (!stop.get()) {
                    if (Futex.await(segment, 16, 0, Duration.ofSeconds(30)) == WaitResult.WOKEN) {
                        wokenTimes++;
                    }
                }
                return wokenTimes;
            }));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Thread.sleep(200);
        int woken = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (woken == 0 && System.nanoTime() < deadline) {
            woken = Futex.wake(segment, 16, 1);
        }
        assertEquals(1, woken, "wake(1) wakes exactly one of three waiters");
        stop.set(true);
        segment.atomics().putIntVolatile(16, 1);
        Futex.wake(segment, 16, Integer.MAX_VALUE);
        for (Future<Integer> w : waiters) {
            w.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Waking, and waiting that returns at once (the value changed, a zero timeout), allocate
     * nothing on this thread: the call paths build no message, box nothing and keep no state.
     * Measured after a warm-up that lets the JIT compile them, as a service would run them.
     */
    @Test
    void waitAndWakeAllocateNothing() {
        segment.atomics().putIntVolatile(8, 5);
        Duration timeout = Duration.ofSeconds(30);
        int results = 0;
        for (int round = 0; round < 3; round++) {
            long before = ThreadAllocations.ofCurrentThread();
            for (int i = 0; i < 20_000; i++) {
                results += Futex.wake(segment, 12, 1);
                results += Futex.await(segment, 8, 4, null).ordinal();
                results += Futex.await(segment, 8, 4, timeout).ordinal();
                results += Futex.await(segment, 8, 5, Duration.ZERO).ordinal();
            }
            long allocated = ThreadAllocations.ofCurrentThread() - before;
            if (round > 0) {
                assertEquals(0, allocated, "bytes allocated by 80,000 futex calls in round " + round);
            }
        }
        assertEquals(3 * 20_000 * (WaitResult.VALUE_CHANGED.ordinal() * 2 + WaitResult.TIMED_OUT.ordinal()), results);
    }

    @Test
    void argumentsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Futex.await(segment, 6, 0, Duration.ZERO));
        assertTrue(e.getMessage().contains("offset=6") && e.getMessage().contains("4-byte aligned"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Futex.wake(segment, 2, 1));
        assertTrue(e.getMessage().contains("offset=2") && e.getMessage().contains("4-byte aligned"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Futex.wake(segment, 0, 0));
        for (long offset : new long[] {-1, -4, SIZE - 3, SIZE, Long.MAX_VALUE}) {
            assertThrows(IndexOutOfBoundsException.class, () -> Futex.await(segment, offset, 0, Duration.ZERO), "at " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> Futex.wake(segment, offset, 1), "at " + offset);
        }
        segment.close();
        assertThrows(IllegalStateException.class, () -> Futex.await(segment, 0, 0, Duration.ZERO));
        assertThrows(IllegalStateException.class, () -> Futex.wake(segment, 0, 1));
    }

    @Test
    void readOnlySegmentsCanWaitAndWake() throws Exception {
        String name = TestShm.uniqueName();
        try (PosixSegment writer = PosixSegment.create(name, SIZE)) {
            try (PosixSegment reader = PosixSegment.open(name, Access.READ_ONLY)) {
                Future<WaitResult> waiter = pool.submit(() -> Futex.await(reader, 0, 0, Duration.ofSeconds(60)));
                Thread.sleep(100);
                writer.atomics().putIntVolatile(0, 1);
                Futex.wake(writer, 0, Integer.MAX_VALUE);
                WaitResult result = waiter.get(10, TimeUnit.SECONDS);
                assertTrue(result == WaitResult.WOKEN || result == WaitResult.VALUE_CHANGED, result.toString());
                assertEquals(0, Futex.wake(reader, 0, 1));
            } finally {
                writer.unlink();
            }
        }
    }
}
