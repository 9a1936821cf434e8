package dev.jshm.bench;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.MappedFileSegment;
import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The first write to each page of a fresh segment (the page fault that allocates it), per page.
 * Each invocation gets new memory of {@link #PAGES} pages; set-up and removal are not timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = "-Xmn16m")
public class FirstTouchBench {

    static final int PAGES = 256;
    static final int PAGE = 4096;
    static final int SIZE = PAGES * PAGE;

    @State(Scope.Thread)
    public static class SysV {
        SysVSegment segment;

        @Setup(Level.Invocation)
        public void setup() {
            segment = SysVSegment.createPrivate(SIZE);
            segment.remove();
        }

        @TearDown(Level.Invocation)
        public void tearDown() {
            segment.close();
        }
    }

    @State(Scope.Thread)
    public static class Posix {
        PosixSegment segment;

        @Setup(Level.Invocation)
        public void setup() {
            segment = PosixSegment.create("/" + DevShm.uniqueName("touch"), SIZE);
            segment.unlink();
        }

        @TearDown(Level.Invocation)
        public void tearDown() {
            segment.close();
        }
    }

    @State(Scope.Thread)
    public static class File {
        Path path;
        MappedFileSegment segment;

        @Setup(Level.Invocation)
        public void setup() throws Exception {
            path = DevShm.newPath("touchf");
            segment = MappedFileSegment.create(path, SIZE);
            Files.delete(path);
        }

        @TearDown(Level.Invocation)
        public void tearDown() {
            segment.close();
        }
    }

    @State(Scope.Thread)
    public static class Jdk {
        Path path;
        MappedByteBuffer buffer;

        @Setup(Level.Invocation)
        public void setup() {
            path = DevShm.newPath("touchm");
            buffer = DevShm.map(path, SIZE);
            DevShm.delete(path);
        }

        @TearDown(Level.Invocation)
        public void tearDown() {
            DevShm.unmap(buffer);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void sysvPage_jshm(SysV s) {
        touch(s.segment);
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void posixPage_jshm(Posix s) {
        touch(s.segment);
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void filePage_jshm(File s) {
        touch(s.segment);
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public void filePage_mappedByteBuffer(Jdk s) {
        MappedByteBuffer b = s.buffer;
        for (int off = 0; off < SIZE; off += PAGE) {
            b.put(off, (byte) 1);
        }
    }

    private static void touch(Segment segment) {
        for (long off = 0; off < SIZE; off += PAGE) {
            segment.putByte(off, (byte) 1);
        }
    }
}
