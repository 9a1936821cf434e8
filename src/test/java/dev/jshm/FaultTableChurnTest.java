package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening and closing POSIX objects and files in a loop, more often than the SIGBUS handler's
 * table has slots, never fails: a closed segment's slot is freed when the cleaner unmaps its
 * memory, and a full table waits for the collector instead of refusing the open.
 */
class FaultTableChurnTest {

    /** More cycles than the table has slots, so the loop must get slots of closed segments back. */
    private static final int CYCLES = FaultWord.MAX_RANGES + FaultWord.MAX_RANGES / 2;

    @Test
    @Timeout(120)
    void openingAndClosingFilesPastTheTableSizeNeverFails(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("churn.bin");
        try (MappedFileSegment created = MappedFileSegment.create(file, 4096)) {
            created.putLong(0, 42);
        }
        long sum = 0;
        for (int i = 0; i < CYCLES; i++) {
            try (MappedFileSegment s = MappedFileSegment.open(file)) {
                sum += s.getLong(0);
            }
        }
        assertEquals(42L * CYCLES, sum);
        Files.delete(file);
    }

    @Test
    @Timeout(120)
    void creatingAndRemovingPosixObjectsPastTheTableSizeNeverFails() {
        String name = TestShm.uniqueName();
        int done = 0;
        for (int i = 0; i < CYCLES; i++) {
            try (PosixSegment s = PosixSegment.create(name, 4096)) {
                s.putInt(0, i);
                assertEquals(i, s.getInt(0));
                s.unlink();
            }
            done++;
        }
        assertEquals(CYCLES, done);
    }
}
