package dev.jshm.bench.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The first write to each page of a freshly mapped /dev/shm file, per page. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FirstTouchBench {

    static final int PAGES = 256;
    static final int PAGE = 4096;
    static final int SIZE = PAGES * PAGE;

    private Arena arena;
    private MemorySegment segment;

    @Setup(Level.Invocation)
    public void setup() {
        Path path = Mapped.newPath("ffm-touch");
        arena = Arena.ofConfined();
        segment = Mapped.create(path, SIZE, arena);
        Mapped.delete(path);
    }

    @TearDown(Level.Invocation)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void filePage_ffm() {
        for (long off = 0; off < SIZE; off += PAGE) {
            segment.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
        }
    }
}
