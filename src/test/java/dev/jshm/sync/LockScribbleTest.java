package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentAtomics;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;
import dev.jshm.sync.LockCorruptedException;
import dev.jshm.sync.LockNotRecoverableException;
import dev.jshm.sync.LockWord;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile peer overwrites a lock's bytes with random and adversarial values while a C process
 * and Java threads lock and unlock it. Forbidden outcomes: a crash of either process, a write
 * outside the lock's 16 bytes (canaries fill the rest of the segment), an exception other than
 * the lock's own reports, a hang. Required: the corruption is reported, on both sides.
 */
class LockScribbleTest {

    private static final long LOCK = 1024;
    private static final Duration RUN = Duration.ofSeconds(3);

    private PosixSegment segment;
    private ExecutorService pool;

    @BeforeAll
    static void buildLockHolder() throws Exception {
        LockPeer.binary();
    }

    @BeforeEach
    void setUp() {
        segment = PosixSegment.create(TestShm.uniqueName(), 4096);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        segment.close();
        segment.unlink();
    }

    private static byte canary(long i) {
        return (byte) (i * 31 + 7);
    }

    @Test
    void scribblingNeverCrashesNorWritesOutsideTheLock() throws Exception {
        for (long i = 0; i < segment.size(); i++) {
            segment.putByte(i, canary(i));
        }
        RobustLock lock = RobustLock.initialize(segment, LOCK);
        Map<String, LongAdder> javaSaw = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (TestProcesses.Child c = LockPeer.start("churn", segment, LOCK, Long.toString(RUN.toMillis()))) {
            long cPid = c.pid();
            List<Future<?>> lockers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                lockers.add(pool.submit(() -> churn(lock, stop, javaSaw)));
            }
            Future<?> scribbler = pool.submit(() -> scribble(stop, cPid));
            String summary = c.nextLine(RUN.plusSeconds(60));
            assertEquals(0, c.waitFor(Duration.ofSeconds(30)), c::describe);
            stop.set(true);
            scribbler.get(30, TimeUnit.SECONDS);
            for (Future<?> f : lockers) {
                f.get(30, TimeUnit.SECONDS); // a locker that met anything but the lock's own reports fails here
            }

            Matcher m = Pattern.compile("churned ok=(\\d+) ownerdead=(\\d+) timedout=(\\d+) corrupt=(\\d+) "
                    + "notrecoverable=(\\d+) deadlock=(\\d+) perm=(\\d+) other=(\\d+)").matcher(summary);
            assertTrue(m.matches(), summary + c.describe());
            System.out.println("C peer: " + summary + "; Java: " + javaSaw);
            assertEquals("0", m.group(8), "the C peer got an unexpected answer: " + summary);
            assertTrue(Long.parseLong(m.group(4)) > 0, "the C peer never saw the corruption reported: " + summary);
            assertTrue(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) > 0, "the C peer never got the lock: " + summary);
            assertTrue(javaSaw.containsKey("LockCorruptedException"), "Java never saw the corruption reported: " + javaSaw);
            assertTrue(javaSaw.containsKey("acquired"), "Java never got the lock: " + javaSaw);
        }
        for (long i = 0; i < segment.size(); i++) {
            if (i < LOCK || i >= LOCK + RobustLock.SIZE) {
                assertEquals(canary(i), segment.getByte(i), "byte " + i + " outside the lock was written");
            }
        }
        RobustLock fresh = RobustLock.initialize(segment, LOCK);
        assertTrue(fresh.tryLock(), "a lock initialized again works");
        fresh.unlock();
    }

    /** Locks and unlocks until told to stop; counts what happened; fails on anything but the lock's own reports. */
    private static Void churn(RobustLock lock, AtomicBoolean stop, Map<String, LongAdder> saw) {
        while (!stop.get()) {
            String outcome;
            try {
                boolean held;
                try {
                    held = lock.tryLock(Duration.ofMillis(1));
                } catch (OwnerDiedException e) {
                    held = true;
                    try {
                        lock.markConsistent();
                    } catch (LockCorruptedException | IllegalMonitorStateException | IllegalStateException again) {
                        count(saw, again.getClass().getSimpleName());
                    }
                }
                outcome = held ? "acquired" : "busy";
                if (held) {
                    lock.unlock();
                }
            } catch (LockCorruptedException | LockNotRecoverableException | IllegalMonitorStateException e) {
                outcome = e.getClass().getSimpleName();
            } catch (IllegalStateException e) {
                // The word names this thread: an unlock refused because the magic was scribbled
                // left it so ("already holds it").
                assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
                outcome = "reentrant";
            }
            count(saw, outcome);
        }
        return null;
    }

    private static void count(Map<String, LongAdder> saw, String outcome) {
        saw.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    /** Writes random and adversarial values into the word and the magic, and now and then a valid free lock. */
    private Void scribble(AtomicBoolean stop, long cPid) throws Exception {
        long me = ProcessHandle.current().pid();
        long myStart = LockPeer.startTicks(me);
        long cStart = LockPeer.startTicks(cPid);
        SegmentAtomics atomics = segment.atomics();
        SplittableRandom random = new SplittableRandom(42);
        long word = LOCK + LockWord.WORD_OFFSET;
        long magic = LOCK + LockWord.MAGIC_OFFSET;
        while (!stop.get()) {
            long value = switch (random.nextInt(12)) {
                case 0 -> random.nextLong();
                case 1 -> random.nextLong() & (LockWord.TID_MASK | LockWord.OWNER_DIED | LockWord.WAITERS);
                case 2 -> LockWord.MAX_TID + 1 + random.nextInt(1000);
                case 3 -> LockWord.NOT_RECOVERABLE;
                case 4 -> LockWord.WAITERS;
                case 5 -> LockPeer.ownerWord(me, myStart) | (random.nextBoolean() ? LockWord.WAITERS : 0);
                case 6 -> LockPeer.ownerWord(cPid, cStart) | (random.nextBoolean() ? LockWord.OWNER_DIED : 0);
                case 7 -> LockPeer.ownerWord(cPid, cStart + 1);
                case 8 -> (long) random.nextInt(1 << 30) << 32;
                default -> 0;
            };
            atomics.putLongVolatile(word, value);
            if (random.nextInt(8) == 0) {
                atomics.putLongVolatile(magic, random.nextBoolean() ? random.nextLong() : LockWord.MAGIC ^ 1);
                LockSupport.parkNanos(random.nextInt(200_000));
                atomics.putLongVolatile(magic, LockWord.MAGIC);
            }
            LockSupport.parkNanos(random.nextInt(500_000));
        }
        atomics.putLongVolatile(magic, LockWord.MAGIC);
        atomics.putLongVolatile(word, 0);
        return null;
    }
}
