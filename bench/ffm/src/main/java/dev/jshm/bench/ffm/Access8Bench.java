package dev.jshm.bench.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * 8-byte access through FFM: {@code ffmMapped} is a /dev/shm file mapped into a shared arena,
 * {@code ffmArena} is {@code Arena.ofShared().allocate}. Same operations and names as
 * {@code dev.jshm.bench.Access8Bench}; {@code directByteBuffer} is the baseline on this JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Access8Bench {

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int SIZE = 4096;

    private Arena arena;
    private Path file;
    private MemorySegment mapped;
    private MemorySegment allocated;
    private ByteBuffer direct;
    private long offset = 64;
    private long value = 42;
    private long expectedMapped;
    private long expectedAllocated;
    private long expectedDirect;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        file = Mapped.newPath("ffm-access8");
        mapped = Mapped.create(file, SIZE, arena);
        allocated = arena.allocate(SIZE, 4096);
        direct = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
        Mapped.touch(mapped);
        Mapped.touch(allocated);
        mapped.set(ValueLayout.JAVA_LONG, offset, 0);
        allocated.set(ValueLayout.JAVA_LONG, offset, 0);
        direct.putLong((int) offset, 0);
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Mapped.delete(file);
    }

    @Benchmark
    public long getPlain_ffmMapped() {
        return mapped.get(ValueLayout.JAVA_LONG, offset);
    }

    @Benchmark
    public long getPlain_ffmArena() {
        return allocated.get(ValueLayout.JAVA_LONG, offset);
    }

    @Benchmark
    public long getPlain_directByteBuffer() {
        return direct.getLong((int) offset);
    }

    @Benchmark
    public void putPlain_ffmMapped() {
        mapped.set(ValueLayout.JAVA_LONG, offset, value);
    }

    @Benchmark
    public void putPlain_ffmArena() {
        allocated.set(ValueLayout.JAVA_LONG, offset, value);
    }

    @Benchmark
    public void putPlain_directByteBuffer() {
        direct.putLong((int) offset, value);
    }

    @Benchmark
    public long getVolatile_ffmMapped() {
        return (long) LONG.getVolatile(mapped, offset);
    }

    @Benchmark
    public long getVolatile_ffmArena() {
        return (long) LONG.getVolatile(allocated, offset);
    }

    @Benchmark
    public long getVolatile_directByteBuffer() {
        return (long) LONGS.getVolatile(direct, (int) offset);
    }

    @Benchmark
    public void putRelease_ffmMapped() {
        LONG.setRelease(mapped, offset, value);
    }

    @Benchmark
    public void putRelease_ffmArena() {
        LONG.setRelease(allocated, offset, value);
    }

    @Benchmark
    public void putRelease_directByteBuffer() {
        LONGS.setRelease(direct, (int) offset, value);
    }

    @Benchmark
    public void putVolatile_ffmMapped() {
        LONG.setVolatile(mapped, offset, value);
    }

    @Benchmark
    public void putVolatile_ffmArena() {
        LONG.setVolatile(allocated, offset, value);
    }

    @Benchmark
    public void putVolatile_directByteBuffer() {
        LONGS.setVolatile(direct, (int) offset, value);
    }

    @Benchmark
    public boolean cas_ffmMapped() {
        long e = expectedMapped;
        expectedMapped = e + 1;
        return LONG.compareAndSet(mapped, offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_ffmArena() {
        long e = expectedAllocated;
        expectedAllocated = e + 1;
        return LONG.compareAndSet(allocated, offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_directByteBuffer() {
        long e = expectedDirect;
        expectedDirect = e + 1;
        return LONGS.compareAndSet(direct, (int) offset, e, e + 1);
    }

    @Benchmark
    public long getAndAdd_ffmMapped() {
        return (long) LONG.getAndAdd(mapped, offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_ffmArena() {
        return (long) LONG.getAndAdd(allocated, offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_directByteBuffer() {
        return (long) LONGS.getAndAdd(direct, (int) offset + 8, 1L);
    }
}
