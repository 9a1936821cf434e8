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
 * offset 0; the array side starts at each of the eight 8-byte places of a cache line in turn
 * ({@link ArrayOffsets}), the same mix for every way.
 *
 * <p>Ways: {@code jshmSysV} (System V: each call picks the JVM's copy or JNI's memcpy by size),
 * {@code jshmPosix} (POSIX, the default: by size, as System V),
 * {@code jshmPosixJava} (POSIX built with {@code jvmCopies()}: always the JVM's bulk
 * {@code ByteBuffer} copies),
 * {@code agrona} (Agrona's {@code UnsafeBuffer} over a System V segment's memory), the JDK's
 * {@code MappedByteBuffer} over /dev/shm and a raw direct buffer. {@code fill} sets every byte;
 * a JDK buffer has no fill, so its way is bulk puts from a 4 KiB block of the value in direct
 * memory aligned to a cache line (what jshm's Java path does), and Agrona's is
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

    private byte[] array;
    private final ArrayOffsets offsets = new ArrayOffsets();
    private SysVSegment sysv;
    private PosixSegment posixJava;
    private PosixSegment posix;
    private Path file;
    private MappedByteBuffer mapped;
    private ByteBuffer direct;
    private SysVSegment agronaMemory;
    private UnsafeBuffer agrona;
    private ByteBuffer block;

    @Setup
    public void setup() {
        array = new byte[size + ArrayOffsets.SLACK];
        for (int i = 0; i < array.length; i++) {
            array[i] = (byte) i;
        }
        sysv = SysVSegment.createPrivate(size);
        sysv.remove();
        posix = PosixSegment.create("/" + DevShm.uniqueName("copy"), size);
        posix.unlink();
        posixJava = PosixSegment.builder("/" + DevShm.uniqueName("copyj")).size(size).jvmCopies().create();
        posixJava.unlink();
        file = DevShm.newPath("copy");
        mapped = DevShm.map(file, size);
        direct = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        agronaMemory = SysVSegment.createPrivate(size);
        agronaMemory.remove();
        agrona = new UnsafeBuffer(agronaMemory.address(), size);
        agrona.putBytes(0, array, 0, size);
        block = ByteBuffer.allocateDirect(4096 + 128).alignedSlice(64).slice(0, 4096);
        for (int i = 0; i < block.capacity(); i++) {
            block.put(i, (byte) 7);
        }
        sysv.write(0, array, 0, size);
        posix.write(0, array, 0, size);
        posixJava.write(0, array, 0, size);
        mapped.put(0, array, 0, size);
        direct.put(0, array, 0, size);
    }

    @TearDown
    public void tearDown() {
        sysv.close();
        posix.close();
        posixJava.close();
        agronaMemory.close();
        DevShm.unmap(mapped);
        DevShm.delete(file);
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
