package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jshm.stat.SysVStat;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * System V shared memory in the tests: keys from jshm's test range, segments that are removed
 * after a test whatever happened to it, and what {@code ipcs} says.
 */
public final class TestSysV {

    /** The tests' key range: {@code 0x4a54xxxx} ("JT"), so concurrent runs rarely collide. */
    static final int KEY_BASE = 0x4a540000;

    private static final Pattern IPCS_ROW = Pattern.compile("^0x[0-9a-fA-F]+\\s+(\\d+)\\s.*");

    private TestSysV() {
    }

    // ---- keys ----------------------------------------------------------------------------------

    /** A key in the test range that has no segment right now. */
    static int unusedKey() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int key = randomKey();
            try {
                SysVSegment.idOf(key);
            } catch (SegmentNotFoundException free) {
                return key;
            }
        }
        throw new IllegalStateException("no free key in " + hexKey(KEY_BASE) + "..0x4a54ffff after 1000 tries:"
                + " remove stale test segments (ipcs -m)");
    }

    /** A new segment at a key of the test range that no segment used, for tests that need one reachable by key. */
    static SysVSegment createWithFreshKey(long size) {
        for (int attempt = 0; ; attempt++) {
            try {
                return SysVSegment.create(randomKey(), size);
            } catch (SegmentExistsException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static int randomKey() {
        return KEY_BASE | ThreadLocalRandom.current().nextInt(1 << 16);
    }

    /** How {@code ipcs} and jshm's messages show a key. */
    static String hexKey(int key) {
        return String.format("0x%08x", key);
    }

    // ---- cleanup -------------------------------------------------------------------------------

    /** Removes a segment by id, ignoring that it is already gone. */
    static void removeQuietly(int shmid) {
        try {
            SysVSegment.removeById(shmid);
        } catch (SegmentNotFoundException | ShmInvalidArgumentException e) {
            // already gone
        }
    }

    /**
     * Closes the segments and removes (by shmid) the segments a test registered, after each test
     * when it is a field with {@code @RegisterExtension}. A segment is removed only while it
     * still has the creator pid it had when registered, so an id that the kernel has since
     * reused for someone else's segment is never touched.
     */
    static final class Cleanup implements AfterEachCallback {
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

        @Override
        public void afterEach(ExtensionContext context) {
            run();
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

    /**
     * A private segment and a pool of threads for one test, for tests whose threads (and child
     * processes) meet in one segment; a field with {@code @RegisterExtension}. Both are made with
     * the test instance (JUnit makes one per test). After the test the pool must end within 10 s
     * ({@code stuckThreads} says what it means if it does not), then the segment is closed and
     * removed.
     */
    public static final class SharedSegment implements AfterEachCallback {
        private final SysVSegment segment;
        private final ExecutorService pool;
        private final String stuckThreads;

        public SharedSegment(long size, String stuckThreads) {
            this.segment = SysVSegment.createPrivate(size);
            this.pool = Executors.newCachedThreadPool();
            this.stuckThreads = stuckThreads;
        }

        public SysVSegment segment() {
            return segment;
        }

        public ExecutorService pool() {
            return pool;
        }

        @Override
        public void afterEach(ExtensionContext context) throws InterruptedException {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), stuckThreads);
            segment.close();
            segment.remove();
        }
    }

    // ---- the kernel's side ---------------------------------------------------------------------

    /** Locks the segment; a refusal without root (no CAP_IPC_LOCK) aborts the test rather than failing it. */
    static void lockOrAbort(SysVSegment segment) {
        try {
            segment.lock();
        } catch (ShmPermissionException e) {
            Assumptions.assumeTrue(TestShm.isRoot(), "SHM_LOCK needs CAP_IPC_LOCK: " + e.getMessage());
            throw e;
        }
    }

    /** What {@code ipcs ARGS} prints (stdout and stderr), run under {@code LC_ALL=C} and {@code TZ=UTC}; fails unless it exits 0. */
    static String ipcs(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ipcs");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("TZ", "UTC");
        builder.redirectErrorStream(true);
        try {
            TestProcesses.Result result = TestProcesses.run(Duration.ofSeconds(30), builder, null);
            assertEquals(0, result.exit(), command + " failed:\n" + result.out());
            return result.out();
        } catch (IOException e) {
            return fail("cannot run " + command + " (util-linux's ipcs is needed): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted running " + command, e);
        }
    }

    /** The shmids that {@code ipcs -m} lists now (every user's). */
    static Set<Integer> ipcsShmids() {
        Set<Integer> ids = new HashSet<>();
        for (String line : ipcs("-m").split("\n")) {
            Matcher m = IPCS_ROW.matcher(line.trim());
            if (m.matches()) {
                ids.add(Integer.parseInt(m.group(1)));
            }
        }
        return ids;
    }
}
