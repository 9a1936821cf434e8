package dev.jshm.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.jshm.SysVSegment;
import dev.jshm.sync.Futex;
import dev.jshm.sync.WaitResult;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The futex calls, one thread, on a word of a System V segment that nobody waits on: what a call
 * costs around its system call, and (with {@code -prof gc}) that it allocates nothing.
 * {@code wake}: {@link Futex#wake} that finds no sleeper (a ring's commit pays it when a consumer
 * announced itself and then woke on its own). {@code awaitChanged}: {@link Futex#await} on a word
 * that no longer holds the expected value, untimed (no clock read) and with a timeout
 * ({@code awaitChangedTimed}: two clock reads); the kernel returns at once. The C side
 * ({@code baseline.c}, part {@code futex-calls}) makes the same two system calls. How long a
 * sleeper takes to wake is the two-process {@code FutexWake} measurement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FutexBench {

    private static final Duration TIMEOUT = Duration.ofMillis(1);

    private SysVSegment segment;
    /** Not constants, so that the JIT cannot fold them. */
    private long offset = 64;
    private int notTheValue = 1;

    @Setup
    public void setup() {
        segment = SysVSegment.createPrivate(4096);
        segment.remove();
        segment.putInt(offset, 0);
        // The paths the methods below are about, or the figures would be of another one.
        if (Futex.wake(segment, offset, 1) != 0 || Futex.await(segment, offset, notTheValue, null) != WaitResult.VALUE_CHANGED
                || Futex.await(segment, offset, notTheValue, TIMEOUT) != WaitResult.VALUE_CHANGED) {
            throw new IllegalStateException("a wake with no sleeper, or a wait on a changed word, did not return at once");
        }
    }

    @TearDown
    public void tearDown() {
        segment.close();
    }

    @Benchmark
    public int wake_jshm() {
        return Futex.wake(segment, offset, 1);
    }

    @Benchmark
    public WaitResult awaitChanged_jshm() {
        return Futex.await(segment, offset, notTheValue, null);
    }

    @Benchmark
    public WaitResult awaitChangedTimed_jshm() {
        return Futex.await(segment, offset, notTheValue, TIMEOUT);
    }
}
