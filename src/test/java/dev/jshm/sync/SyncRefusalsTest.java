package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.Access;
import dev.jshm.PosixSegment;
import dev.jshm.ReadOnlySegmentException;
import dev.jshm.SysVSegment;
import dev.jshm.TestShm;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the coordination tools' javadoc promises for a closed or read-only segment: the refusal it
 * names, before anything is written.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncRefusalsTest {

    private static final int SIZE = 4096;

    private PosixSegment posix;
    private SysVSegment closed;

    @BeforeEach
    void segments() {
        posix = PosixSegment.create(TestShm.uniqueName(), SIZE);
        closed = SysVSegment.createPrivate(SIZE);
        closed.remove();
        closed.close();
    }

    @AfterEach
    void cleanUp() {
        posix.close();
        PosixSegment.unlink(posix.name());
    }

    @Test
    void aClosedSegmentIsRefusedByEveryConstructorAndFactory() {
        assertThrows(IllegalStateException.class, () -> new SignalBlock(closed, 0));
        assertThrows(IllegalStateException.class, () -> new FutexIdleStrategy(closed, 0));
        assertThrows(IllegalStateException.class, () -> FutexIdleStrategy.signal(closed, 0));
        assertThrows(IllegalStateException.class, () -> RobustLock.initialize(closed, 0));
        assertThrows(IllegalStateException.class, () -> RobustLock.attach(closed, 0));
    }

    @Test
    void aLockWhoseSegmentClosedRefusesToSayWhoHoldsIt() {
        try (SysVSegment other = SysVSegment.createPrivate(SIZE)) {
            other.remove();
            RobustLock lock = RobustLock.initialize(other, 0);
            other.close();
            assertThrows(IllegalStateException.class, lock::isHeldByCurrentThread);
        }
    }

    @Test
    void aReadOnlySegmentIsRefusedByEverySignallingSide() {
        posix.putLong(64, 0x0000_0007_0000_0005L);
        try (PosixSegment readOnly = PosixSegment.open(posix.name(), Access.READ_ONLY)) {
            assertThrows(ReadOnlySegmentException.class, () -> new SignalBlock(readOnly, 64));
            assertThrows(ReadOnlySegmentException.class, () -> new FutexIdleStrategy(readOnly, 64));
            assertThrows(ReadOnlySegmentException.class, () -> FutexIdleStrategy.signal(readOnly, 64));
            // Waiting and waking only read the word: a read-only segment is enough.
            assertEquals(WaitResult.VALUE_CHANGED, Futex.await(readOnly, 64, 4, Duration.ofSeconds(10)));
            assertEquals(0, Futex.wake(readOnly, 64, 1));
        }
        assertEquals(0x0000_0007_0000_0005L, posix.getLong(64), "a refused call wrote nothing");
    }

    @Test
    void aSignalBlockTakesItsBytesAsTheyAre() {
        posix.putInt(128 + SignalBlock.WORD_OFFSET, 41);
        posix.putInt(128 + SignalBlock.SLEEPERS_OFFSET, 1);
        SignalBlock block = new SignalBlock(posix, 128);
        assertEquals(41, posix.getInt(128 + SignalBlock.WORD_OFFSET), "construction writes nothing");
        assertEquals(41, block.word());
        assertEquals(1, block.sleepers());
        assertTrue(block.signal(), "a sleeper was announced: the signal wakes");
        assertEquals(42, block.word(), "and changes the word");
        assertEquals(0, block.sleepers(), "and clears the flag");
    }

    @Test
    void aWakeChecksTheWordsPlaceLikeAWait() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> Futex.wake(posix, 0, 0));
        assertTrue(count.getMessage().contains("count=0"), count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Futex.wake(posix, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Futex.await(posix, 2, 0, Duration.ZERO));
        assertThrows(IndexOutOfBoundsException.class, () -> Futex.wake(posix, SIZE, 1));
    }
}
