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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bulk copies with {@code MemorySegment.copy}; same names as {@code dev.jshm.bench.CopyBench}, and
 * the same array offsets: eight places, one in each eighth of a page and each at another 8-byte
 * place of a cache line, in turn (see that project's {@code ArrayOffsets}), and the same memories: up to 1 MiB, five of each way, the next
 * one at each iteration (see that project's {@code CopyBench.MAPPINGS}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CopyBench {

    @Param({"64", "4096", "65536", "1048576", "67108864"})
    public int size;

    /** As {@code dev.jshm.bench.CopyBench.MAPPINGS}: memories per way up to 1 MiB. */
    static final int MAPPINGS = 5;

    private byte[] array;
    /** As {@code dev.jshm.bench.ArrayOffsets}: the places a copy cycles through, and the step between them. */
    static final int PLACES = 8;
    static final int PLACE_STEP = 4096 / PLACES + Long.BYTES;
    /** The place of the next call's array offset. */
    private int nextPlace;
    private Arena arena;
    private Path[] files;
    private MemorySegment[] mappeds;
    private MemorySegment[] allocateds;
    private ByteBuffer[] directs;
    private int iteration;
    // This iteration's memories: one of each array above.
    private MemorySegment mapped;
    private MemorySegment allocated;
    private ByteBuffer direct;

    @Setup
    public void setup() {
        array = new byte[size + (PLACES - 1) * PLACE_STEP];
        for (int i = 0; i < array.length; i++) {
            array[i] = (byte) i;
        }
        arena = Arena.ofShared();
        int count = size <= 1 << 20 ? MAPPINGS : 1;
        files = new Path[count];
        mappeds = new MemorySegment[count];
        allocateds = new MemorySegment[count];
        directs = new ByteBuffer[count];
        for (int k = 0; k < count; k++) {
            files[k] = Mapped.newPath("ffm-copy");
            mappeds[k] = Mapped.create(files[k], size, arena);
            allocateds[k] = arena.allocate(size, 4096);
            // Starts a page, as dev.jshm.bench.CopyBench's direct buffers: alignedSlice rounds
            // both ends to pages, hence the whole pages.
            int pages = (int) ((size + 4095L) / 4096);
            directs[k] = ByteBuffer.allocateDirect((pages + 1) * 4096).alignedSlice(4096).slice(0, size).order(ByteOrder.nativeOrder());
            MemorySegment.copy(array, 0, mappeds[k], ValueLayout.JAVA_BYTE, 0, size);
            MemorySegment.copy(array, 0, allocateds[k], ValueLayout.JAVA_BYTE, 0, size);
            directs[k].put(0, array, 0, size);
        }
    }

    /** Every way moves to its next memory. */
    @Setup(Level.Iteration)
    public void nextMemories() {
        int k = iteration++ % files.length;
        mapped = mappeds[k];
        allocated = allocateds[k];
        direct = directs[k];
    }

    private int arrayOffset() {
        int at = nextPlace * PLACE_STEP;
        nextPlace = (nextPlace + 1) & (PLACES - 1);
        return at;
    }

    @TearDown
    public void tearDown() {
        arena.close();
        for (Path file : files) {
            Mapped.delete(file);
        }
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
