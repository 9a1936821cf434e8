package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening and closing POSIX objects and files in a loop, more often than the SIGBUS handler's
 * table has free slots, never fails: a closed segment's slot is freed when the cleaner unmaps its
 * memory, and a full table waits for the collector instead of refusing the open. The table is
 * first filled with ranges that are never accessed, all but {@link #SPARE} slots, so that the
 * loop runs out long before the collector would run on its own. And the table itself:
 * registration looks for a free slot from a hint, and a slot freed below it is found.
 */
class FaultTableChurnTest {

    /**
     * Ranges in the kernel's half of the address space: no access of this process can fault
     * there with SIGBUS, so registering them changes nothing for the handler.
     */
    private static final long NOWHERE = 0xffff_8000_0000_0000L;

    /** The slots left free for the loops. */
    private static final int SPARE = 1024;
    /** More cycles than the free slots, so the loop must get slots of closed segments back. */
    private static final int CYCLES = 4 * SPARE;

    @Test
    @Timeout(120)
    void openingAndClosingFilesPastTheTableSizeNeverFails(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("churn.bin");
        try (MappedFileSegment created = MappedFileSegment.create(file, 4096)) {
            created.putLong(0, 42);
        }
        long sum = 0;
        List<Integer> occupied = occupyAllBut(SPARE);
        try {
            for (int i = 0; i < CYCLES; i++) {
                try (MappedFileSegment s = MappedFileSegment.open(file)) {
                    sum += s.getLong(0);
                }
            }
        } finally {
            release(occupied);
        }
        assertEquals(42L * CYCLES, sum);
        Files.delete(file);
    }

    @Test
    @Timeout(120)
    void creatingAndRemovingPosixObjectsPastTheTableSizeNeverFails() {
        String name = TestShm.uniqueName();
        int done = 0;
        List<Integer> occupied = occupyAllBut(SPARE);
        try {
            for (int i = 0; i < CYCLES; i++) {
                try (PosixSegment s = PosixSegment.create(name, 4096)) {
                    s.putInt(0, i);
                    assertEquals(i, s.getInt(0));
                    s.unlink();
                }
                done++;
            }
        } finally {
            release(occupied);
        }
        assertEquals(CYCLES, done);
    }

    @Test
    void aFullTableRefusesAndHandsBackAFreedSlotBelowItsHint() {
        Native.ensureAvailable();
        List<Integer> slots = new ArrayList<>();
        try {
            int slot;
            while ((slot = Native.faultRegister(NOWHERE + slots.size() * 4096L, 4096, NOWHERE + slots.size() * 4096L, false))
                    >= 0) {
                slots.add(slot);
                assertTrue(slots.size() <= FaultWord.MAX_RANGES, "more registrations than slots");
            }
            assertEquals(-Errors.ENOSPC, slot, "a full table refuses with ENOSPC");
            Set<Integer> distinct = new HashSet<>(slots);
            assertEquals(slots.size(), distinct.size(), "every slot handed out once");
            // The hint now points past every slot: free two far below it and take them back.
            int low = slots.get(0);
            int middle = slots.get(slots.size() / 2);
            assertEquals(0, Native.faultUnregister(middle));
            assertEquals(0, Native.faultUnregister(low));
            slots.remove(Integer.valueOf(middle));
            slots.remove(Integer.valueOf(low));
            int again = Native.faultRegister(NOWHERE, 4096, NOWHERE, false);
            int twice = Native.faultRegister(NOWHERE, 4096, NOWHERE, false);
            assertTrue(again >= 0 && twice >= 0, "freed slots are found again: " + again + ", " + twice);
            slots.add(again);
            slots.add(twice);
            // A cleaner of an earlier test may free a slot meanwhile, so only distinctness is certain.
            assertTrue(again != twice, "two registrations, two slots");
        } finally {
            for (int s : slots) {
                assertEquals(0, Native.faultUnregister(s));
            }
        }
    }

    /** Registers never-accessed ranges until only {@code spare} slots are free; returns their slots. */
    private static List<Integer> occupyAllBut(int spare) {
        Native.ensureAvailable();
        List<Integer> slots = new ArrayList<>();
        int slot;
        while ((slot = Native.faultRegister(NOWHERE + slots.size() * 4096L, 4096, NOWHERE + slots.size() * 4096L, false)) >= 0) {
            slots.add(slot);
        }
        release(slots.subList(slots.size() - Math.min(spare, slots.size()), slots.size()));
        return slots;
    }

    /** Unregisters {@code slots} and empties the list. */
    private static void release(List<Integer> slots) {
        for (int s : slots) {
            assertEquals(0, Native.faultUnregister(s));
        }
        slots.clear();
    }
}
