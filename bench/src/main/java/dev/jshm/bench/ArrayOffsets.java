package dev.jshm.bench;

/**
 * Where in its Java array a copy benchmark starts, one call after the other: eight places, one in
 * each eighth of a page and each at another of the eight 8-byte places of a cache line (0, 520,
 * 1040, ..., 3640), then the first again.
 *
 * <p>A {@code byte[]}'s data lies at a multiple of 8 whose place in a cache line and in a page
 * depend on the fork's heap, and copy loops run at different speeds for different places: within
 * a line, the JVM's and glibc's alike (the same 4 KiB {@code MappedByteBuffer} write took 17.7 ns
 * in one fork and 26 ns in four others), and within a page, against the copy's other side, which
 * starts a page in every way (on an AMD EPYC VM, 4 KiB reads into five arrays at different places
 * in their pages took from about 30 to about 50 ns by array, in the same order in each of ten
 * forks, so that with one array per fork a way's whole fork ran at 30 or at 50 ns by its array's
 * luck; glibc's 4 KiB {@code memcpy} into shared memory took 34 to 44 ns from 16 places in a
 * page, its reads the same from all). A benchmark that always copies
 * at one offset measures one place per fork, a different one for each way; cycling through
 * places spread over a page and a line gives every way the same mix whatever the fork, as a
 * program copying from arrays it did not align sees it. The memory side of every way stays at
 * offset 0.
 */
final class ArrayOffsets {

    /** How many places a copy cycles through. */
    static final int PLACES = 8;
    /** From one place to the next: an eighth of a page, and one 8-byte step along a line. */
    static final int STEP = 4096 / PLACES + Long.BYTES;
    /** How many bytes an array needs beyond the copy's length: the last place's offset. */
    static final int SLACK = (PLACES - 1) * STEP;

    private int place;

    /** {@return the offset for this call} */
    int next() {
        int at = place * STEP;
        place = (place + 1) & (PLACES - 1);
        return at;
    }
}
