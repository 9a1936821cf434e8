package dev.jshm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import dev.jshm.SysVSegment;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Typed get and put of every width at an odd offset (67: every width misaligned but the byte),
 * against a raw {@link ByteBuffer#allocateDirect} buffer in native byte order. Method names are
 * {@code <get|put><Type>_<way>}.
 *
 * <p>Ways: {@code jshm} is {@code Segment.getXxx/putXxx} on a 4 KiB System V segment (the fast
 * path: the first chunk's buffer); {@code jshmChunked} is the same call on a segment of 2 GiB +
 * 64 KiB at an offset past the first 2 GiB, where the access goes through the checked path and
 * the chunk lookup (all widths share the code; byte and long stand for them);
 * {@code directByteBuffer} is the JDK's buffer, the baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TypedBench {

    private static final long LARGE_SIZE = (2L << 30) + 65536;

    private SysVSegment segment;
    private SysVSegment large;
    private ByteBuffer direct;

    /** Not constants, so the JIT cannot fold the addresses. */
    private int offset = 67;
    private long largeOffset = (2L << 30) + 4096 + 67;
    private byte byteValue = (byte) 0x5a;
    private short shortValue = (short) 0x5a5a;
    private int intValue = 0x5a5a5a5a;
    private long longValue = 0x5a5a5a5a5a5a5a5aL;
    private float floatValue = 1.5f;
    private double doubleValue = 2.5;

    @Setup
    public void setup() {
        segment = SysVSegment.createPrivate(4096);
        segment.remove();
        large = SysVSegment.createPrivate(LARGE_SIZE);
        large.remove();
        direct = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        DevShm.touch(segment.asByteBuffer());
        DevShm.touch(direct);
        large.fill(largeOffset - 67, 4096, (byte) 0);
    }

    @TearDown
    public void tearDown() {
        segment.close();
        large.close();
    }

    // ---- byte ----
    @Benchmark
    public byte getByte_jshm() {
        return segment.getByte(offset);
    }

    @Benchmark
    public byte getByte_directByteBuffer() {
        return direct.get(offset);
    }

    @Benchmark
    public void putByte_jshm() {
        segment.putByte(offset, byteValue);
    }

    @Benchmark
    public void putByte_directByteBuffer() {
        direct.put(offset, byteValue);
    }

    @Benchmark
    public byte getByte_jshmChunked() {
        return large.getByte(largeOffset);
    }

    @Benchmark
    public void putByte_jshmChunked() {
        large.putByte(largeOffset, byteValue);
    }

    // ---- short ----
    @Benchmark
    public short getShort_jshm() {
        return segment.getShort(offset);
    }

    @Benchmark
    public short getShort_directByteBuffer() {
        return direct.getShort(offset);
    }

    @Benchmark
    public void putShort_jshm() {
        segment.putShort(offset, shortValue);
    }

    @Benchmark
    public void putShort_directByteBuffer() {
        direct.putShort(offset, shortValue);
    }

    // ---- int ----
    @Benchmark
    public int getInt_jshm() {
        return segment.getInt(offset);
    }

    @Benchmark
    public int getInt_directByteBuffer() {
        return direct.getInt(offset);
    }

    @Benchmark
    public void putInt_jshm() {
        segment.putInt(offset, intValue);
    }

    @Benchmark
    public void putInt_directByteBuffer() {
        direct.putInt(offset, intValue);
    }

    // ---- long ----
    @Benchmark
    public long getLong_jshm() {
        return segment.getLong(offset);
    }

    @Benchmark
    public long getLong_directByteBuffer() {
        return direct.getLong(offset);
    }

    @Benchmark
    public void putLong_jshm() {
        segment.putLong(offset, longValue);
    }

    @Benchmark
    public void putLong_directByteBuffer() {
        direct.putLong(offset, longValue);
    }

    @Benchmark
    public long getLong_jshmChunked() {
        return large.getLong(largeOffset);
    }

    @Benchmark
    public void putLong_jshmChunked() {
        large.putLong(largeOffset, longValue);
    }

    // ---- float ----
    @Benchmark
    public float getFloat_jshm() {
        return segment.getFloat(offset);
    }

    @Benchmark
    public float getFloat_directByteBuffer() {
        return direct.getFloat(offset);
    }

    @Benchmark
    public void putFloat_jshm() {
        segment.putFloat(offset, floatValue);
    }

    @Benchmark
    public void putFloat_directByteBuffer() {
        direct.putFloat(offset, floatValue);
    }

    // ---- double ----
    @Benchmark
    public double getDouble_jshm() {
        return segment.getDouble(offset);
    }

    @Benchmark
    public double getDouble_directByteBuffer() {
        return direct.getDouble(offset);
    }

    @Benchmark
    public void putDouble_jshm() {
        segment.putDouble(offset, doubleValue);
    }

    @Benchmark
    public void putDouble_directByteBuffer() {
        direct.putDouble(offset, doubleValue);
    }
}
