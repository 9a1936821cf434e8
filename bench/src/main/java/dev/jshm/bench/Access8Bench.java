package dev.jshm.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentAtomics;
import dev.jshm.SysVSegment;

import org.agrona.concurrent.UnsafeBuffer;

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
 * One 8-byte access, every way, each on its own page of shared memory. Method names are
 * {@code <operation>_<way>}; the report reads them that way. The baseline is a raw
 * {@link ByteBuffer#allocateDirect} buffer.
 *
 * <p>Ways: {@code jshmTyped} is {@code Segment.getLong/putLong}; {@code jshmView} is a VarHandle
 * over the segment's {@code asByteBuffer()} view (the only ordered access jshm offers until
 * {@code atomics()} existed); {@code jshmAtomics} is {@code segment.atomics()} (the JVM's
 * VarHandles) and {@code jshmNativeAtomics} is {@code segment.nativeAtomics()} (C11 atomics
 * through JNI); the JDK ways use the same VarHandle over their buffers. {@code jshmTypedPosix}
 * and {@code jshmAtomicsPosix} are the same calls on a POSIX object, which another process can
 * truncate, so each access is followed by the fault-word check that System V does not pay: the
 * pair measures that check. {@code agrona} is Agrona's {@code UnsafeBuffer} wrapping the
 * segment's own memory (its default bounds checks on). {@code heldDirectByteBuffer} is the raw
 * buffer's VarHandle access through one final field of a small holder object, for the three
 * operations that take about a nanosecond: what any API object between the caller and a buffer
 * costs (one dependent load), to set against {@code jshmAtomics}, which is such an object.
 */
// Agrona 2 reaches jdk.internal.misc.Unsafe, which the JDK exports only on request.
@Fork(jvmArgsPrepend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Access8Bench {

    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int SIZE = 4096;

    private SysVSegment segment;
    private ByteBuffer view;
    private SegmentAtomics atomics;
    private SegmentAtomics nativeAtomics;
    private PosixSegment posix;
    private SegmentAtomics posixAtomics;
    private Path file;
    private MappedByteBuffer mapped;
    private ByteBuffer direct;
    private UnsafeBuffer agrona;
    private Holder held;

    /** Not a constant, so the JIT cannot fold the address; 64 keeps the access aligned. */
    private int offset = 64;
    private long value = 42;
    private long expectedView;
    private long expectedMapped;
    private long expectedDirect;
    private long expectedAtomics;
    private long expectedNative;
    private long expectedPosix;
    private long expectedAgrona;

    @Setup
    public void setup() {
        segment = SysVSegment.createPrivate(SIZE);
        segment.remove();
        view = segment.asByteBuffer();
        atomics = segment.atomics();
        nativeAtomics = segment.nativeAtomics();
        posix = PosixSegment.create("/jshm-bench-access8-" + ProcessHandle.current().pid(), SIZE);
        posix.unlink();
        posixAtomics = posix.atomics();
        posix.putLong(offset, 0);
        file = DevShm.newPath("access8");
        mapped = DevShm.map(file, SIZE);
        direct = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
        held = new Holder(direct);
        agrona = new UnsafeBuffer(segment.address(), SIZE);
        DevShm.touch(view);
        DevShm.touch(mapped);
        DevShm.touch(direct);
        for (ByteBuffer b : new ByteBuffer[] {view, mapped, direct}) {
            b.putLong(offset, 0);
        }
    }

    @TearDown
    public void tearDown() {
        segment.close();
        posix.close();
        DevShm.unmap(mapped);
        DevShm.delete(file);
    }

    // ---- plain get ----
    @Benchmark
    public long getPlain_jshmTyped() {
        return segment.getLong(offset);
    }

    @Benchmark
    public long getPlain_jshmTypedPosix() {
        return posix.getLong(offset);
    }

    @Benchmark
    public long getPlain_jshmView() {
        return view.getLong(offset);
    }

    @Benchmark
    public long getPlain_mappedByteBuffer() {
        return mapped.getLong(offset);
    }

    @Benchmark
    public long getPlain_agrona() {
        return agrona.getLong(offset);
    }

    @Benchmark
    public long getPlain_directByteBuffer() {
        return direct.getLong(offset);
    }

    // ---- plain put ----
    @Benchmark
    public void putPlain_jshmTyped() {
        segment.putLong(offset, value);
    }

    @Benchmark
    public void putPlain_jshmTypedPosix() {
        posix.putLong(offset, value);
    }

    @Benchmark
    public void putPlain_jshmView() {
        view.putLong(offset, value);
    }

    @Benchmark
    public void putPlain_mappedByteBuffer() {
        mapped.putLong(offset, value);
    }

    @Benchmark
    public void putPlain_agrona() {
        agrona.putLong(offset, value);
    }

    @Benchmark
    public void putPlain_directByteBuffer() {
        direct.putLong(offset, value);
    }

    // ---- volatile get ----
    @Benchmark
    public long getVolatile_jshmView() {
        return (long) LONGS.getVolatile(view, offset);
    }

    @Benchmark
    public long getVolatile_jshmAtomics() {
        return atomics.getLongVolatile(offset);
    }

    @Benchmark
    public long getVolatile_jshmNativeAtomics() {
        return nativeAtomics.getLongVolatile(offset);
    }

    @Benchmark
    public long getVolatile_mappedByteBuffer() {
        return (long) LONGS.getVolatile(mapped, offset);
    }

    @Benchmark
    public long getVolatile_agrona() {
        return agrona.getLongVolatile(offset);
    }

    @Benchmark
    public long getVolatile_directByteBuffer() {
        return (long) LONGS.getVolatile(direct, offset);
    }

    // ---- release put ----
    @Benchmark
    public void putRelease_jshmView() {
        LONGS.setRelease(view, offset, value);
    }

    @Benchmark
    public void putRelease_jshmAtomics() {
        atomics.putLongRelease(offset, value);
    }

    @Benchmark
    public void putRelease_jshmNativeAtomics() {
        nativeAtomics.putLongRelease(offset, value);
    }

    @Benchmark
    public void putRelease_mappedByteBuffer() {
        LONGS.setRelease(mapped, offset, value);
    }

    @Benchmark
    public void putRelease_agrona() {
        agrona.putLongRelease(offset, value);
    }

    @Benchmark
    public void putRelease_directByteBuffer() {
        LONGS.setRelease(direct, offset, value);
    }

    // ---- volatile put ----
    @Benchmark
    public void putVolatile_jshmView() {
        LONGS.setVolatile(view, offset, value);
    }

    @Benchmark
    public void putVolatile_jshmAtomics() {
        atomics.putLongVolatile(offset, value);
    }

    @Benchmark
    public void putVolatile_jshmNativeAtomics() {
        nativeAtomics.putLongVolatile(offset, value);
    }

    @Benchmark
    public void putVolatile_mappedByteBuffer() {
        LONGS.setVolatile(mapped, offset, value);
    }

    @Benchmark
    public void putVolatile_agrona() {
        agrona.putLongVolatile(offset, value);
    }

    @Benchmark
    public void putVolatile_directByteBuffer() {
        LONGS.setVolatile(direct, offset, value);
    }

    // ---- compareAndSet, always succeeding (one thread) ----
    @Benchmark
    public boolean cas_jshmView() {
        long e = expectedView;
        expectedView = e + 1;
        return LONGS.compareAndSet(view, offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_jshmAtomics() {
        long e = expectedAtomics;
        expectedAtomics = e + 1;
        return atomics.compareAndSetLong(offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_jshmAtomicsPosix() {
        long e = expectedPosix;
        expectedPosix = e + 1;
        return posixAtomics.compareAndSetLong(offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_jshmNativeAtomics() {
        long e = expectedNative;
        expectedNative = e + 1;
        return nativeAtomics.compareAndSetLong(offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_mappedByteBuffer() {
        long e = expectedMapped;
        expectedMapped = e + 1;
        return LONGS.compareAndSet(mapped, offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_agrona() {
        long e = expectedAgrona;
        expectedAgrona = e + 1;
        return agrona.compareAndSetLong(offset, e, e + 1);
    }

    @Benchmark
    public boolean cas_directByteBuffer() {
        long e = expectedDirect;
        expectedDirect = e + 1;
        return LONGS.compareAndSet(direct, offset, e, e + 1);
    }

    // ---- getAndAdd ----
    @Benchmark
    public long getAndAdd_jshmView() {
        return (long) LONGS.getAndAdd(view, offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_jshmAtomics() {
        return atomics.getAndAddLong(offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_jshmNativeAtomics() {
        return nativeAtomics.getAndAddLong(offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_mappedByteBuffer() {
        return (long) LONGS.getAndAdd(mapped, offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_agrona() {
        return agrona.getAndAddLong(offset + 8, 1L);
    }

    @Benchmark
    public long getAndAdd_directByteBuffer() {
        return (long) LONGS.getAndAdd(direct, offset + 8, 1L);
    }

    // ---- acquire get, getAndSet: the other operations of atomics() ----
    @Benchmark
    public long getAcquire_jshmAtomics() {
        return atomics.getLongAcquire(offset);
    }

    @Benchmark
    public long getAcquire_jshmAtomicsPosix() {
        return posixAtomics.getLongAcquire(offset);
    }

    @Benchmark
    public long getAcquire_directByteBuffer() {
        return (long) LONGS.getAcquire(direct, offset);
    }

    @Benchmark
    public long getAndSet_jshmAtomics() {
        return atomics.getAndSetLong(offset + 8, value);
    }

    @Benchmark
    public long getAndSet_directByteBuffer() {
        return (long) LONGS.getAndSet(direct, offset + 8, value);
    }

    // ---- the raw buffer one object away ----
    @Benchmark
    public long getVolatile_heldDirectByteBuffer() {
        return (long) LONGS.getVolatile(held.buffer, offset);
    }

    @Benchmark
    public long getAcquire_heldDirectByteBuffer() {
        return (long) LONGS.getAcquire(held.buffer, offset);
    }

    @Benchmark
    public void putRelease_heldDirectByteBuffer() {
        LONGS.setRelease(held.buffer, offset, value);
    }

    /** A buffer behind one final field, as in any object that wraps one. */
    private static final class Holder {
        final ByteBuffer buffer;

        Holder(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }
}
