package dev.jshm.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SysVSegment;
import dev.jshm.ring.MessageRing;
import dev.jshm.ring.ProducerMode;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
 * What one thread pays per ring operation, with no other process: the CPU cost that the
 * two-process measurements ({@link CrossProcess}) hide behind cache-line transfers, and (with
 * {@code -prof gc}, as {@code make bench} runs it) what each operation allocates: nothing. Method
 * names are {@code <operation>_<way>}.
 *
 * <p>Operations: {@code emptyPoll} polls an empty ring (what a consumer that keeps up does most
 * of the time); {@code offerPoll} offers a 32-byte message and polls it back; {@code claimPoll}
 * claims 32 bytes, writes 8 of them in place, commits and polls.
 *
 * <p>Ways: {@code jshm} is {@link MessageRing} on a POSIX object (each operation followed by the
 * truncation check), {@code jshmSysV} on a System V segment; {@code agrona} is Agrona's
 * {@link OneToOneRingBuffer} over a direct buffer (Unsafe, its bounds checks on);
 * {@code unchecked} is the same record protocol as jshm's single-producer ring over the same
 * kind of buffers through the same typed views and fences, with none of jshm's checks of what it reads,
 * no open or truncation check, no heartbeats and no wake-up of sleeping consumers: what those
 * cost, the rest being the same.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsPrepend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RingCpuBench {

    private static final int CAPACITY = 64 * 1024;
    private static final int MESSAGE = 32;

    private PosixSegment posix;
    private SysVSegment sysV;
    private MessageRing ring;
    private MessageRing sysVRing;
    private ByteBuffer ringBuffer;
    private OneToOneRingBuffer agrona;
    private UnsafeBuffer agronaMessage;
    private UncheckedRing unchecked;
    private final byte[] message = new byte[MESSAGE];
    private final AgronaScenarios.Counter agronaCounter = new AgronaScenarios.Counter();
    private final RingScenarios.Counter counter = new RingScenarios.Counter();

    @Setup
    public void setup() {
        long size = MessageRing.requiredSize(CAPACITY);
        posix = PosixSegment.create("/" + DevShm.uniqueName("ring-cpu"), 2 * size);
        posix.unlink();
        ring = MessageRing.create(posix, 0, CAPACITY, ProducerMode.SINGLE);
        ringBuffer = ring.buffer();
        ByteBuffer second = posix.asByteBuffer(size, (int) size);
        unchecked = new UncheckedRing(second.slice(0, (int) (size - CAPACITY)), second.slice((int) (size - CAPACITY), CAPACITY));
        sysV = SysVSegment.createPrivate(size);
        sysV.remove();
        sysVRing = MessageRing.create(sysV, 0, CAPACITY, ProducerMode.SINGLE);
        agrona = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
        agronaMessage = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
    }

    @TearDown
    public void tearDown() {
        posix.close();
        sysV.close();
    }

    // ---- empty poll ----
    @Benchmark
    public int emptyPoll_jshm() {
        return ring.poll(counter, 1);
    }

    @Benchmark
    public int emptyPoll_jshmSysV() {
        return sysVRing.poll(counter, 1);
    }

    @Benchmark
    public int emptyPoll_agrona() {
        return agrona.read(agronaCounter, 1);
    }

    @Benchmark
    public int emptyPoll_unchecked() {
        return unchecked.poll(counter);
    }

    // ---- offer and poll it back (a second poll after the padding at the end of the area) ----
    // Each way's body is written out in its own method, as Agrona's is: JMH forces the benchmark
    // method into its loop, but a shared helper compiled on its own (about 9.6 KB with the ring's
    // code in it) is too big for C2 to inline there, which put a call into every jshm operation.
    @Benchmark
    public int offerPoll_jshm() {
        ring.offer(1, message, 0, MESSAGE);
        int n = ring.poll(counter, 1);
        return n != 0 ? n : ring.poll(counter, 1);
    }

    @Benchmark
    public int offerPoll_jshmSysV() {
        sysVRing.offer(1, message, 0, MESSAGE);
        int n = sysVRing.poll(counter, 1);
        return n != 0 ? n : sysVRing.poll(counter, 1);
    }

    @Benchmark
    public int offerPoll_agrona() {
        agrona.write(1, agronaMessage, 0, MESSAGE);
        int n = agrona.read(agronaCounter, 1);
        return n != 0 ? n : agrona.read(agronaCounter, 1);
    }

    @Benchmark
    public int offerPoll_unchecked() {
        unchecked.offer(1, message);
        int n = unchecked.poll(counter);
        return n != 0 ? n : unchecked.poll(counter);
    }

    // ---- zero-copy: claim, write in place, commit, poll ----
    @Benchmark
    public int claimPoll_jshm() {
        int index = ring.claim(1, MESSAGE);
        ringBuffer.putLong(index, 7L);
        ring.commit(index);
        int n = ring.poll(counter, 1);
        return n != 0 ? n : ring.poll(counter, 1);
    }
}
