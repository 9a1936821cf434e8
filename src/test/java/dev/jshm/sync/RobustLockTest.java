package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.Access;
import dev.jshm.PosixSegment;
import dev.jshm.ReadOnlySegmentException;
import dev.jshm.Segment;
import dev.jshm.SyncChild;
import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;
import dev.jshm.internal.SegmentMemory;
import dev.jshm.sync.LockNotRecoverableException;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The robust lock: mutual exclusion across threads and processes, holders killed while holding
 * it (many times, from C and from a JVM), the unrecoverable state, and the misuse checks.
 */
class RobustLockTest {

    private static final int SIZE = 4096;
    private static final long LOCK = 0;
    private static final long COUNTER = 64;
    private static final Duration STEP = Duration.ofSeconds(30);

    private SysVSegment sysv;
    private PosixSegment posix;
    private ExecutorService pool;

    @BeforeAll
    static void buildLockHolder() throws IOException, InterruptedException {
        LockPeer.binary();
    }

    @BeforeEach
    void setUp() {
        sysv = SysVSegment.createPrivate(SIZE);
        posix = PosixSegment.create(TestShm.uniqueName(), SIZE);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        sysv.close();
        sysv.remove();
        posix.close();
        posix.unlink();
    }

    private static TestProcesses.Child holder(Segment segment, long offset) throws IOException, InterruptedException {
        return LockPeer.start("hold", segment, offset);
    }

    /** Runs {@code body} on a thread of its own and fails if it takes longer than {@link #STEP}. */
    private static void within(Executable body) {
        assertTimeoutPreemptively(STEP, body);
    }

    // ---- layout ---------------------------------------------------------------------------------

    @Test
    void sizeAndAlignmentAreTheHeaders() {
        assertEquals(16, RobustLock.SIZE);
        assertEquals(8, RobustLock.ALIGNMENT);
        // The C library's own figures are compared with these in dev.jshm.NativeConstantsTest.
        assertEquals(SegmentMemory.LOCK_SIZE, RobustLock.SIZE);
        assertEquals(SegmentMemory.LOCK_ALIGNMENT, RobustLock.ALIGNMENT);
    }

    // ---- mutual exclusion -----------------------------------------------------------------------

    /**
     * A child JVM and this one each add 1 to a counter N times under the lock, with a plain read
     * and a plain write. Forbidden outcome: a total below 2N (two read-modify-writes overlapped).
     */
    @Test
    void mutualExclusionAcrossTwoProcesses() throws Exception {
        int n = 100_000;
        RobustLock lock = RobustLock.initialize(sysv, LOCK);
        try (TestProcesses.Child child = TestProcesses.startJvm(sysv.locator(), SyncChild.class,
                "lock-count", Long.toString(LOCK), Long.toString(COUNTER), Integer.toString(n))) {
            child.expectLine("ready", STEP);
            child.send("go");
            within(() -> {
                for (int i = 0; i < n; i++) {
                    lock.lock();
                    try {
                        sysv.putLong(COUNTER, sysv.getLong(COUNTER) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
            });
            child.expectLine("done", Duration.ofSeconds(120));
            assertEquals(0, child.waitFor(STEP), child::describe);
        }
        assertEquals(2L * n, sysv.getLong(COUNTER));
    }

    /**
     * A C process and this JVM each add 1 to a counter N times under the lock, with a plain read
     * and a plain write: the protocol is one, in C, and both sides use it. Forbidden: a total
     * other than 2N.
     */
    @Test
    void mutualExclusionBetweenCAndJava() throws Exception {
        int n = 100_000;
        RobustLock lock = RobustLock.initialize(posix, LOCK);
        try (TestProcesses.Child c = LockPeer.start("count", posix, LOCK, Integer.toString(n), Long.toString(COUNTER))) {
            c.expectLine("ready", STEP);
            c.send("go");
            within(() -> {
                for (int i = 0; i < n; i++) {
                    lock.lock();
                    try {
                        posix.putLong(COUNTER, posix.getLong(COUNTER) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
            });
            c.expectLine("done", Duration.ofSeconds(120));
            assertEquals(0, c.waitFor(STEP), c::describe);
        }
        assertEquals(2L * n, posix.getLong(COUNTER));
    }

    /** The same among threads of one process, with all three ways to acquire. Forbidden: a total below 4N. */
    @Test
    void mutualExclusionAcrossThreads() throws Exception {
        int threads = 4;
        int n = 50_000;
        RobustLock lock = RobustLock.initialize(posix, LOCK);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int way = t % 3;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < n; i++) {
                    if (way == 0) {
                        lock.lock();
                    } else if (way == 1) {
                        while (!lock.tryLock()) {
                            Thread.onSpinWait();
                        }
                    } else {
                        assertTrue(lock.tryLock(STEP));
                    }
                    try {
                        posix.putLong(COUNTER, posix.getLong(COUNTER) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertEquals((long) threads * n, posix.getLong(COUNTER));
    }

    // ---- owner death ----------------------------------------------------------------------------

    /**
     * Twenty times, alternating System V and POSIX memory: a C process takes the lock and is
     * killed with SIGKILL while holding it. The next locker in Java acquires it and is told
     * (OwnerDiedException, with the lock held), marks it consistent, and the lock works as
     * before: the next C holder takes it plainly ("locked", not "locked ownerdead").
     */
    @Test
    void aHolderKilledWhileHoldingIsReportedEveryTime() throws Exception {
        RobustLock onSysv = RobustLock.initialize(sysv, LOCK);
        RobustLock onPosix = RobustLock.initialize(posix, LOCK);
        for (int i = 0; i < 20; i++) {
            RobustLock lock = i % 2 == 0 ? onSysv : onPosix;
            Segment segment = lock.segment();
            try (TestProcesses.Child holder = holder(segment, LOCK)) {
                holder.expectLine("locked", STEP);
                assertFalse(lock.tryLock(), "the lock is held by the C process");
                holder.kill();
            }
            int way = i % 3;
            int iteration = i;
            within(() -> {
                OwnerDiedException e = assertThrows(OwnerDiedException.class, () -> {
                    if (way == 0) {
                        lock.lock();
                    } else if (way == 1) {
                        lock.tryLock();
                    } else {
                        lock.tryLock(STEP);
                    }
                }, "iteration " + iteration);
                assertEquals("EOWNERDEAD", e.errnoName());
                assertTrue(e.getMessage().contains("markConsistent()"), e.getMessage());
                assertTrue(lock.isHeldByCurrentThread(), "OwnerDiedException comes with the lock held");
                segment.putLong(COUNTER, segment.getLong(COUNTER) + 1); // "repair" the state
                lock.markConsistent();
                lock.unlock();
                assertFalse(lock.isHeldByCurrentThread());
                assertTrue(lock.tryLock(), "a consistent lock is usable again");
                lock.unlock();
            });
        }
        assertEquals(10, sysv.getLong(COUNTER));
        assertEquals(10, posix.getLong(COUNTER));
    }

    /** A thread already blocked in lock() is woken by the holder's death and told. */
    @Test
    void aWaiterBlockedInLockIsWokenByTheHoldersDeath() throws Exception {
        RobustLock lock = RobustLock.initialize(sysv, LOCK);
        try (TestProcesses.Child holder = holder(sysv, LOCK)) {
            holder.expectLine("locked", STEP);
            CountDownLatch waiting = new CountDownLatch(1);
            Future<String> waiter = pool.submit(() -> {
                waiting.countDown();
                try {
                    lock.lock();
                    lock.unlock();
                    return "acquired without being told";
                } catch (OwnerDiedException e) {
                    boolean held = lock.isHeldByCurrentThread();
                    lock.markConsistent();
                    lock.unlock();
                    return held ? "told, holding" : "told, not holding";
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertFalse(waiter.isDone(), "the waiter must block while the C process holds the lock");
            holder.kill();
            assertEquals("told, holding", waiter.get(STEP.toSeconds(), TimeUnit.SECONDS));
        }
        within(() -> {
            assertTrue(lock.tryLock());
            lock.unlock();
        });
    }

    /** The same with a JVM as the holder: a Java process killed while holding the lock. */
    @Test
    void aJvmKilledWhileHoldingIsReported() throws Exception {
        RobustLock lock = RobustLock.initialize(posix, LOCK);
        try (TestProcesses.Child child = TestProcesses.startJvm(posix.locator(), SyncChild.class,
                "lock-hold", Long.toString(LOCK))) {
            child.expectLine("locked", Duration.ofSeconds(60));
            assertFalse(lock.tryLock(Duration.ofMillis(50)));
            child.kill();
        }
        within(() -> {
            assertThrows(OwnerDiedException.class, () -> lock.tryLock(STEP));
            lock.markConsistent();
            lock.unlock();
            lock.lock();
            lock.unlock();
        });
    }

    /**
     * The holder dies, the next holder unlocks without markConsistent(): from then on every lock
     * attempt, in this process (through any RobustLock on that memory) and in others, fails with
     * the not-recoverable error, until initialize() makes a new lock there.
     */
    @Test
    void aLockNeverMadeConsistentIsUnusableFromThenOn() throws Exception {
        RobustLock lock = RobustLock.initialize(sysv, LOCK);
        try (TestProcesses.Child holder = holder(sysv, LOCK)) {
            holder.expectLine("locked", STEP);
            holder.kill();
        }
        within(() -> {
            assertThrows(OwnerDiedException.class, lock::lock);
            lock.unlock(); // without markConsistent()
        });
        RobustLock again = RobustLock.attach(sysv, LOCK);
        within(() -> {
            for (RobustLock l : List.of(lock, again)) {
                for (Executable attempt : List.<Executable>of(l::lock, l::tryLock, () -> l.tryLock(Duration.ofMillis(100)),
                        () -> l.tryLock(Duration.ZERO))) {
                    LockNotRecoverableException e = assertThrows(LockNotRecoverableException.class, attempt);
                    assertTrue(e.getMessage().contains("not recoverable"), e.getMessage());
                    assertEquals("ENOTRECOVERABLE", e.errnoName());
                    assertFalse(l.isHeldByCurrentThread());
                }
            }
        });
        try (TestProcesses.Child other = holder(sysv, LOCK)) {
            other.expectLine("notrecoverable", STEP);
            assertEquals(3, other.waitFor(STEP));
        }
        // Replacing the lock is the way out (no process uses it now).
        RobustLock fresh = RobustLock.initialize(sysv, LOCK);
        within(() -> {
            assertTrue(fresh.tryLock());
            fresh.unlock();
        });
    }

    @Test
    void tryLockGivesUpWhileAnotherProcessHoldsTheLock() throws Exception {
        RobustLock lock = RobustLock.initialize(posix, LOCK);
        try (TestProcesses.Child holder = holder(posix, LOCK)) {
            holder.expectLine("locked", STEP);
            within(() -> {
                assertFalse(lock.tryLock());
                assertFalse(lock.tryLock(Duration.ZERO));
                long start = System.nanoTime();
                assertFalse(lock.tryLock(Duration.ofMillis(200)));
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed >= 200_000_000L && elapsed < 5_000_000_000L, "gave up after " + elapsed + " ns");
            });
            holder.kill();
        }
        within(() -> {
            assertThrows(OwnerDiedException.class, lock::tryLock);
            lock.markConsistent();
            lock.unlock();
        });
    }

    // ---- misuse ---------------------------------------------------------------------------------

    @Test
    void onlyTheHolderMayUnlockOrMarkConsistent() throws Exception {
        RobustLock lock = RobustLock.initialize(sysv, LOCK);
        IllegalMonitorStateException notHeld = assertThrows(IllegalMonitorStateException.class, lock::unlock);
        assertTrue(notHeld.getMessage().contains("does not hold"), notHeld.getMessage());

        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = pool.submit(() -> {
            lock.lock();
            try {
                assertTrue(lock.isHeldByCurrentThread());
                IllegalStateException again = assertThrows(IllegalStateException.class, lock::lock);
                assertTrue(again.getMessage().contains("not reentrant"), again.getMessage());
                assertThrows(IllegalStateException.class, lock::tryLock);
                IllegalStateException nothingToMark = assertThrows(IllegalStateException.class, lock::markConsistent);
                assertTrue(nothingToMark.getMessage().contains("owner-died"), nothingToMark.getMessage());
                locked.countDown();
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } finally {
                lock.unlock();
            }
            return null;
        });
        assertTrue(locked.await(30, TimeUnit.SECONDS));
        assertFalse(lock.isHeldByCurrentThread());
        assertThrows(IllegalMonitorStateException.class, lock::unlock, "another thread holds it");
        assertThrows(IllegalMonitorStateException.class, lock::markConsistent, "another thread holds it");
        within(() -> assertFalse(lock.tryLock(Duration.ofMillis(50))));
        release.countDown();
        holder.get(30, TimeUnit.SECONDS);
        within(() -> {
            assertTrue(lock.tryLock());
            lock.unlock();
        });
    }

    @Test
    void attachRefusesMemoryThatHoldsNoLock() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RobustLock.attach(sysv, 128));
        assertTrue(e.getMessage().contains("does not hold a lock made by RobustLock.initialize"), e.getMessage());
        RobustLock.initialize(sysv, 128);
        RobustLock.attach(sysv, 128);
    }

    @Test
    void offsetsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RobustLock.initialize(sysv, 4));
        assertTrue(e.getMessage().contains("offset=4") && e.getMessage().contains(RobustLock.ALIGNMENT + "-byte aligned"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RobustLock.attach(sysv, 12));
        for (long offset : new long[] {-8, SIZE - RobustLock.SIZE + 8, SIZE, Long.MAX_VALUE - 7}) {
            assertThrows(IndexOutOfBoundsException.class, () -> RobustLock.initialize(sysv, offset), "at " + offset);
            assertThrows(IndexOutOfBoundsException.class, () -> RobustLock.attach(sysv, offset), "at " + offset);
        }
        RobustLock last = RobustLock.initialize(sysv, SIZE - RobustLock.SIZE);
        assertTrue(last.tryLock());
        last.unlock();
    }

    @Test
    void readOnlyAndClosedSegmentsAreRefused() {
        RobustLock.initialize(posix, LOCK);
        try (PosixSegment readOnly = PosixSegment.open(posix.name(), Access.READ_ONLY)) {
            assertThrows(ReadOnlySegmentException.class, () -> RobustLock.attach(readOnly, LOCK));
            assertThrows(ReadOnlySegmentException.class, () -> RobustLock.initialize(readOnly, LOCK));
        }
        RobustLock lock = RobustLock.attach(posix, LOCK);
        try (SysVSegment other = SysVSegment.createPrivate(SIZE)) {
            try {
                RobustLock closing = RobustLock.initialize(other, LOCK);
                other.close();
                assertThrows(IllegalStateException.class, closing::lock);
                assertThrows(IllegalStateException.class, closing::tryLock);
                assertThrows(IllegalStateException.class, closing::unlock);
            } finally {
                other.remove();
            }
        }
        assertTrue(lock.tryLock());
        lock.unlock();
    }
}
