package dev.jshm.bench;

import java.util.concurrent.TimeUnit;

import dev.jshm.SegmentAtomics;
import dev.jshm.SysVSegment;
import dev.jshm.sync.RobustLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Uncontended lock + unlock, one thread, on a System V segment. {@code jshmRobustLock}:
 * {@code RobustLock.lock()} and {@code unlock()} (a free lock is taken and released with one CAS
 * each in Java; jshm_lock.c does the rest);
 * {@code jshmTryLock}: the same with {@code tryLock()}; {@code javaCas}: the floor any lock word
 * pays from Java, a VarHandle CAS of 0 to 1 and a release store of 0 on the same segment
 * ({@code segment.atomics()}). The C side of the same figures (jshm's lock, the robust pthread
 * mutex it replaced, a bare CAS) is {@code lock_bench.c}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LockBench {

    private SysVSegment segment;
    private RobustLock lock;
    private SegmentAtomics atomics;

    @Setup
    public void setup() {
        segment = SysVSegment.createPrivate(4096);
        segment.remove();
        lock = RobustLock.initialize(segment, 0);
        atomics = segment.atomics();
    }

    @TearDown
    public void tearDown() {
        segment.close();
    }

    @Benchmark
    public void lockUnlock_jshmRobustLock() {
        lock.lock();
        lock.unlock();
    }

    @Benchmark
    public boolean lockUnlock_jshmTryLock() {
        boolean held = lock.tryLock();
        lock.unlock();
        return held;
    }

    @Benchmark
    public boolean lockUnlock_javaCas() {
        boolean held = atomics.compareAndSetLong(128, 0, 1);
        atomics.putLongRelease(128, 0);
        return held;
    }
}
