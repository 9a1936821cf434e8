package dev.jshm.bench.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A 64 KiB /dev/shm file created, mapped, unmapped and deleted with FFM: a confined arena (one
 * thread; closing a shared arena adds a handshake with every thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LifecycleBench {

    static final int SIZE = 65536;
    private Path existing;

    @Setup
    public void setup() {
        existing = Mapped.newPath("ffm-life");
        try (Arena arena = Arena.ofConfined()) {
            Mapped.create(existing, SIZE, arena);
        }
    }

    @TearDown
    public void tearDown() {
        Mapped.delete(existing);
    }

    @Benchmark
    public void fileCycle_ffm() {
        Path path = Mapped.newPath("ffm-cyc");
        try (Arena arena = Arena.ofConfined()) {
            Mapped.create(path, SIZE, arena);
        }
        Mapped.delete(path);
    }

    @Benchmark
    public long fileAttach_ffm() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = Mapped.open(existing, arena);
            return segment.byteSize();
        }
    }
}
