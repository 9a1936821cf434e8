package dev.jshm;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Blocks of one repeated byte, the source of the JVM's path of {@link Segment#fill}: a fill is a
 * series of bulk copies from the block, so it runs at copy speed and allocates nothing once the
 * block for its value exists. At most 256 blocks of {@link #BLOCK} bytes, made on first use.
 */
final class FillPatterns {

    /** Large enough that the per-copy cost is small, small enough to stay in the L1 cache. */
    static final int BLOCK = 4096;

    /** Published with a volatile write, so a thread that sees a block sees it filled. */
    private static final AtomicReferenceArray<byte[]> BLOCKS = new AtomicReferenceArray<>(256);

    private FillPatterns() {
    }

    /** The block of {@code value}; never written after it is published. */
    static byte[] of(byte value) {
        int i = value & 0xff;
        byte[] block = BLOCKS.get(i);
        if (block == null) {
            block = new byte[BLOCK];
            Arrays.fill(block, value);
            // A racing thread may publish its own equal block first; either is fine.
            BLOCKS.compareAndSet(i, null, block);
        }
        return block;
    }
}
