package dev.jshm.bench.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bulk copies with {@code MemorySegment.copy}; same names as {@code dev.jshm.bench.CopyBench}, and
 * the same array offsets: each of the eight 8-byte places of a cache line in turn (see that
 * project's {@code ArrayOffsets}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CopyBench {

    @Param({"64", "4096", "65536", "1048576", "67108864"})
    public int size;

    private byte[] array;
    /** The array offset of the next call: 0, 8, ..., 56, then 0 again. */
    private int nextOffset;
    private Arena arena;
    private Path file;
    private MemorySegment mapped;
    private MemorySegment allocated;
    private ByteBuffer direct;

    @Setup
    public void setup() {
        array = new byte[size + 64];
        for (int i = 0; i < array.length; i++) {
            array[i] = (byte) i;
        }
        arena = Arena.ofShared();
        file = Mapped.newPath("ffm-copy");
        mapped = Mapped.create(file, size, arena);
        allocated = arena.allocate(size, 4096);
        direct = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        MemorySegment.copy(array, 0, mapped, ValueLayout.JAVA_BYTE, 0, size);
        MemorySegment.copy(array, 0, allocated, ValueLayout.JAVA_BYTE, 0, size);
        direct.put(0, array, 0, size);
    }

    private int arrayOffset() {
        int at = nextOffset;
        nextOffset = (at + Long.BYTES) & 63;
        return at;
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Mapped.delete(file);
    }

    @Benchmark
    public byte[] read_ffmMapped() {
        MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, 0, array, arrayOffset(), size);
        return array;
    }

    @Benchmark
    public byte[] read_ffmArena() {
        MemorySegment.copy(allocated, ValueLayout.JAVA_BYTE, 0, array, arrayOffset(), size);
        return array;
    }

    @Benchmark
    public byte[] read_directByteBuffer() {
        direct.get(0, array, arrayOffset(), size);
        return array;
    }

    @Benchmark
    public void write_ffmMapped() {
        MemorySegment.copy(array, arrayOffset(), mapped, ValueLayout.JAVA_BYTE, 0, size);
    }

    @Benchmark
    public void write_ffmArena() {
        MemorySegment.copy(array, arrayOffset(), allocated, ValueLayout.JAVA_BYTE, 0, size);
    }

    @Benchmark
    public void write_directByteBuffer() {
        direct.put(0, array, arrayOffset(), size);
    }
}
