package dev.jshm.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SysVSegment;
import dev.jshm.ring.MessageHandler;
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
    private Unchecked unchecked;
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
        unchecked = new Unchecked(second.slice(0, (int) (size - CAPACITY)), second.slice((int) (size - CAPACITY), CAPACITY));
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

    /**
     * jshm's single-producer record protocol (ring-format.md) without its checks: the claim mark
     * and the cleared next header, the tail, the payload, the release store of the length; the
     * consumer's acquire load of the length and release store of the head. Only 32-byte
     * messages; at the end of the area it writes padding and drops the message. Its accesses
     * are the ring's: plain loads and stores through LongBuffer and IntBuffer views of the
     * memory, the ordered ones with a fence beside them, so that what it leaves out is jshm's
     * checks, heartbeats and wake-ups alone.
     */
    private static final class Unchecked {
        private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private static final int TAIL = 128 / 8;
        private static final int HEAD_CACHE = 136 / 8;
        private static final int HEAD = 256 / 8;
        private static final int RECORD = 8 + MESSAGE;

        private final ByteBuffer records;
        private final LongBuffer headerLongs;
        private final LongBuffer recordLongs;
        private final IntBuffer recordInts;
        private final int mask;

        Unchecked(ByteBuffer header, ByteBuffer records) {
            this.records = records.order(ByteOrder.nativeOrder());
            this.headerLongs = header.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
            this.recordLongs = records.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
            this.recordInts = records.duplicate().clear().order(ByteOrder.nativeOrder()).asIntBuffer();
            this.mask = records.capacity() - 1;
        }

        void offer(int type, byte[] src) {
            long head = headerLongs.get(HEAD_CACHE);
            long tail = headerLongs.get(TAIL);
            VarHandle.acquireFence();
            int index = (int) tail & mask;
            int toEnd = mask + 1 - index;
            if (RECORD > toEnd || tail - head > mask + 1 - RECORD - 8) {
                head = headerLongs.get(HEAD);
                VarHandle.acquireFence();
                headerLongs.put(HEAD_CACHE, head);
                if (RECORD > toEnd && tail - head <= mask + 1 - toEnd - 8) {
                    recordLongs.put(0, 0L);
                    recordInts.put((index >>> 2) + 1, -1);
                    VarHandle.releaseFence();
                    recordInts.put(index >>> 2, toEnd);
                    headerLongs.put(TAIL, tail + toEnd);
                }
                return;
            }
            int at = index >>> 3;
            recordLongs.put(((index + RECORD) & mask) >>> 3, 0L);
            recordLongs.put(at, ((long) type << 32) | (-RECORD & 0xffffffffL));
            VarHandle.releaseFence();
            headerLongs.put(TAIL, tail + RECORD);
            recordLongs.put(at + 1, (long) ARRAY_LONG.get(src, 0));
            recordLongs.put(at + 2, (long) ARRAY_LONG.get(src, 8));
            recordLongs.put(at + 3, (long) ARRAY_LONG.get(src, 16));
            recordLongs.put(at + 4, (long) ARRAY_LONG.get(src, 24));
            VarHandle.releaseFence();
            recordInts.put(index >>> 2, RECORD);
        }

        int poll(MessageHandler handler) {
            long head = headerLongs.get(HEAD);
            int index = (int) head & mask;
            int length = recordInts.get(index >>> 2);
            VarHandle.acquireFence();
            if (length <= 0) {
                return 0;
            }
            int type = recordInts.get((index >>> 2) + 1);
            if (type > 0) {
                handler.onMessage(type, records, index + 8, length - 8);
            }
            VarHandle.releaseFence();
            headerLongs.put(HEAD, head + ((length + 7) & ~7));
            return type > 0 ? 1 : 0;
        }
    }
}
