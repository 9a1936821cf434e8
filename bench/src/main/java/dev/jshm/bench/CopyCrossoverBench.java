package dev.jshm.bench;

import java.util.concurrent.TimeUnit;

import dev.jshm.SysVSegment;

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
 * Where the native copy starts to beat the JVM's: the same System V copy forced down each path
 * (the {@code dev.jshm.nativeCopyThreshold} property, 0 for always native, the largest int for
 * never), at the sizes between those of {@link CopyBench}. The parameter is {@code bytes}, not
 * {@code size}, so the suite's {@code -p size=...} leaves it alone.
 *
 * <p>Ways: {@code jshmJava} (the JVM's copy: {@code ByteBuffer} bulk get/put, or bulk puts from a
 * pattern block for {@code fill}) and {@code jshmNative} (one JNI call: {@code memcpy} through
 * {@code Get/SetByteArrayRegion}, {@code memset}). Copies start in the array at eight places
 * spread over a page and a cache line in turn ({@link ArrayOffsets}), and each iteration copies
 * from the next of {@link CopyBench#MAPPINGS} segments, as in {@link CopyBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CopyCrossoverBench {

    static final String ALWAYS_NATIVE = "-Ddev.jshm.nativeCopyThreshold=0";
    static final String NEVER_NATIVE = "-Ddev.jshm.nativeCopyThreshold=2147483647";

    @Param({"2048", "16384", "65536", "1048576"})
    public int bytes;

    private byte[] array;
    private final ArrayOffsets offsets = new ArrayOffsets();
    private SysVSegment[] segments;
    private int iteration;
    /** This iteration's segment. */
    private SysVSegment segment;

    @Setup
    public void setup() {
        array = new byte[bytes + ArrayOffsets.SLACK];
        segments = new SysVSegment[CopyBench.MAPPINGS];
        for (int k = 0; k < segments.length; k++) {
            segments[k] = SysVSegment.createPrivate(bytes);
            segments[k].remove();
            segments[k].write(0, array, 0, bytes);
        }
    }

    @Setup(Level.Iteration)
    public void nextSegment() {
        segment = segments[iteration++ % segments.length];
    }

    @TearDown
    public void tearDown() {
        for (SysVSegment s : segments) {
            s.close();
        }
    }

    @Benchmark
    @Fork(jvmArgsPrepend = NEVER_NATIVE)
    public byte[] read_jshmJava() {
        segment.read(0, array, offsets.next(), bytes);
        return array;
    }

    @Benchmark
    @Fork(jvmArgsPrepend = ALWAYS_NATIVE)
    public byte[] read_jshmNative() {
        segment.read(0, array, offsets.next(), bytes);
        return array;
    }

    @Benchmark
    @Fork(jvmArgsPrepend = NEVER_NATIVE)
    public void write_jshmJava() {
        segment.write(0, array, offsets.next(), bytes);
    }

    @Benchmark
    @Fork(jvmArgsPrepend = ALWAYS_NATIVE)
    public void write_jshmNative() {
        segment.write(0, array, offsets.next(), bytes);
    }

    @Benchmark
    @Fork(jvmArgsPrepend = NEVER_NATIVE)
    public void fill_jshmJava() {
        segment.fill(0, bytes, (byte) 7);
    }

    @Benchmark
    @Fork(jvmArgsPrepend = ALWAYS_NATIVE)
    public void fill_jshmNative() {
        segment.fill(0, bytes, (byte) 7);
    }
}
