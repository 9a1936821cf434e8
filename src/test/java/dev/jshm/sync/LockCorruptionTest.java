package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.PosixSegment;
import dev.jshm.TestShm;
import dev.jshm.sync.LockCorruptedException;
import dev.jshm.sync.LockWord;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A lock whose bytes hold what no lock operation writes is reported, naming the segment, the
 * offset and what was found, and left as found; canaries around the lock prove that nothing
 * outside its 16 bytes is written.
 */
class LockCorruptionTest {

    private static final long LOCK = 64;
    private static final long WORD = LOCK + LockWord.WORD_OFFSET;
    private static final long MAGIC = LOCK + LockWord.MAGIC_OFFSET;

    private PosixSegment segment;
    private RobustLock lock;

    @BeforeEach
    void setUp() {
        segment = PosixSegment.create(TestShm.uniqueName(), 4096);
        for (long i = 0; i < segment.size(); i++) {
            segment.putByte(i, canary(i));
        }
        lock = RobustLock.initialize(segment, LOCK);
    }

    @AfterEach
    void tearDown() {
        try {
            for (long i = 0; i < segment.size(); i++) {
                if (i < LOCK || i >= LOCK + RobustLock.SIZE) {
                    assertEquals(canary(i), segment.getByte(i), "byte " + i + " outside the lock was written");
                }
            }
        } finally {
            segment.close();
            segment.unlink();
        }
    }

    private static byte canary(long i) {
        return (byte) (i * 31 + 7);
    }

    private void assertCorrupted(Executable call, long word, String what) {
        segment.putLong(WORD, word);
        LockCorruptedException e = assertThrows(LockCorruptedException.class, call, what);
        assertTrue(e.getMessage().contains("offset " + LOCK) && e.getMessage().contains(segment.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("word=0x" + Long.toHexString(word)), e.getMessage());
        assertEquals("EUCLEAN", e.errnoName());
        assertEquals(word, e.word());
        assertEquals(LOCK, e.offset());
        assertEquals(word, segment.getLong(WORD), "the lock was left as found");
        assertEquals(LockWord.MAGIC, segment.getLong(MAGIC));
    }

    @Test
    void impossibleWordsAreReportedByEveryWayToLock() {
        long[] impossible = {LockWord.WAITERS, LockWord.OWNER_DIED | LockWord.WAITERS, 1L << 32, LockWord.MAX_TID + 1,
                LockWord.TID_MASK, -1L, 0x8000_0000_0000_0000L};
        for (long word : impossible) {
            for (Executable attempt : List.<Executable>of(lock::lock, lock::tryLock, () -> lock.tryLock(Duration.ofMillis(20)),
                    () -> lock.tryLock(Duration.ZERO))) {
                assertCorrupted(attempt, word, "word 0x" + Long.toHexString(word));
            }
            assertCorrupted(() -> RobustLock.attach(segment, LOCK), word, "attach");
            assertFalse(lock.isHeldByCurrentThread());
        }
        LockCorruptedException e = assertThrows(LockCorruptedException.class, () -> {
            segment.putLong(WORD, LockWord.MAX_TID + 1);
            lock.lock();
        });
        assertTrue(e.getMessage().contains("above the kernel's limit"), e.getMessage());
        segment.putLong(WORD, 0);
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    @Test
    void aWrongMagicIsReported() {
        segment.putLong(MAGIC, 0x1234);
        LockCorruptedException e = assertThrows(LockCorruptedException.class, lock::lock);
        assertTrue(e.getMessage().contains("magic=0x1234 (expected 0x" + Long.toHexString(LockWord.MAGIC) + ")"), e.getMessage());
        assertThrows(LockCorruptedException.class, lock::tryLock);
        assertThrows(LockCorruptedException.class, lock::unlock);
        assertThrows(LockCorruptedException.class, lock::isHeldByCurrentThread);
        IllegalArgumentException notALock = assertThrows(IllegalArgumentException.class, () -> RobustLock.attach(segment, LOCK));
        assertTrue(notALock.getMessage().contains("does not hold a lock"), notALock.getMessage());
        assertEquals(0x1234, segment.getLong(MAGIC));
        RobustLock.initialize(segment, LOCK);
    }

    /** The word changed under the holder: unlock() reports it once, leaves the word, and the thread holds nothing. */
    @Test
    void aWordOverwrittenUnderTheHolderIsReportedByUnlock() throws Exception {
        long cleared = 0;
        long otherOwner = LockPeer.ownerWord(ProcessHandle.current().pid(), LockPeer.startTicks(ProcessHandle.current().pid()));
        for (long scribbled : new long[] {cleared, otherOwner}) {
            lock.lock();
            segment.putLong(WORD, scribbled);
            LockCorruptedException e = assertThrows(LockCorruptedException.class, lock::unlock);
            assertTrue(e.getMessage().contains("unlock()"), e.getMessage());
            assertEquals(scribbled, segment.getLong(WORD));
            assertThrows(IllegalMonitorStateException.class, lock::unlock, "reported once; the thread no longer holds it");
            segment.putLong(WORD, 0);
        }
        // Acquired after an owner died, then overwritten before markConsistent().
        long pid = ProcessHandle.current().pid();
        segment.putLong(WORD, LockPeer.ownerWord(pid, LockPeer.startTicks(pid) + 1));
        assertThrows(OwnerDiedException.class, lock::tryLock);
        segment.putLong(WORD, 0);
        assertThrows(LockCorruptedException.class, lock::markConsistent);
        assertThrows(IllegalMonitorStateException.class, lock::markConsistent);
        assertTrue(lock.tryLock());
        lock.unlock();
    }
}
