package dev.jshm.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

import dev.jshm.internal.BufferViews;

/**
 * Copies of short messages (at most {@value #MAX} bytes) into the record area, in straight-line
 * code. Measured in one process, a 32-byte {@code offer} took about 22 ns with a loop of 8-byte
 * stores and about 15 ns with the same stores unrolled: the JIT prepares a loop for many
 * iterations (range checks hoisted, a pre-loop and a post-loop), which costs more than a short
 * message's four stores. Between two processes, 8-byte stores also beat the JVM's copy stub for
 * such messages (the stub won from about 128 bytes).
 *
 * <p>How: a message of 8 to 64 bytes is two blocks of 8, 16 or 32 bytes, one from its start and
 * one that ends at its end; they overlap unless the length is twice the block, and the overlap
 * is written twice with the same bytes. Shorter messages are two ints, two shorts or a byte the
 * same way. Nothing is written outside the message, and nothing of the message is visible before
 * the commit's release store, so the order of the stores does not matter. When both blocks start
 * at 8-aligned indexes (a payload's index is 8-aligned, so when the length is a multiple of 8)
 * they are stored through the record area's longs view ({@link AbstractMessageRing#recordLongs}),
 * whose compiled code is smaller; otherwise through the byte view.
 */
final class SmallCopy {

    /** The longest message these copies take. */
    static final int MAX = 64;

    private static final VarHandle ARRAY_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle ARRAY_INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle ARRAY_SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());

    private SmallCopy() {
    }

    /** The block size for a message of 8 to 64 bytes: two blocks cover it. */
    private static int block(int len) {
        return len > 32 ? 32 : len > 16 ? 16 : 8;
    }

    /**
     * Copies {@code len} (at most {@value #MAX}) bytes of {@code src} from {@code off} to
     * {@code records} (native order, {@code longs} its longs view) at {@code index}; the caller
     * checked both ranges.
     */
    static void copy(byte[] src, int off, ByteBuffer records, LongBuffer longs, int index, int len) {
        if (len >= Long.BYTES && ((index | len) & (Long.BYTES - 1)) == 0) {
            int block = block(len);
            copyBlock(src, off, longs, index >>> 3, block);
            copyBlock(src, off + len - block, longs, (index + len - block) >>> 3, block);
        } else if (len >= Long.BYTES) {
            int block = block(len);
            copyBlock(src, off, records, index, block);
            copyBlock(src, off + len - block, records, index + len - block, block);
        } else if (len >= Integer.BYTES) {
            BufferViews.INT.set(records, index, (int) ARRAY_INTS.get(src, off));
            BufferViews.INT.set(records, index + len - Integer.BYTES, (int) ARRAY_INTS.get(src, off + len - Integer.BYTES));
        } else if (len >= Short.BYTES) {
            BufferViews.SHORT.set(records, index, (short) ARRAY_SHORTS.get(src, off));
            BufferViews.SHORT.set(records, index + len - Short.BYTES, (short) ARRAY_SHORTS.get(src, off + len - Short.BYTES));
        } else if (len == 1) {
            records.put(index, src[off]);
        }
    }

    /** A block at an 8-aligned index, {@code at} in longs. */
    private static void copyBlock(byte[] src, int off, LongBuffer longs, int at, int block) {
        longs.put(at, (long) ARRAY_LONGS.get(src, off));
        if (block >= 16) {
            longs.put(at + 1, (long) ARRAY_LONGS.get(src, off + 8));
            if (block == 32) {
                longs.put(at + 2, (long) ARRAY_LONGS.get(src, off + 16));
                longs.put(at + 3, (long) ARRAY_LONGS.get(src, off + 24));
            }
        }
    }

    private static void copyBlock(byte[] src, int off, ByteBuffer records, int index, int block) {
        BufferViews.LONG.set(records, index, (long) ARRAY_LONGS.get(src, off));
        if (block >= 16) {
            BufferViews.LONG.set(records, index + 8, (long) ARRAY_LONGS.get(src, off + 8));
            if (block == 32) {
                BufferViews.LONG.set(records, index + 16, (long) ARRAY_LONGS.get(src, off + 16));
                BufferViews.LONG.set(records, index + 24, (long) ARRAY_LONGS.get(src, off + 24));
            }
        }
    }

    /**
     * {@link #copy(byte[], int, ByteBuffer, LongBuffer, int, int)} from a buffer; its position and limit are
     * left alone. Read through {@link BufferViews}, whatever the buffer's own byte order: a native
     * view read and a native write carry the bytes over unchanged.
     */
    static void copy(ByteBuffer src, int off, ByteBuffer records, LongBuffer longs, int index, int len) {
        if (len >= Long.BYTES && ((index | len) & (Long.BYTES - 1)) == 0) {
            int block = block(len);
            copyBlock(src, off, longs, index >>> 3, block);
            copyBlock(src, off + len - block, longs, (index + len - block) >>> 3, block);
        } else if (len >= Long.BYTES) {
            int block = block(len);
            copyBlock(src, off, records, index, block);
            copyBlock(src, off + len - block, records, index + len - block, block);
        } else if (len >= Integer.BYTES) {
            BufferViews.INT.set(records, index, (int) BufferViews.INT.get(src, off));
            BufferViews.INT.set(records, index + len - Integer.BYTES, (int) BufferViews.INT.get(src, off + len - Integer.BYTES));
        } else if (len >= Short.BYTES) {
            BufferViews.SHORT.set(records, index, (short) BufferViews.SHORT.get(src, off));
            BufferViews.SHORT.set(records, index + len - Short.BYTES, (short) BufferViews.SHORT.get(src, off + len - Short.BYTES));
        } else if (len == 1) {
            records.put(index, src.get(off));
        }
    }

    /** A block at an 8-aligned index, {@code at} in longs. */
    private static void copyBlock(ByteBuffer src, int off, LongBuffer longs, int at, int block) {
        longs.put(at, (long) BufferViews.LONG.get(src, off));
        if (block >= 16) {
            longs.put(at + 1, (long) BufferViews.LONG.get(src, off + 8));
            if (block == 32) {
                longs.put(at + 2, (long) BufferViews.LONG.get(src, off + 16));
                longs.put(at + 3, (long) BufferViews.LONG.get(src, off + 24));
            }
        }
    }

    private static void copyBlock(ByteBuffer src, int off, ByteBuffer records, int index, int block) {
        BufferViews.LONG.set(records, index, (long) BufferViews.LONG.get(src, off));
        if (block >= 16) {
            BufferViews.LONG.set(records, index + 8, (long) BufferViews.LONG.get(src, off + 8));
            if (block == 32) {
                BufferViews.LONG.set(records, index + 16, (long) BufferViews.LONG.get(src, off + 16));
                BufferViews.LONG.set(records, index + 24, (long) BufferViews.LONG.get(src, off + 24));
            }
        }
    }
}
