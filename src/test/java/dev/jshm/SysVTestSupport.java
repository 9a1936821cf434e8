package dev.jshm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the System V tests share: keys from jshm's test range, the ids of this process, and a
 * registry that removes every segment a test created, even when the test failed half-way.
 */
final class SysVTestSupport {

    /** The tests' key range: {@code 0x4a54xxxx} ("JT"), so runs and engineers rarely collide. */
    static final int KEY_BASE = 0x4a540000;

    private SysVTestSupport() {
    }

    /** A key in the test range that has no segment right now. */
    static int unusedKey() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int key = KEY_BASE | ThreadLocalRandom.current().nextInt(1 << 16);
            try {
                SysVSegment.idOf(key);
            } catch (SegmentNotFoundException free) {
                return key;
            }
        }
        throw new IllegalStateException("no free key in " + hexKey(KEY_BASE) + "..0x4a54ffff after 1000 tries:"
                + " remove stale test segments (ipcs -m)");
    }

    /** How {@code ipcs} and jshm's messages show a key. */
    static String hexKey(int key) {
        return String.format("0x%08x", key);
    }

    /** This process's effective user id, from {@code /proc/self/status}. */
    static long euid() {
        return procStatusId("Uid:");
    }

    /** This process's effective group id, from {@code /proc/self/status}. */
    static long egid() {
        return procStatusId("Gid:");
    }

    static boolean isRoot() {
        return euid() == 0;
    }

    private static long procStatusId(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    // "Uid:\treal\teffective\tsaved\tfilesystem"
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " line in /proc/self/status");
    }

    /**
     * Closes the segments and removes (by shmid) the System V segments a test registered. A
     * segment is removed only while it still has the creator pid it had when registered, so an
     * id that the kernel has since reused for someone else's segment is never touched.
     */
    static final class Cleanup {
        private final List<Segment> attachments = new ArrayList<>();
        private final Map<Integer, Long> creatorByShmid = new LinkedHashMap<>();

        /** Registers an attachment to close, and its segment to remove. */
        <T extends SysVSegment> T add(T segment) {
            attachments.add(segment);
            addId(segment.shmid());
            return segment;
        }

        /** Registers a segment to remove by id (one this test created by other means). */
        void addId(int shmid) {
            creatorByShmid.putIfAbsent(shmid, SysVSegment.statById(shmid).cpid());
        }

        /** Closes everything, then removes every registered segment that still exists. */
        void run() {
            RuntimeException failure = null;
            for (Segment segment : attachments) {
                try {
                    segment.close();
                } catch (RuntimeException e) {
                    failure = addFailure(failure, e);
                }
            }
            for (Map.Entry<Integer, Long> entry : creatorByShmid.entrySet()) {
                int shmid = entry.getKey();
                SysVStat stat;
                try {
                    stat = SysVSegment.statById(shmid);
                } catch (ShmException gone) {
                    continue; // already removed and destroyed
                }
                if (stat.cpid() != entry.getValue() || stat.removed()) {
                    continue;
                }
                try {
                    SysVSegment.removeById(shmid);
                } catch (RuntimeException e) {
                    failure = addFailure(failure, e);
                }
            }
            attachments.clear();
            creatorByShmid.clear();
            if (failure != null) {
                throw failure;
            }
        }

        private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
            if (first == null) {
                return next;
            }
            first.addSuppressed(next);
            return first;
        }
    }
}
