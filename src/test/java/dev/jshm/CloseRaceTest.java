package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Segment#close()} racing readers and writers never hurts: no crash, no exception but
 * the documented {@link IllegalStateException}, no segment left behind; and racing closes
 * detach exactly once. Bounded for a small shared machine: a few seconds per test.
 */
class CloseRaceTest {

    private Set<Path> crashLogsBefore;

    @BeforeEach
    void rememberCrashLogs() throws IOException {
        crashLogsBefore = new HashSet<>(TestProcesses.crashLogs(TestProcesses.targetDir()));
    }

    @AfterEach
    void noNewCrashLogs() throws IOException {
        Set<Path> now = new HashSet<>(TestProcesses.crashLogs(TestProcesses.targetDir()));
        now.removeAll(crashLogsBefore);
        assertTrue(now.isEmpty(), "a JVM crashed during the test: " + now);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeRacingEightWorkersNeverHurts() throws Exception {
        CloseRace.Result result = CloseRace.run(300, 1);
        System.out.println(result.summary());

        assertTrue(result.unexpected().isEmpty(), describe(result.unexpected()));
        assertEquals(300, result.shmids().size());
        assertEquals(300, result.shmids().stream().distinct().count(), "one segment per round");
        // The view worker used its view after every close: deterministic use after close.
        assertEquals(300, result.viewPassesAfterClose());
        Set<Integer> listed = TestSysV.ipcsShmids();
        List<Integer> left = result.shmids().stream().filter(listed::contains).collect(Collectors.toList());
        assertTrue(left.isEmpty(), "segments still listed by ipcs -m: " + left);
    }

    /**
     * Eight threads call close() at the same moment: every call returns normally, the
     * attachment count seen from a second attachment drops by exactly one, and afterwards every
     * closer's own access throws.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void simultaneousClosesDetachExactlyOnce() throws Exception {
        int closers = 8;
        for (int round = 0; round < 100; round++) {
            SysVSegment segment = SysVSegment.createPrivate(4096);
            SysVSegment other = null;
            try {
                other = SysVSegment.openById(segment.shmid(), Access.READ_WRITE);
                segment.remove();
                assertEquals(2, other.stat().attachments());

                CyclicBarrier barrier = new CyclicBarrier(closers);
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < closers; i++) {
                    Thread thread = new Thread(() -> {
                        try {
                            barrier.await(10, TimeUnit.SECONDS);
                            segment.close();
                            if (!segment.isClosed()) {
                                failures.add(new AssertionError("isClosed() false after close() returned"));
                            }
                            try {
                                segment.putByte(0, (byte) 1);
                                failures.add(new AssertionError("putByte succeeded after this thread's close() returned"));
                            } catch (IllegalStateException expected) {
                                // documented
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }, "closer-" + i);
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    thread.join(20_000);
                    assertFalse(thread.isAlive(), thread.getName() + " hangs");
                }
                assertTrue(failures.isEmpty(), "round " + round + ": " + describe(failures));
                assertEquals(1, other.stat().attachments(), "round " + round + ": attachments must drop by exactly one");
                assertEquals(0, other.getByte(0), "round " + round + ": a write after close reached the segment");
                other.putLong(8, round);
                assertEquals(round, other.getLong(8), "the other attachment is untouched");
            } finally {
                if (other != null) {
                    other.close();
                }
                segment.close();
                TestSysV.removeQuietly(segment.shmid());
            }
        }
    }

    /**
     * The same race in a child JVM with -Xcheck:jni: if the protection were luck, a crash would
     * show here as an exit code and an hs_err file, not as a silently vanished test JVM.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theRaceInAChildJvmExitsCleanly(@TempDir Path workDir) throws Exception {
        assertTrue(TestProcesses.seesTestClasses(),
                "the child's class path misses the test classes: " + TestProcesses.classPath());
        TestProcesses.Result outcome = TestProcesses.runJvm(Duration.ofSeconds(100), workDir, CloseRaceMain.class, "150");

        assertEquals(0, outcome.exit(), outcome.describe());
        assertTrue(outcome.output().contains("close race: rounds=150 unexpected=0 viewPassesAfterClose=150 "),
                outcome.describe());
        assertTrue(outcome.output().contains(" segmentsLeft=0"), outcome.describe());
        assertTrue(TestProcesses.crashLogs(workDir).isEmpty(), "the child crashed: " + TestProcesses.crashLogs(workDir));
        assertFalse(outcome.output().contains("FATAL ERROR"), outcome.describe());
    }

    private static String describe(List<Throwable> throwables) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.println(throwables.size() + " unexpected:");
        throwables.stream().limit(10).forEach(t -> t.printStackTrace(out));
        out.flush();
        return text.toString();
    }
}
