package dev.jshm.bench;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.jshm.MappedFileSegment;
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
 * The life of a segment of 64 KiB (untouched), for each kind: {@code <kind>Cycle} is
 * create, attach, detach and remove; {@code <kind>Attach} attaches an existing segment and
 * detaches it. The baseline is the same system calls from C ({@code baseline.c}):
 * {@code posixReservedCycle} is {@code posixCycle} plus the {@code posix_fallocate} that
 * {@code PosixSegment.create} makes by default.
 *
 * <p>jshm detaches at {@code close()} by mapping anonymous memory over the range and unmaps the
 * range once its buffers are collected. In a tight loop that leaves one reserved range per
 * iteration until the next GC: a small young generation keeps their number far below
 * vm.max_map_count (65530).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = "-Xmn16m")
public class LifecycleBench {

    static final int SIZE = 65536;
    private final int size = SIZE;

    private SysVSegment sysv;
    private String posixName;
    private PosixSegment posix;
    private Path filePath;
    private MappedFileSegment fileSegment;
    private String cyclePosixName;

    @Setup
    public void setup() {
        sysv = SysVSegment.createPrivate(size);
        posixName = "/" + DevShm.uniqueName("life");
        posix = PosixSegment.create(posixName, size);
        filePath = DevShm.newPath("life");
        fileSegment = MappedFileSegment.create(filePath, size);
        cyclePosixName = "/" + DevShm.uniqueName("cycle");
    }

    @TearDown
    public void tearDown() throws Exception {
        sysv.remove();
        sysv.close();
        posix.unlink();
        posix.close();
        fileSegment.close();
        Files.deleteIfExists(filePath);
    }

    @Benchmark
    public void sysvCycle_jshm() {
        SysVSegment s = SysVSegment.createPrivate(size);
        s.close();
        s.remove();
    }

    /** The system calls of C's {@code posixCycle}: no reservation. */
    @Benchmark
    public void posixCycle_jshm() {
        PosixSegment s = PosixSegment.builder(cyclePosixName).size(size).noReserve().create();
        s.close();
        s.unlink();
    }

    /** {@code PosixSegment.create}'s default: the memory is reserved ({@code posix_fallocate}), as in C's {@code posixReservedCycle}. */
    @Benchmark
    public void posixReservedCycle_jshm() {
        PosixSegment s = PosixSegment.create(cyclePosixName, size);
        s.close();
        s.unlink();
    }

    @Benchmark
    public void fileCycle_jshm() throws Exception {
        Path path = DevShm.newPath("cyc");
        MappedFileSegment s = MappedFileSegment.create(path, size);
        s.close();
        Files.delete(path);
    }

    @Benchmark
    public void fileCycle_mappedByteBuffer() throws Exception {
        Path path = DevShm.newPath("cycm");
        MappedByteBuffer b = DevShm.map(path, size);
        DevShm.unmap(b);
        Files.delete(path);
    }

    @Benchmark
    public void sysvAttach_jshm() {
        SysVSegment.openById(sysv.shmid(), dev.jshm.Access.READ_WRITE).close();
    }

    @Benchmark
    public void posixAttach_jshm() {
        PosixSegment.open(posixName).close();
    }

    @Benchmark
    public void fileAttach_jshm() {
        MappedFileSegment.open(filePath).close();
    }
}
