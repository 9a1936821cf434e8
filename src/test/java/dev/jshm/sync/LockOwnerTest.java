package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.sync.LockWord;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who owns a lock, and when the owner counts as gone: thread id reuse (a live thread with
 * another start time is not the owner), a thread that ends holding the lock, how soon a blocked
 * waiter learns of a death, and what interrupts do.
 */
class LockOwnerTest {

    private static final long LOCK = 0;
    private static final long WORD = LOCK + LockWord.WORD_OFFSET;

    private SysVSegment segment;
    private RobustLock lock;
    private ExecutorService pool;

    @BeforeAll
    static void buildLockHolder() throws Exception {
        LockPeer.binary();
    }

    @BeforeEach
    void setUp() {
        segment = SysVSegment.createPrivate(4096);
        lock = RobustLock.initialize(segment, LOCK);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        segment.close();
        segment.remove();
    }

    /**
     * The word names a thread id that runs (this JVM's first thread) but with another start time:
     * the id was reused, so the recorded owner is dead. With the right start time, the owner lives
     * and the lock stays busy.
     */
    @Test
    void aLiveThreadIdWithAnotherStartTimeIsADeadOwner() throws Exception {
        long pid = ProcessHandle.current().pid();
        long started = LockPeer.startTicks(pid);
        long living = LockPeer.ownerWord(pid, started);
        segment.putLong(WORD, living);
        assertFalse(lock.tryLock(), "the owner runs");
        assertFalse(lock.tryLock(Duration.ofMillis(120)), "the owner runs, across two poll periods");
        assertEquals(living, segment.getLong(WORD) & ~LockWord.WAITERS, "a busy lock is left to its owner");

        segment.putLong(WORD, LockPeer.ownerWord(pid, started + 1));
        OwnerDiedException e = assertThrows(OwnerDiedException.class, lock::tryLock);
        assertEquals("EOWNERDEAD", e.errnoName());
        assertTrue(lock.isHeldByCurrentThread());
        lock.markConsistent();
        lock.unlock();
        assertEquals(0, segment.getLong(WORD));
    }

    /** A thread id that no thread has now: its owner is dead. */
    @Test
    void aThreadIdThatDoesNotExistIsADeadOwner() {
        long tid = LockWord.MAX_TID;
        while (Files.exists(Path.of("/proc/" + tid))) {
            tid--;
        }
        segment.putLong(WORD, LockPeer.ownerWord(tid, 1));
        assertThrows(OwnerDiedException.class, lock::lock);
        lock.markConsistent();
        lock.unlock();
    }

    /** A thread of this process that ends while holding the lock is a dead owner, as a killed process is. */
    @Test
    void aThreadThatEndsHoldingTheLockIsADeadOwner() throws Exception {
        Thread holder = new Thread(lock::lock, "ends-holding");
        holder.start();
        holder.join(10_000);
        assertFalse(holder.isAlive());
        assertThrows(OwnerDiedException.class, () -> lock.tryLock(Duration.ofSeconds(10)));
        lock.markConsistent();
        lock.unlock();
    }

    /**
     * A thread blocked in lock() learns of the holder's death by polling every 50 ms. The bound
     * asserted is generous for a loaded machine; the figure is printed.
     */
    @Test
    void aBlockedWaiterLearnsOfTheDeathWithinAPollPeriod() throws Exception {
        try (TestProcesses.Child holder = LockPeer.start("hold", segment, LOCK)) {
            holder.expectLine("locked", Duration.ofSeconds(30));
            CountDownLatch waiting = new CountDownLatch(1);
            Future<Long> waiter = pool.submit(() -> {
                waiting.countDown();
                try {
                    lock.lock();
                    lock.unlock();
                    return -1L;
                } catch (OwnerDiedException e) {
                    long toldAt = System.nanoTime();
                    lock.markConsistent();
                    lock.unlock();
                    return toldAt;
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertFalse(waiter.isDone());
            long killedAt = System.nanoTime();
            holder.process().destroyForcibly();
            long toldAt = waiter.get(30, TimeUnit.SECONDS);
            assertTrue(toldAt > 0, "the waiter acquired without being told");
            long millis = (toldAt - killedAt) / 1_000_000;
            System.out.println("owner death noticed by a blocked waiter after " + millis + " ms");
            assertTrue(millis < 2_000, "noticed after " + millis + " ms");
        }
    }

    /**
     * Interrupts: lock() and tryLock(timeout) do not respond to them; they wait as if not
     * interrupted and leave the interrupt status set.
     */
    @Test
    void interruptsAreNotAnsweredAndTheStatusIsKept() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = pool.submit(() -> {
            lock.lock();
            held.countDown();
            release.await();
            Thread.sleep(100);
            lock.unlock();
            return null;
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        Future<String> waiter = pool.submit(() -> {
            Thread.currentThread().interrupt();
            long start = System.nanoTime();
            boolean got = lock.tryLock(Duration.ofMillis(150));
            long waited = System.nanoTime() - start;
            boolean interrupted = Thread.currentThread().isInterrupted();
            release.countDown();
            lock.lock();
            boolean stillInterrupted = Thread.interrupted();
            lock.unlock();
            return got + " " + (waited >= 150_000_000L) + " " + interrupted + " " + stillInterrupted;
        });
        assertEquals("false true true true", waiter.get(30, TimeUnit.SECONDS));
        holder.get(30, TimeUnit.SECONDS);
    }
}
