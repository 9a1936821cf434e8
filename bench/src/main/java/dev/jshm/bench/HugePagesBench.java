package dev.jshm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.MappedFileSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A large segment (64 MiB) with and without huge pages: {@code firstTouch} writes one byte per
 * 4 KiB of a fresh segment (per 4 KiB: with huge pages one fault allocates and clears 2 MiB at a
 * time), {@code random8} reads a {@code long} at a random aligned offset of a touched segment,
 * each offset depending on the previous read (with 4 KiB pages most reads miss the TLB; 32 huge
 * pages fit in it).
 *
 * <p>Ways: {@code jshmSysV} and {@code jshmSysVHuge} ({@code SHM_HUGETLB}); {@code jshmFile} (a
 * /dev/shm file, tmpfs pages) and {@code jshmFileHuge} (a file on the hugetlbfs mounted at the
 * directory named by the system property {@value #MOUNT_PROPERTY}). bench/run.sh reserves the huge
 * pages, mounts the hugetlbfs, runs this class on its own and gives both back; without them it
 * does not run this class (every way here would fail at set-up).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = "-Xmn16m")
public class HugePagesBench {

    static final String MOUNT_PROPERTY = "jshm.bench.hugetlbfs";
    static final long SIZE = 64L << 20;
    static final int SMALL_PAGE = 4096;
    static final int SMALL_PAGES = (int) (SIZE / SMALL_PAGE);
    /** Aligned offsets of a long inside the segment. */
    static final long OFFSET_MASK = (SIZE - 1) & ~7L;

    /** One kind of segment, made fresh (for first touch) or once and touched (for random reads). */
    abstract static class Memory {
        Segment segment;
        private Path file;

        abstract boolean huge();

        abstract boolean sysv();

        void open() throws Exception {
            if (sysv()) {
                SysVSegment.Builder builder = SysVSegment.builder().size(SIZE);
                SysVSegment s = (huge() ? builder.hugePages() : builder).create();
                s.remove();
                segment = s;
            } else {
                Path dir = huge() ? Path.of(System.getProperty(MOUNT_PROPERTY, "(no -D" + MOUNT_PROPERTY + ")")) : DevShm.DIR;
                file = dir.resolve(DevShm.uniqueName("huge"));
                segment = MappedFileSegment.create(file, SIZE);
                Files.delete(file);
            }
        }

        void close() {
            segment.close();
        }
    }

    /** Fresh memory per invocation: creation and removal are not timed. */
    abstract static class Fresh extends Memory {
        @Setup(Level.Invocation)
        public void setup() throws Exception {
            open();
        }

        @TearDown(Level.Invocation)
        public void tearDown() {
            close();
        }
    }

    /** Memory made once per trial and touched whole before timing. */
    abstract static class Touched extends Memory {
        long x = 0x9E3779B97F4A7C15L;
        long last;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            open();
            for (long off = 0; off < SIZE; off += SMALL_PAGE) {
                segment.putByte(off, (byte) 1);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    @State(Scope.Thread)
    public static class FreshSysV extends Fresh {
        boolean huge() { return false; }
        boolean sysv() { return true; }
    }

    @State(Scope.Thread)
    public static class FreshSysVHuge extends Fresh {
        boolean huge() { return true; }
        boolean sysv() { return true; }
    }

    @State(Scope.Thread)
    public static class FreshFile extends Fresh {
        boolean huge() { return false; }
        boolean sysv() { return false; }
    }

    @State(Scope.Thread)
    public static class FreshFileHuge extends Fresh {
        boolean huge() { return true; }
        boolean sysv() { return false; }
    }

    @State(Scope.Thread)
    public static class TouchedSysV extends Touched {
        boolean huge() { return false; }
        boolean sysv() { return true; }
    }

    @State(Scope.Thread)
    public static class TouchedSysVHuge extends Touched {
        boolean huge() { return true; }
        boolean sysv() { return true; }
    }

    @State(Scope.Thread)
    public static class TouchedFile extends Touched {
        boolean huge() { return false; }
        boolean sysv() { return false; }
    }

    @State(Scope.Thread)
    public static class TouchedFileHuge extends Touched {
        boolean huge() { return true; }
        boolean sysv() { return false; }
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_PAGES)
    public void firstTouch_jshmSysV(FreshSysV m) {
        touch(m.segment);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_PAGES)
    public void firstTouch_jshmSysVHuge(FreshSysVHuge m) {
        touch(m.segment);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_PAGES)
    public void firstTouch_jshmFile(FreshFile m) {
        touch(m.segment);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_PAGES)
    public void firstTouch_jshmFileHuge(FreshFileHuge m) {
        touch(m.segment);
    }

    @Benchmark
    public long random8_jshmSysV(TouchedSysV m) {
        return random(m);
    }

    @Benchmark
    public long random8_jshmSysVHuge(TouchedSysVHuge m) {
        return random(m);
    }

    @Benchmark
    public long random8_jshmFile(TouchedFile m) {
        return random(m);
    }

    @Benchmark
    public long random8_jshmFileHuge(TouchedFileHuge m) {
        return random(m);
    }

    private static void touch(Segment segment) {
        for (long off = 0; off < SIZE; off += SMALL_PAGE) {
            segment.putByte(off, (byte) 1);
        }
    }

    /**
     * One read at the next offset of a xorshift sequence, mixed with the value the previous read
     * returned: each read waits for the one before, so the time is one read's latency (page walk
     * included), not the overlap of many.
     */
    private static long random(Touched m) {
        long x = m.x;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        m.x = x;
        long value = m.segment.getLong((x ^ m.last) & OFFSET_MASK);
        m.last = value;
        return value;
    }
}
