package dev.jshm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SysVSegment;

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
 * Bulk copies between a Java {@code byte[]} and shared memory: {@code read} copies out of the
 * memory into the array, {@code write} copies the array in. Every way has its own memory of
 * {@code size} bytes, touched before measuring so no page fault is counted.
 *
 * <p>Ways: {@code jshmSysVNative} (System V: JNI {@code Get/SetByteArrayRegion}, a memcpy),
 * {@code jshmPosixJava} (POSIX, the default: bulk {@code ByteBuffer} copies),
 * {@code jshmPosixNative} (POSIX built with {@code nativeCopies()}), the JDK's
 * {@code MappedByteBuffer} over /dev/shm and a raw direct buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CopyBench {

    @Param({"64", "4096", "65536", "1048576", "67108864"})
    public int size;

    private byte[] array;
    private SysVSegment sysv;
    private PosixSegment posixJava;
    private PosixSegment posixNative;
    private Path file;
    private MappedByteBuffer mapped;
    private ByteBuffer direct;

    @Setup
    public void setup() {
        array = new byte[size];
        for (int i = 0; i < size; i++) {
            array[i] = (byte) i;
        }
        sysv = SysVSegment.createPrivate(size);
        sysv.remove();
        posixJava = PosixSegment.create("/" + DevShm.uniqueName("copy"), size);
        posixJava.unlink();
        posixNative = PosixSegment.builder("/" + DevShm.uniqueName("copyn")).size(size).nativeCopies().create();
        posixNative.unlink();
        file = DevShm.newPath("copy");
        mapped = DevShm.map(file, size);
        direct = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        sysv.write(0, array);
        posixJava.write(0, array);
        posixNative.write(0, array);
        mapped.put(0, array);
        direct.put(0, array);
    }

    @TearDown
    public void tearDown() {
        sysv.close();
        posixJava.close();
        posixNative.close();
        DevShm.unmap(mapped);
        DevShm.delete(file);
    }

    @Benchmark
    public byte[] read_jshmSysVNative() {
        sysv.read(0, array, 0, size);
        return array;
    }

    @Benchmark
    public byte[] read_jshmPosixJava() {
        posixJava.read(0, array, 0, size);
        return array;
    }

    @Benchmark
    public byte[] read_jshmPosixNative() {
        posixNative.read(0, array, 0, size);
        return array;
    }

    @Benchmark
    public byte[] read_mappedByteBuffer() {
        mapped.get(0, array, 0, size);
        return array;
    }

    @Benchmark
    public byte[] read_directByteBuffer() {
        direct.get(0, array, 0, size);
        return array;
    }

    @Benchmark
    public void write_jshmSysVNative() {
        sysv.write(0, array, 0, size);
    }

    @Benchmark
    public void write_jshmPosixJava() {
        posixJava.write(0, array, 0, size);
    }

    @Benchmark
    public void write_jshmPosixNative() {
        posixNative.write(0, array, 0, size);
    }

    @Benchmark
    public void write_mappedByteBuffer() {
        mapped.put(0, array, 0, size);
    }

    @Benchmark
    public void write_directByteBuffer() {
        direct.put(0, array, 0, size);
    }
}
