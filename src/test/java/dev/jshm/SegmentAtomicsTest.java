package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both atomics paths: every method, every check, and concurrency whose forbidden outcome is named. */
class SegmentAtomicsTest {

    private static final int SIZE = 4096;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    private SysVSegment segment;

    @TempDir
    Path files;

    @BeforeEach
    void createSegment() {
        segment = SysVSegment.createPrivate(SIZE);
    }

    /** A POSIX object for the "Posix" paths: its Java atomics check for truncation after each access. */
    private PosixSegment posix;

    @AfterEach
    void removeSegment() {
        segment.close();
        segment.remove();
        if (posix != null) {
            posix.close();
        }
    }

    /**
     * The atomics under test: Java or native, on the System V segment (whose Java atomics take
     * the fast path without a truncation check) or, for "javaPosix" and "nativePosix", on a POSIX
     * object of the same size.
     */
    private SegmentAtomics path(String which) {
        Segment s = segment;
        if (which.endsWith("Posix")) {
            posix = PosixSegment.create(TestShm.uniqueName(), SIZE);
            posix.unlink();
            s = posix;
        }
        return which.startsWith("java") ? s.atomics() : s.nativeAtomics();
    }

    // ---- every method -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"java", "native", "javaPosix", "nativePosix"})
    void everyIntOperation(String which) {
        SegmentAtomics a = path(which);
        long at = 64;

        a.putIntVolatile(at, 7);
        assertEquals(7, a.getIntVolatile(at));
        assertEquals(7, a.segment().getInt(at), "the value is in the segment, native byte order");
        a.putIntRelease(at, -3);
        assertEquals(-3, a.getIntAcquire(at));
        assertEquals(-3, a.getIntVolatile(at));

        assertTrue(a.compareAndSetInt(at, -3, 10));
        assertEquals(10, a.getIntVolatile(at));
        assertFalse(a.compareAndSetInt(at, -3, 99), "a CAS from a stale value must fail");
        assertEquals(10, a.getIntVolatile(at), "a failed CAS must not write");

        assertEquals(10, a.getAndAddInt(at, 5));
        assertEquals(15, a.getIntVolatile(at));
        assertEquals(15, a.getAndAddInt(at, -20));
        assertEquals(-5, a.getIntVolatile(at));
        a.putIntVolatile(at, Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, a.getAndAddInt(at, 1));
        assertEquals(Integer.MIN_VALUE, a.getIntVolatile(at), "getAndAdd wraps around");

        assertEquals(Integer.MIN_VALUE, a.getAndSetInt(at, 42));
        assertEquals(42, a.getIntVolatile(at));

        assertEquals(0, a.segment().getInt(at - 4), "the int before is untouched");
        assertEquals(0, a.segment().getInt(at + 4), "the int after is untouched");

        // The last int of the segment is reachable.
        a.putIntVolatile(SIZE - 4, 0x01020304);
        assertEquals(0x01020304, a.getIntAcquire(SIZE - 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native", "javaPosix", "nativePosix"})
    void everyLongOperation(String which) {
        SegmentAtomics a = path(which);
        long at = 128;

        a.putLongVolatile(at, 1L << 40);
        assertEquals(1L << 40, a.getLongVolatile(at));
        assertEquals(1L << 40, a.segment().getLong(at), "the value is in the segment, native byte order");
        a.putLongRelease(at, -3);
        assertEquals(-3, a.getLongAcquire(at));
        assertEquals(-3, a.getLongVolatile(at));

        assertTrue(a.compareAndSetLong(at, -3, 1L << 50));
        assertEquals(1L << 50, a.getLongVolatile(at));
        assertFalse(a.compareAndSetLong(at, -3, 99), "a CAS from a stale value must fail");
        assertEquals(1L << 50, a.getLongVolatile(at), "a failed CAS must not write");

        assertEquals(1L << 50, a.getAndAddLong(at, 5));
        assertEquals((1L << 50) + 5, a.getLongVolatile(at));
        a.putLongVolatile(at, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, a.getAndAddLong(at, 1));
        assertEquals(Long.MIN_VALUE, a.getLongVolatile(at), "getAndAdd wraps around");

        assertEquals(Long.MIN_VALUE, a.getAndSetLong(at, 42));
        assertEquals(42, a.getLongVolatile(at));

        assertEquals(0, a.segment().getLong(at - 8), "the long before is untouched");
        assertEquals(0, a.segment().getLong(at + 8), "the long after is untouched");

        a.putLongVolatile(SIZE - 8, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, a.getLongAcquire(SIZE - 8));
    }

    @Test
    void theSegmentHandsOutItsAtomics() {
        assertInstanceOf(JavaAtomics.class, segment.atomics());
        assertInstanceOf(NativeAtomics.class, segment.nativeAtomics());
        assertSame(segment.atomics(), segment.atomics());
        assertSame(segment.nativeAtomics(), segment.nativeAtomics());
        assertSame(segment, segment.atomics().segment());
    }

    // ---- checks ---------------------------------------------------------------------------------

    /** Every method, as a call at an offset; the int ones first. */
    private static Map<String, Consumer<Long>> calls(SegmentAtomics a) {
        return Map.ofEntries(
                Map.entry("getIntVolatile", o -> a.getIntVolatile(o)),
                Map.entry("putIntVolatile", o -> a.putIntVolatile(o, 1)),
                Map.entry("getIntAcquire", o -> a.getIntAcquire(o)),
                Map.entry("putIntRelease", o -> a.putIntRelease(o, 1)),
                Map.entry("compareAndSetInt", o -> a.compareAndSetInt(o, 0, 1)),
                Map.entry("getAndAddInt", o -> a.getAndAddInt(o, 1)),
                Map.entry("getAndSetInt", o -> a.getAndSetInt(o, 1)),
                Map.entry("getLongVolatile", o -> a.getLongVolatile(o)),
                Map.entry("putLongVolatile", o -> a.putLongVolatile(o, 1)),
                Map.entry("getLongAcquire", o -> a.getLongAcquire(o)),
                Map.entry("putLongRelease", o -> a.putLongRelease(o, 1)),
                Map.entry("compareAndSetLong", o -> a.compareAndSetLong(o, 0, 1)),
                Map.entry("getAndAddLong", o -> a.getAndAddLong(o, 1)),
                Map.entry("getAndSetLong", o -> a.getAndSetLong(o, 1)));
    }

    private static boolean isWrite(String method) {
        return !method.startsWith("getInt") && !method.startsWith("getLong");
    }

    private static int width(String method) {
        return method.contains("Int") ? 4 : 8;
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void misalignedOffsetsAreRefusedBeforeAnyAccess(String which) {
        byte[] before = new byte[SIZE];
        segment.read(0, before);
        calls(path(which)).forEach((method, call) -> {
            int width = width(method);
            for (long offset = 1; offset < width; offset++) {
                long misaligned = 256 + offset;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(misaligned),
                        method + " at " + misaligned);
                assertTrue(e.getMessage().contains("offset=" + misaligned), e.getMessage());
                assertTrue(e.getMessage().contains(width + "-byte aligned"), e.getMessage());
                assertTrue(e.getMessage().contains(method), e.getMessage());
            }
        });
        byte[] after = new byte[SIZE];
        segment.read(0, after);
        assertArrayEquals(before, after, "a refused access must not touch the memory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native", "javaPosix", "nativePosix"})
    void offsetsOutsideTheSegmentAreRefused(String which) {
        calls(path(which)).forEach((method, call) -> {
            int width = width(method);
            // -1, then size-3 (int) or size-7 (long): the last byte inside, the rest outside.
            for (long offset : new long[] {-1, -width, SIZE - width + 1, SIZE - 3, SIZE, SIZE + width, Long.MAX_VALUE,
                    Long.MIN_VALUE}) {
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> call.accept(offset),
                        method + " at " + offset);
                assertTrue(e.getMessage().contains("offset=" + offset), e.getMessage());
                assertTrue(e.getMessage().contains("size=" + SIZE), e.getMessage());
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void useAfterCloseIsRefused(String which) {
        SegmentAtomics a = path(which);
        a.putLongVolatile(0, 5);
        segment.close();
        calls(a).forEach((method, call) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> call.accept(0L), method);
            assertTrue(e.getMessage().startsWith("Already closed"), e.getMessage());
        });
        assertThrows(IllegalStateException.class, segment::atomics);
        assertThrows(IllegalStateException.class, segment::nativeAtomics);
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void readOnlySegmentsRefuseWrites(String which) {
        String name = "/jshm-atomics-ro-" + ProcessHandle.current().pid() + "-" + which;
        try (PosixSegment writer = PosixSegment.create(name, SIZE)) {
            try {
                writer.putInt(8, 11);
                writer.putLong(16, 22);
                try (PosixSegment reader = PosixSegment.open(name, Access.READ_ONLY)) {
                    SegmentAtomics a = which.equals("java") ? reader.atomics() : reader.nativeAtomics();
                    assertEquals(11, a.getIntVolatile(8));
                    assertEquals(11, a.getIntAcquire(8));
                    assertEquals(22, a.getLongVolatile(16));
                    assertEquals(22, a.getLongAcquire(16));
                    calls(a).forEach((method, call) -> {
                        if (isWrite(method)) {
                            ReadOnlySegmentException e = assertThrows(ReadOnlySegmentException.class, () -> call.accept(32L), method);
                            assertTrue(e.getMessage().contains(method), e.getMessage());
                        }
                    });
                    assertEquals(0, writer.getLong(32), "a refused write must not reach the memory");
                }
            } finally {
                writer.unlink();
            }
        }
    }

    /** The order SegmentAtomics promises: closed, then bounds, then read-only, then alignment. */
    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void theChecksComeInTheDocumentedOrder(String which) {
        String name = "/jshm-atomics-order-" + ProcessHandle.current().pid() + "-" + which;
        try (PosixSegment writer = PosixSegment.create(name, SIZE)) {
            try {
                try (PosixSegment reader = PosixSegment.open(name, Access.READ_ONLY)) {
                    SegmentAtomics a = which.equals("java") ? reader.atomics() : reader.nativeAtomics();
                    Map<String, Consumer<Long>> calls = calls(a);
                    calls.forEach((method, call) -> {
                        // Misaligned and outside: the bounds come first.
                        assertThrows(IndexOutOfBoundsException.class, () -> call.accept(SIZE + 1L), method);
                        if (isWrite(method)) {
                            // Misaligned on a read-only segment: read-only comes first.
                            assertThrows(ReadOnlySegmentException.class, () -> call.accept(257L), method);
                        } else {
                            assertThrows(IllegalArgumentException.class, () -> call.accept(257L), method);
                        }
                    });
                    reader.close();
                    // Closed, misaligned and outside: closed comes first.
                    calls.forEach((method, call) -> assertThrows(IllegalStateException.class, () -> call.accept(SIZE + 1L),
                            method));
                }
            } finally {
                writer.unlink();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void aFileMappedFromAnUnalignedOffsetIsRefusedNamingTheAddress(String which) {
        Path file = files.resolve("unaligned");
        try (MappedFileSegment whole = MappedFileSegment.create(file, 8192)) {
            try (MappedFileSegment shifted = MappedFileSegment.builder(file).offset(4).size(4096).open()) {
                SegmentAtomics a = which.equals("java") ? shifted.atomics() : shifted.nativeAtomics();
                // The segment starts at file offset 4: ints are aligned in memory, longs are not.
                a.putIntVolatile(0, 1);
                assertEquals(1, whole.getInt(4));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.getLongVolatile(8));
                assertTrue(e.getMessage().contains("offset=8"), e.getMessage());
                assertTrue(e.getMessage().contains("memory starts 4 bytes past a 8-byte boundary"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> a.getAndAddLong(4, 1));
                assertTrue(e.getMessage().contains("offset 4 is not 8-byte aligned"), e.getMessage());
                assertEquals(0, whole.getLong(8), "a refused access must not touch the memory");
            }
        }
    }

    /**
     * Java checks first, but the C core checks again: called directly with a bad offset, the
     * natives refuse without touching memory (the atomics throw, the others return -errno).
     */
    @Test
    void theCCoreRefusesWhatJavaWouldHaveRefused() {
        Mapping m = segment.readable("test", 0, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> Native.atomicGetIntVolatile(m.address, m.size, m.size));
        assertThrows(IndexOutOfBoundsException.class, () -> Native.atomicGetAndAddLong(m.address, m.size, m.size - 4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Native.atomicPutLongVolatile(m.address, m.size, -8, 1));
        assertThrows(IllegalArgumentException.class, () -> Native.atomicCompareAndSetInt(m.address, m.size, 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Native.atomicGetAndSetLong(m.address, m.size, 4, 1));
        assertEquals(-Errors.ERANGE, Native.futexWait(m.address, m.size, m.size, 0, 0));
        assertEquals(-Errors.EINVAL, Native.futexWake(m.address, m.size, 2, 1));
        assertEquals(-Errors.EINVAL, Native.futexWake(m.address, m.size, 0, 0));
        assertEquals(-Errors.ERANGE, Native.lockInit(m.address, m.size, m.size - 8));
        assertEquals(-Errors.EINVAL, Native.lockInit(m.address, m.size, 4));
        byte[] all = new byte[SIZE];
        segment.read(0, all);
        assertArrayEquals(new byte[SIZE], all, "nothing was written");
    }

    // ---- the two paths together -----------------------------------------------------------------

    @Test
    void theJavaAndNativePathsSeeEachOthersWrites() {
        SegmentAtomics java = segment.atomics();
        SegmentAtomics c = segment.nativeAtomics();
        for (int i = 0; i < 1000; i++) {
            java.putIntVolatile(0, i);
            assertEquals(i, c.getIntVolatile(0));
            c.putIntRelease(4, -i);
            assertEquals(-i, java.getIntAcquire(4));
            assertTrue(java.compareAndSetLong(8, c.getLongVolatile(8), i * 3L));
            assertEquals(i * 3L, c.getAndSetLong(8, i * 5L));
            assertEquals(i * 5L, java.getAndAddLong(8, 1));
            assertEquals(i * 5L + 1, c.getLongAcquire(8));
            c.putLongVolatile(16, (long) i << 32);
            assertEquals((long) i << 32, java.getLongVolatile(16));
        }
    }

    /**
     * Four threads, two on each path, each add 1 to one long a million times. Forbidden outcome:
     * any total other than 4,000,000 (a lost update: two increments that read the same value).
     */
    @Test
    void concurrentGetAndAddLosesNoUpdate() throws Exception {
        int threads = 4;
        int perThread = 1_000_000;
        assertEquals((long) threads * perThread, hammer(threads, i -> {
            SegmentAtomics a = i % 2 == 0 ? segment.atomics() : segment.nativeAtomics();
            return () -> {
                for (int n = 0; n < perThread; n++) {
                    a.getAndAddLong(8, 1);
                }
            };
        }, () -> segment.atomics().getLongVolatile(8)));
    }

    /**
     * Four threads increment one int with compare-and-set loops, two on each path. Forbidden
     * outcome: a total other than the number of successful CASes (two CASes from the same
     * expected value both succeeding).
     */
    @Test
    void compareAndSetCountersAcrossPathsAreExact() throws Exception {
        int threads = 4;
        int perThread = 250_000;
        AtomicLong failures = new AtomicLong();
        assertEquals((long) threads * perThread, hammer(threads, i -> {
            SegmentAtomics a = i % 2 == 0 ? segment.atomics() : segment.nativeAtomics();
            return () -> {
                for (int n = 0; n < perThread; n++) {
                    int seen;
                    do {
                        seen = a.getIntVolatile(0);
                    } while (!a.compareAndSetInt(0, seen, seen + 1) && failures.incrementAndGet() > 0);
                }
            };
        }, () -> (long) segment.atomics().getIntVolatile(0)));
    }

    /**
     * Message passing: a writer puts data with plain writes, then a counter with a release store
     * (native path); a reader that sees the counter with an acquire load (Java path) must see the
     * data. Forbidden outcome: the counter is new but the data is old.
     */
    @Test
    void releaseStoresPublishDataToAcquireLoads() throws Exception {
        int rounds = 200_000;
        SegmentAtomics writer = segment.nativeAtomics();
        SegmentAtomics reader = segment.atomics();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Long> seen = pool.submit(() -> {
                    long stale = 0;
                    long last = 0;
                    while (last < rounds) {
                        long counter = reader.getLongAcquire(0);
                        if (counter != last) {
                            if (segment.getLong(64) < counter || segment.getLong(128) < counter) {
                                stale++;
                            }
                            last = counter;
                        }
                    }
                    return stale;
                });
                pool.submit(() -> {
                    for (long i = 1; i <= rounds; i++) {
                        segment.putLong(64, i);
                        segment.putLong(128, i);
                        writer.putLongRelease(0, i);
                    }
                }).get();
                assertEquals(0, seen.get(), "reads of data older than the counter that published it");
            } finally {
                pool.shutdownNow();
            }
        });
    }

    /**
     * Two processes, one counter: a child JVM increments with compare-and-set on the Java path
     * while this JVM does on the native path. Forbidden outcome: a total other than the sum.
     */
    @Test
    void compareAndSetCounterAcrossTwoProcesses() throws Exception {
        int n = 200_000;
        try (TestProcesses.Child child = TestProcesses.startJvm(segment.locator(), SyncChild.class,
                "cas-count", "24", Integer.toString(n), "java")) {
            child.expectLine("ready", CHILD_TIMEOUT);
            child.send("go");
            SegmentAtomics a = segment.nativeAtomics();
            for (int i = 0; i < n; i++) {
                long seen;
                do {
                    seen = a.getLongVolatile(24);
                } while (!a.compareAndSetLong(24, seen, seen + 1));
            }
            child.expectLine("done", CHILD_TIMEOUT);
            assertEquals(0, child.waitFor(CHILD_TIMEOUT), child::describe);
        }
        assertEquals(2L * n, segment.atomics().getLongVolatile(24));
    }

    /** Runs {@code threads} tasks at once (a latch starts them together) and returns {@code result}. */
    private static long hammer(int threads, Function<Integer, Runnable> task, java.util.function.LongSupplier result)
            throws Exception {
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Runnable r = task.apply(i);
                    done.add(pool.submit(() -> {
                        start.await();
                        r.run();
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
                return result.getAsLong();
            } finally {
                pool.shutdownNow();
            }
        });
    }
}
