package dev.jshm.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SysVSegment;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of crossing into C, without changing the library to add an empty native.
 *
 * <p>{@code emptyCall_jniPageSize} calls the package-private {@code dev.jshm.Native.pageSize()}
 * through a method handle (a JNI call whose C side is one {@code sysconf(_SC_PAGESIZE)}, a read of a libc variable): the
 * nearest thing to an empty JNI call the library has. {@code emptyCall_jshmRead0} is the public
 * path: a bulk {@code read} of 0 bytes from a System V segment (bounds checks, the JNI call and
 * an empty {@code SetByteArrayRegion}). {@code read8}/{@code write8} add 8 bytes of work, the
 * same way natively and in Java. {@code jniCopy0} and {@code read8_jniCopy} call the read's
 * native ({@code Native.copyToArray}) bare, through a method handle, on a direct buffer's memory
 * (its address from Agrona, which needs {@code jdk.internal.misc}): the JNI call and the array
 * region call without the public API's Java checks.
 *
 * <p>Small System V copies take the JVM's copy; this class forces the native path for
 * every size ({@code dev.jshm.nativeCopyThreshold=0}), so that the {@code jshmSysVNative} and
 * {@code jshmRead0} ways still measure the JNI call they are about; {@code jshmPosixJava} is a
 * POSIX object built with {@code jvmCopies()}, the JVM's copy with the truncation check.
 */
@Fork(jvmArgsPrepend = {"-Ddev.jshm.nativeCopyThreshold=0", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JniBench {

    private static final MethodHandle PAGE_SIZE = pageSizeHandle();
    private static final MethodHandle COPY_TO_ARRAY = nativeHandle("copyToArray", long.class, long.class, long.class,
            byte[].class, int.class, int.class);

    private SysVSegment sysv;
    private PosixSegment posix;
    private ByteBuffer direct;
    private long directAddress;
    private String posixName;
    private final byte[] bytes = new byte[8];
    private long offset = 64;

    @Setup
    public void setup() {
        sysv = SysVSegment.createPrivate(4096);
        sysv.remove();
        posixName = "/" + DevShm.uniqueName("jni");
        posix = PosixSegment.builder(posixName).size(4096).jvmCopies().create();
        posix.unlink();
        direct = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        directAddress = org.agrona.BufferUtil.address(direct);
    }

    @TearDown
    public void tearDown() {
        sysv.close();
        posix.close();
    }

    @Benchmark
    public long emptyCall_jniPageSize() throws Throwable {
        return (long) PAGE_SIZE.invokeExact();
    }

    @Benchmark
    public int emptyCall_jniCopy0() throws Throwable {
        return (int) COPY_TO_ARRAY.invokeExact(directAddress, 4096L, offset, bytes, 0, 0);
    }

    @Benchmark
    public int read8_jniCopy() throws Throwable {
        return (int) COPY_TO_ARRAY.invokeExact(directAddress, 4096L, offset, bytes, 0, 8);
    }

    @Benchmark
    public byte[] emptyCall_jshmRead0() {
        sysv.read(offset, bytes, 0, 0);
        return bytes;
    }

    @Benchmark
    public byte[] read8_jshmSysVNative() {
        sysv.read(offset, bytes, 0, 8);
        return bytes;
    }

    @Benchmark
    public byte[] read8_jshmPosixJava() {
        posix.read(offset, bytes, 0, 8);
        return bytes;
    }

    @Benchmark
    public byte[] read8_directByteBuffer() {
        direct.get((int) offset, bytes, 0, 8);
        return bytes;
    }

    @Benchmark
    public void write8_jshmSysVNative() {
        sysv.write(offset, bytes, 0, 8);
    }

    @Benchmark
    public void write8_jshmPosixJava() {
        posix.write(offset, bytes, 0, 8);
    }

    @Benchmark
    public void write8_directByteBuffer() {
        direct.put((int) offset, bytes, 0, 8);
    }

    private static MethodHandle pageSizeHandle() {
        return nativeHandle("pageSize");
    }

    private static MethodHandle nativeHandle(String name, Class<?>... parameters) {
        try {
            Method method = Class.forName("dev.jshm.Native").getDeclaredMethod(name, parameters);
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
