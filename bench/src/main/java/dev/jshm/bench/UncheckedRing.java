package dev.jshm.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

import dev.jshm.ring.MessageHandler;

/**
 * jshm's single-producer record protocol (ring-format.md) without its checks: the claim mark
 * and the cleared next header, the tail, the payload, the release store of the length; the
 * consumer's acquire load of the length and release store of the head. Only 32-byte
 * messages, from a {@code byte[]} or from a buffer; at the end of the area it writes padding
 * instead of the message ({@code offer} then returns false, and the caller offers again). Its
 * accesses are the ring's: plain loads and stores through LongBuffer and IntBuffer views of the
 * memory, the ordered ones with a fence beside them, so that what it leaves out is jshm's
 * checks, heartbeats and wake-ups alone. RingCpuBench times it in one thread; CrossProcess
 * between two processes, over a header that {@code MessageRing.create} formatted.
 */
final class UncheckedRing {

    /** The one message length it takes. */
    static final int MESSAGE = 32;

    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle BUFFER_LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int TAIL = 128 / 8;
    private static final int HEAD_CACHE = 136 / 8;
    private static final int HEAD = 256 / 8;
    private static final int RECORD = 8 + MESSAGE;

    private final ByteBuffer records;
    private final LongBuffer headerLongs;
    private final LongBuffer recordLongs;
    private final IntBuffer recordInts;
    private final int mask;

    UncheckedRing(ByteBuffer header, ByteBuffer records) {
        this.records = records.order(ByteOrder.nativeOrder());
        this.headerLongs = header.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
        this.recordLongs = records.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
        this.recordInts = records.duplicate().clear().order(ByteOrder.nativeOrder()).asIntBuffer();
        this.mask = records.capacity() - 1;
    }

    /** One message from {@code src[0, MESSAGE)}; false after writing padding at the end of the area. */
    boolean offer(int type, byte[] src) {
        int index = claim(type);
        if (index < 0) {
            return false;
        }
        int at = index >>> 3;
        recordLongs.put(at + 1, (long) ARRAY_LONG.get(src, 0));
        recordLongs.put(at + 2, (long) ARRAY_LONG.get(src, 8));
        recordLongs.put(at + 3, (long) ARRAY_LONG.get(src, 16));
        recordLongs.put(at + 4, (long) ARRAY_LONG.get(src, 24));
        commit(index);
        return true;
    }

    /**
     * One message from {@code src[off, off + MESSAGE)}, whatever the buffer's position: what an
     * echo that forwards a message straight from the ring it polled does, as
     * {@code MessageRing.offer(type, src, off, len)} and Agrona's {@code write} from a buffer do.
     */
    boolean offer(int type, ByteBuffer src, int off) {
        int index = claim(type);
        if (index < 0) {
            return false;
        }
        int at = index >>> 3;
        recordLongs.put(at + 1, (long) BUFFER_LONG.get(src, off));
        recordLongs.put(at + 2, (long) BUFFER_LONG.get(src, off + 8));
        recordLongs.put(at + 3, (long) BUFFER_LONG.get(src, off + 16));
        recordLongs.put(at + 4, (long) BUFFER_LONG.get(src, off + 24));
        commit(index);
        return true;
    }

    /**
     * Claims a record for a message of {@code type} (the claim mark, the cleared next header,
     * the tail) and returns its index, or -1 after writing padding to the end of the area (or
     * finding the ring full).
     */
    private int claim(int type) {
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
            return -1;
        }
        recordLongs.put(((index + RECORD) & mask) >>> 3, 0L);
        recordLongs.put(index >>> 3, ((long) type << 32) | (-RECORD & 0xffffffffL));
        VarHandle.releaseFence();
        headerLongs.put(TAIL, tail + RECORD);
        return index;
    }

    /** Publishes the record at {@code index}: the payload before the length (release). */
    private void commit(int index) {
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
