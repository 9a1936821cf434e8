package dev.jshm;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Blocks of one repeated byte, the source of the JVM's path of {@link Segment#fill}: a fill is a
 * series of bulk copies of at most {@link #BLOCK} bytes from the block, so it runs at copy speed
 * and allocates nothing once the block for its value exists. At most 256 blocks, made on first
 * use.
 *
 * <p>Each block is direct memory that starts a page and holds two, and each copy starts in it
 * at the place in a page of the memory it fills ({@link #sourceFor}). A block in a {@code byte[]}
 * lies wherever the heap put it, and the JVM's copy loop ran a 64 KiB fill from such a block at
 * 1.15 to 1.20 times the time of a benchmark loop doing the same copies from its own array. The
 * place in the page matters as much: on an AMD EPYC VM, a 4 KiB copy from the start of a page
 * took 20 ns to a destination that starts a page, and 24 to 86 ns to destinations 8, 64, 100,
 * 1000 or 4000 bytes into theirs, where from the same place as the destination it took 20.5 to
 * 23.6 ns at each of them; a fill from a block that started a cache line ran at its process's
 * luck (at 64 B, 2.7 ns from 63 places of 64 and 10.6 ns from the other).
 */
final class FillPatterns {

    /** The most one copy takes: large enough that the per-copy cost is small, small enough to stay in the L1 cache. */
    static final int BLOCK = 4096;
    private static final int PAGE = 4096;
    /**
     * The shortest fill that picks its source's place ({@link #sourceFor}); shorter ones copy from
     * the block's start. With raw buffers, from the start of a page and from the destination's
     * own place: 512 bytes at 6.1 to 8.2 ns either way; 1 KiB 12.1 and 12.2 ns against 10.4 and
     * 10.6 ns at destinations 8 and 100 bytes into a page; 2 KiB 23.1 and 23.8 against 17.8 and
     * 17.7 ns. Below it the place is not worth the loads that find it: a 64-byte fill that read
     * it took 4.0 to 4.9 ns against 3.5 to 4.2 ns without.
     */
    static final int PLACED_FROM = 1024;

    /** Published with a volatile write, so a thread that sees a block sees it filled. */
    private static final AtomicReferenceArray<ByteBuffer> BLOCKS = new AtomicReferenceArray<>(256);

    private FillPatterns() {
    }

    /**
     * The block of {@code value}, {@code PAGE + BLOCK} bytes at least, starting a page; never
     * written after it is published. Callers copy from it with absolute bulk operations only,
     * which leave its position alone, so threads share it.
     */
    static ByteBuffer of(byte value) {
        int i = value & 0xff;
        ByteBuffer block = BLOCKS.get(i);
        if (block == null) {
            // A page of slack: alignedSlice rounds the start up (and the end down) to pages.
            block = ByteBuffer.allocateDirect(3 * PAGE).alignedSlice(PAGE).slice(0, PAGE + BLOCK);
            for (int at = 0; at < block.capacity(); at++) {
                block.put(at, value);
            }
            // A racing thread may publish its own equal block first; either is fine.
            BLOCKS.compareAndSet(i, null, block);
        }
        return block;
    }

    /**
     * {@return where a copy of at most {@link #BLOCK} bytes to {@code address} starts in a block}:
     * at the same place in its page, which keeps the block's range inside the block. Only the
     * speed depends on it: every byte of a block is the same.
     */
    static int sourceFor(long address) {
        return (int) address & (PAGE - 1);
    }
}
