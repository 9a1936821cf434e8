package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.internal.SegmentMemory;
import dev.jshm.sync.LockWord;
import dev.jshm.sync.RobustLock;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The lock's layout has one source of truth, jshm.h: Java's constants and the built library match it. */
class LockLayoutTest {

    @Test
    void javaConstantsMatchTheCHeader() throws Exception {
        String header = Files.readString(TestProcesses.basedir().resolve("src/main/c/jshm.h"));
        Map<String, Long> defines = new HashMap<>();
        Matcher d = Pattern.compile("#define (JSHM_LOCK_\\w+)\\s+(?:UINT64_C\\()?(0x[0-9A-Fa-f]+|\\d+)").matcher(header);
        while (d.find()) {
            defines.put(d.group(1), Long.parseUnsignedLong(d.group(2).replace("0x", ""), d.group(2).startsWith("0x") ? 16 : 10));
        }
        Map<String, Long> java = Map.ofEntries(Map.entry("JSHM_LOCK_SIZE", (long) LockWord.SIZE),
                Map.entry("JSHM_LOCK_ALIGNMENT", (long) LockWord.ALIGNMENT),
                Map.entry("JSHM_LOCK_WORD_OFFSET", (long) LockWord.WORD_OFFSET),
                Map.entry("JSHM_LOCK_MAGIC_OFFSET", (long) LockWord.MAGIC_OFFSET),
                Map.entry("JSHM_LOCK_MAGIC", LockWord.MAGIC), Map.entry("JSHM_LOCK_TID_MASK", LockWord.TID_MASK),
                Map.entry("JSHM_LOCK_OWNER_DIED", LockWord.OWNER_DIED), Map.entry("JSHM_LOCK_WAITERS", LockWord.WAITERS),
                Map.entry("JSHM_LOCK_NOT_RECOVERABLE", LockWord.NOT_RECOVERABLE),
                Map.entry("JSHM_LOCK_MAX_TID", LockWord.MAX_TID), Map.entry("JSHM_LOCK_POLL_NS", LockWord.POLL_NANOS));
        assertEquals(java.keySet(), defines.keySet(), "every JSHM_LOCK_ constant has its Java twin");
        java.forEach((name, value) -> assertEquals(defines.get(name), value, name));
    }

    @Test
    void theBuiltLibraryAgrees() {
        // SegmentMemory's figures are compared with the C library's in dev.jshm.NativeConstantsTest.
        assertEquals(SegmentMemory.LOCK_SIZE, LockWord.SIZE);
        assertEquals(SegmentMemory.LOCK_ALIGNMENT, LockWord.ALIGNMENT);
        assertEquals(LockWord.SIZE, RobustLock.SIZE);
        assertEquals(LockWord.ALIGNMENT, RobustLock.ALIGNMENT);
    }

    /** What Java writes as a fresh lock is what the C library made: the magic is read back through the C check. */
    @Test
    void aLockInitializedInCReadsAsTheLayoutSays() {
        try (SysVSegment segment = SysVSegment.createPrivate(4096)) {
            try {
                RobustLock.initialize(segment, 64);
                assertEquals(LockWord.MAGIC, segment.getLong(64 + LockWord.MAGIC_OFFSET));
                assertEquals(0, segment.getLong(64 + LockWord.WORD_OFFSET));
                segment.putLong(128 + LockWord.MAGIC_OFFSET, LockWord.MAGIC);
                RobustLock.attach(segment, 128); // a word of 0 and the magic is a lock
            } finally {
                segment.remove();
            }
        }
    }
}
