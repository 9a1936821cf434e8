package dev.jshm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SysVSegment;

import org.agrona.concurrent.UnsafeBuffer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bulk copies between a Java {@code byte[]} and shared memory: {@code read} copies out of the
 * memory into the array, {@code write} copies the array in. Every way has its own memory of
 * {@code size} bytes, touched before measuring so no page fault is counted, and copies at its
 * offset 0; the array side starts at eight places spread over a page and a cache line in turn
 * ({@link ArrayOffsets}), the same mix for every way. Up to 1 MiB every way has
 * {@link #MAPPINGS} such memories, mapped apart, and moves to the next at each iteration: see
 * {@link #MAPPINGS} for why.
 *
 * <p>Ways: {@code jshmSysV} (System V: each call picks the JVM's copy or JNI's memcpy by size),
 * {@code jshmPosix} (POSIX, the default: by size, as System V),
 * {@code jshmPosixJava} (POSIX built with {@code jvmCopies()}: always the JVM's bulk
 * {@code ByteBuffer} copies),
 * {@code agrona} (Agrona's {@code UnsafeBuffer} over a System V segment's memory), the JDK's
 * {@code MappedByteBuffer} over /dev/shm and a raw direct buffer. {@code fill} sets every byte;
 * a JDK buffer has no fill, so its way is bulk puts from a 4 KiB block of the value in direct
 * memory that starts a page, as its destination does (what jshm's Java path does: each copy
 * from the place in its block that its destination has in its page), and Agrona's is
 * {@code setMemory} ({@code Unsafe.setMemory}).
 */
// Agrona 2 reaches jdk.internal.misc.Unsafe, which the JDK exports only on request.
@Fork(jvmArgsPrepend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CopyBench {

    @Param({"64", "4096", "65536", "1048576", "67108864"})
    public int size;

    /**
     * How many memories each way has for sizes up to 1 MiB, one per iteration in turn. Where a
     * mapping lies in the address space decides the speed of the JVM's copies from it on some
     * hosts. On an AMD EPYC VM, a 4 KiB read took 150 to 165 ns from 4 of 1,024 mappings of one
     * and the same /dev/shm page, and 20 to 40 ns from the others, whichever of three arrays it
     * went to; one of 64 System V segments read as slowly, and the same segment attached a second
     * time, elsewhere, read at 28 ns beside it; 2 of 128 {@code MappedByteBuffer}s of their own
     * files did too; and a mapping could turn slow after minutes in place, its array unmoved.
     * (A C program's {@code memcpy} and an AVX loop, over 256 pages, never did.) With one memory
     * per way, a way whose fork drew such a place ran 5 times the others, as the 4 KiB System V
     * read did in one committed run. With one memory per iteration, such a place costs the
     * iterations that use it, and the median of the iterations passes it by, the same for every
     * way. Past 1 MiB a copy spans more than 256 pages, whose places average themselves, and five
     * 64 MiB memories a way would not fit the benchmark's budget.
     */
    static final int MAPPINGS = 5;

    private byte[] array;
    private final ArrayOffsets offsets = new ArrayOffsets();
    private SysVSegment[] sysvs;
    private PosixSegment[] posixes;
    private PosixSegment[] posixJavas;
    private Path[] files;
    private MappedByteBuffer[] mappeds;
    private ByteBuffer[] directs;
    private SysVSegment[] agronaMemories;
    private UnsafeBuffer[] agronas;
    private int iteration;

    // The memories this iteration copies from and to: one of each array above.
    private SysVSegment sysv;
    private PosixSegment posixJava;
    private PosixSegment posix;
    private MappedByteBuffer mapped;
    private ByteBuffer direct;
    private UnsafeBuffer agrona;
    private ByteBuffer block;

    @Setup
    public void setup() {
        array = new byte[size + ArrayOffsets.SLACK];
        for (int i = 0; i < array.length; i++) {
            array[i] = (byte) i;
        }
        int count = size <= 1 << 20 ? MAPPINGS : 1;
        sysvs = new SysVSegment[count];
        posixes = new PosixSegment[count];
        posixJavas = new PosixSegment[count];
        files = new Path[count];
        mappeds = new MappedByteBuffer[count];
        directs = new ByteBuffer[count];
        agronaMemories = new SysVSegment[count];
        agronas = new UnsafeBuffer[count];
        for (int k = 0; k < count; k++) {
            sysvs[k] = SysVSegment.createPrivate(size);
            sysvs[k].remove();
            posixes[k] = PosixSegment.create("/" + DevShm.uniqueName("copy"), size);
            posixes[k].unlink();
            posixJavas[k] = PosixSegment.builder("/" + DevShm.uniqueName("copyj")).size(size).jvmCopies().create();
            posixJavas[k].unlink();
            files[k] = DevShm.newPath("copy");
            mappeds[k] = DevShm.map(files[k], size);
            directs[k] = pageAlignedDirect(size);
            agronaMemories[k] = SysVSegment.createPrivate(size);
            agronaMemories[k].remove();
            agronas[k] = new UnsafeBuffer(agronaMemories[k].address(), size);
            agronas[k].putBytes(0, array, 0, size);
            sysvs[k].write(0, array, 0, size);
            posixes[k].write(0, array, 0, size);
            posixJavas[k].write(0, array, 0, size);
            mappeds[k].put(0, array, 0, size);
            directs[k].put(0, array, 0, size);
        }
        block = pageAlignedDirect(4096);
        for (int i = 0; i < block.capacity(); i++) {
            block.put(i, (byte) 7);
        }
    }

    /**
     * A direct buffer of {@code size} bytes that starts a page, as the mappings do:
     * {@code allocateDirect} alone would pack small buffers into one page. ({@code alignedSlice}
     * also rounds the end down to a page, hence the whole pages.)
     */
    static ByteBuffer pageAlignedDirect(int size) {
        int page = FirstTouchBench.PAGE;
        int pages = (int) ((size + (long) page - 1) / page);
        return ByteBuffer.allocateDirect((pages + 1) * page).alignedSlice(page).slice(0, size).order(ByteOrder.nativeOrder());
    }

    /** Every way moves to its next memory; {@link #MAPPINGS} says why. */
    @Setup(Level.Iteration)
    public void nextMemories() {
        int k = iteration++ % sysvs.length;
        sysv = sysvs[k];
        posix = posixes[k];
        posixJava = posixJavas[k];
        mapped = mappeds[k];
        direct = directs[k];
        agrona = agronas[k];
    }

    @TearDown
    public void tearDown() {
        for (int k = 0; k < sysvs.length; k++) {
            sysvs[k].close();
            posixes[k].close();
            posixJavas[k].close();
            agronaMemories[k].close();
            DevShm.unmap(mappeds[k]);
            DevShm.delete(files[k]);
        }
    }

    @Benchmark
    public byte[] read_jshmSysV() {
        sysv.read(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public byte[] read_jshmPosix() {
        posix.read(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public byte[] read_jshmPosixJava() {
        posixJava.read(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public byte[] read_agrona() {
        agrona.getBytes(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public byte[] read_mappedByteBuffer() {
        mapped.get(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public byte[] read_directByteBuffer() {
        direct.get(0, array, offsets.next(), size);
        return array;
    }

    @Benchmark
    public void write_jshmSysV() {
        sysv.write(0, array, offsets.next(), size);
    }

    @Benchmark
    public void write_jshmPosix() {
        posix.write(0, array, offsets.next(), size);
    }

    @Benchmark
    public void write_jshmPosixJava() {
        posixJava.write(0, array, offsets.next(), size);
    }

    @Benchmark
    public void write_agrona() {
        agrona.putBytes(0, array, offsets.next(), size);
    }

    @Benchmark
    public void write_mappedByteBuffer() {
        mapped.put(0, array, offsets.next(), size);
    }

    @Benchmark
    public void write_directByteBuffer() {
        direct.put(0, array, offsets.next(), size);
    }

    @Benchmark
    public void fill_jshmSysV() {
        sysv.fill(0, size, (byte) 7);
    }

    @Benchmark
    public void fill_jshmPosix() {
        posix.fill(0, size, (byte) 7);
    }

    @Benchmark
    public void fill_agrona() {
        agrona.setMemory(0, size, (byte) 7);
    }

    @Benchmark
    public void fill_directByteBuffer() {
        for (int done = 0; done < size; done += block.capacity()) {
            direct.put(done, block, 0, Math.min(block.capacity(), size - done));
        }
    }
}
