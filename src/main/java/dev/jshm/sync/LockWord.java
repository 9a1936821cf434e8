package dev.jshm.sync;

import dev.jshm.Segment;
import dev.jshm.internal.SegmentMemory;

/**
 * The bytes of a {@link RobustLock}, as {@code jshm.h} lays them out ({@code JSHM_LOCK_*}; a test
 * ties every constant here to the header), and how to describe what a corrupted lock holds.
 *
 * <pre>
 *   0  word   bits  0-29  owner's kernel thread id (0: free)
 *             bit     30  OWNER_DIED  (taken over from a dead owner, not yet marked consistent)
 *             bit     31  WAITERS     (someone may sleep on the futex, the low half of the word)
 *             bits 32-63  owner thread's start time, clock ticks after boot, modulo 2^32
 *   8  magic  "jshmLck1"
 * </pre>
 *
 * <p>Java makes the two uncontended transitions itself, with the segment's atomics: a free,
 * intact lock (word 0, magic right) to this thread's identity, and back when no flag is set.
 * Every other transition (waiting, waking, owner death, not recoverable, corruption) is
 * {@code jshm_lock.c}'s, so the protocol has one implementation of everything but those two CASes.
 */
final class LockWord {

    static final int SIZE = SegmentMemory.LOCK_SIZE;
    static final int ALIGNMENT = SegmentMemory.LOCK_ALIGNMENT;
    static final int WORD_OFFSET = 0;
    static final int MAGIC_OFFSET = 8;
    static final long MAGIC = 0x316b634c6d68736aL;
    static final long TID_MASK = 0x3fffffffL;
    static final long OWNER_DIED = 0x40000000L;
    static final long WAITERS = 0x80000000L;
    static final long NOT_RECOVERABLE = 0x40000000L;
    static final long MAX_TID = 4194304L;
    static final long POLL_NANOS = 50_000_000L;

    private LockWord() {
    }

    /** What the word and magic say, and which of them no lock operation writes. */
    static String describe(long word, long magic) {
        StringBuilder s = new StringBuilder("word=0x").append(Long.toHexString(word));
        long tid = word & TID_MASK;
        if (word == 0) {
            s.append(" (free)");
        } else if (word == NOT_RECOVERABLE) {
            s.append(" (not recoverable)");
        } else {
            s.append(" (owner thread ").append(tid).append(", started at tick ").append(word >>> 32);
            if ((word & OWNER_DIED) != 0) {
                s.append(", OWNER_DIED");
            }
            if ((word & WAITERS) != 0) {
                s.append(", WAITERS");
            }
            s.append(')');
        }
        s.append(" magic=0x").append(Long.toHexString(magic));
        if (magic != MAGIC) {
            s.append(" (expected 0x").append(Long.toHexString(MAGIC)).append(")");
        } else if (tid == 0 && word != 0 && word != NOT_RECOVERABLE) {
            s.append(": no owner, yet flags or a start time are set");
        } else if (tid > MAX_TID) {
            s.append(": thread id ").append(tid).append(" is above the kernel's limit ").append(MAX_TID);
        }
        return s.toString();
    }

    /** Whether the lock at {@code offset} still carries its magic (false when it cannot be read). */
    static boolean magicIntact(Segment segment, long offset) {
        try {
            return segment.getLong(offset + MAGIC_OFFSET) == MAGIC;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The exception for a lock whose bytes hold an impossible state, with what they hold now. */
    static LockCorruptedException corrupted(Segment segment, long offset, String operation, String lock) {
        long word;
        long magic;
        String found;
        try {
            word = segment.getLong(offset + WORD_OFFSET);
            magic = segment.getLong(offset + MAGIC_OFFSET);
            found = describe(word, magic);
        } catch (RuntimeException e) {
            word = 0;
            magic = 0;
            found = "unreadable (" + e.getMessage() + ")";
        }
        return new LockCorruptedException(operation + " of " + lock + ": the lock's bytes hold a state no lock operation"
                + " writes (another process overwrote them); nothing was changed. Found " + found
                + ". RobustLock.initialize makes a new lock there once no process uses it", operation, offset, word, magic);
    }
}
