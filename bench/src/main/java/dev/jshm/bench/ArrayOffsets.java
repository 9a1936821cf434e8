package dev.jshm.bench;

/**
 * Where in its Java array a copy benchmark starts, one call after the other: 0, 8, ..., 56, then
 * 0 again. A {@code byte[]}'s data lies at a multiple of 8 whose place in a cache line depends on
 * the fork's heap, and copy loops, the JVM's and glibc's alike, run at different speeds for
 * different places (the same 4 KiB {@code MappedByteBuffer} write took 17.7 ns in one fork and
 * 26 ns in four others). A benchmark that always copies from offset 0 measures one place per
 * fork, a different one for each way; cycling through the eight 8-byte places of a 64-byte line
 * gives every way the same mix whatever the fork, as a program copying from arrays it did not
 * align sees it. The memory side of every way stays at offset 0.
 */
final class ArrayOffsets {

    /** How many bytes an array needs beyond the copy's length. */
    static final int SLACK = 64;

    private int next;

    /** {@return the offset for this call} */
    int next() {
        int at = next;
        next = (at + Long.BYTES) & (SLACK - 1);
        return at;
    }
}
