package dev.jshm;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The checked paths of {@link Segment}'s bulk copies ({@code read}, {@code write}, {@code fill}):
 * which path a copy takes, the JVM's copy chunk by chunk, or one native call. Segment keeps the
 * fast path (one copy within the first chunk) and comes here for everything else.
 */
final class BulkCopy {

    /**
     * The smallest copy that takes the native path on segments that may copy natively (all but
     * POSIX objects and files built with {@code jvmCopies()}), unless the CPU is
     * one where glibc's {@code memcpy} wins earlier ({@link #copyThresholdFor}): below it the
     * JVM's copy stub wins, because the JNI call and the VM's array-region calls cost more than
     * glibc's {@code memcpy} saves. On Intel Xeon hosts the stub also copied as fast as
     * {@code memcpy} up to 64 KiB (the native read of 64 KiB took 1.06 to 1.20 times the JVM's in
     * six benchmark runs); at 1 MiB the two paths were within a few percent, and from there the
     * native one holds no safepoint off for the length of the copy (the JVM's copies 1 MiB
     * between two safepoint polls). CopyCrossoverBench measures both paths.
     */
    static final int DEFAULT_NATIVE_COPY_THRESHOLD = 1024 * 1024;

    /**
     * The threshold on AMD CPUs of family 26 (Zen 5): there the native read of 64 KiB took 0.55
     * and 0.70 times the JVM's, the write 0.76 and 0.78 times (two benchmark runs on an AMD EPYC),
     * while at 16 KiB the JVM's stub still won by 1.3 to 1.6 times. glibc copies such sizes with
     * {@code rep movsb} there (glibc 2.36 on that CPU, as {@code ld.so --list-diagnostics} shows:
     * from 2112 bytes up to its L2 size, 1 MiB), which moves a cache-resident 64 KiB faster than
     * the stub's vector loop. Family 25 (Zen 4, an AMD EPYC of model 17) keeps the default: glibc
     * takes the same {@code rep movsb} there, and it is no faster than the stub at any size
     * (CopyCrossoverBench, native × JVM in four runs: reads 0.98-1.08 at 64 KiB and 1.01-1.20 at
     * 1 MiB, writes 0.99-1.19 and 0.98-1.17; in one of them 1.16 and 1.03 at 256 KiB, 0.96 and
     * 1.09 at 4 MiB). Other AMD families have not been measured and keep the default: below 1 MiB
     * it gives up at most what a faster {@code rep movsb} would save, where a native copy below
     * its crossover can take twice the stub's time (2 KiB: 1.2 to 2.0 times on both families).
     */
    static final int AMD_FAMILY_26_NATIVE_COPY_THRESHOLD = 64 * 1024;

    /**
     * The smallest fill that takes the native path ({@code memset}), on every CPU: from its aligned
     * pattern block ({@link FillPatterns}) the JVM's fill beat {@code memset} by a JNI call at 2 KiB
     * (14 against 18 ns), tied at 16 KiB, still won at 64 KiB ({@code memset} took 1.02 to 1.09
     * times its time, Intel and AMD) and lost at 1 MiB (0.68 to 0.97 times).
     */
    static final int DEFAULT_NATIVE_FILL_THRESHOLD = 1024 * 1024;

    /**
     * The system property {@code dev.jshm.nativeCopyThreshold} (bytes; 0: always native,
     * {@code 2147483647}: never) overrides both thresholds, for tuning and for measuring each
     * path.
     */
    private static final Integer THRESHOLD_OVERRIDE = Integer.getInteger("dev.jshm.nativeCopyThreshold");
    /** The copy threshold in effect: the override, or the one for this CPU. */
    static final int NATIVE_COPY_THRESHOLD = THRESHOLD_OVERRIDE != null
            ? Math.max(0, THRESHOLD_OVERRIDE) : copyThresholdFor(CpuId.current());
    /** The fill threshold in effect: the override, or {@link #DEFAULT_NATIVE_FILL_THRESHOLD}. */
    static final int NATIVE_FILL_THRESHOLD = THRESHOLD_OVERRIDE != null
            ? Math.max(0, THRESHOLD_OVERRIDE) : DEFAULT_NATIVE_FILL_THRESHOLD;

    /**
     * {@return the copy threshold for {@code cpu}} ({@link CpuId#UNKNOWN} on aarch64, which has
     * not been measured and keeps the default).
     */
    static int copyThresholdFor(CpuId cpu) {
        return cpu.vendor().equals("AuthenticAMD") && cpu.family() == 26
                ? AMD_FAMILY_26_NATIVE_COPY_THRESHOLD : DEFAULT_NATIVE_COPY_THRESHOLD;
    }

    private BulkCopy() {
    }

    /** {@link Segment#read(long, byte[], int, int)} past its fast path; {@code nativePath} by size. */
    static void read(Segment segment, long offset, byte[] dst, int dstOffset, int length, boolean nativePath) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        Mapping m = segment.readable("read", offset, length);
        try {
            if (nativePath) {
                int rc = Native.copyToArray(m.address, m.size, offset, dst, dstOffset, length);
                Reference.reachabilityFence(m);
                if (rc < 0) {
                    throw Errors.failure(rc, "read(offset=" + offset + ", length=" + length + ") of " + segment);
                }
            } else {
                copyOut(m, offset, dst, dstOffset, length);
            }
            m.checkBacked(segment, "read", offset, length);
        } catch (InternalError e) {
            throw segment.faulted(e, "read", offset, length);
        }
    }

    /**
     * {@link Segment#write(long, byte[], int, int)} past its fast path; {@code nativePath} by size.
     * Failures name {@code operation}: {@code write}, or the public method built on it.
     */
    static void write(Segment segment, String operation, long offset, byte[] src, int srcOffset, int length, boolean nativePath) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Mapping m = segment.writable(operation, offset, length);
        try {
            if (nativePath) {
                int rc = Native.copyFromArray(m.address, m.size, offset, src, srcOffset, length);
                Reference.reachabilityFence(m);
                if (rc < 0) {
                    throw Errors.failure(rc, operation + "(offset=" + offset + ", length=" + length + ") of " + segment);
                }
            } else {
                copyIn(m, offset, src, srcOffset, length);
            }
            m.checkBacked(segment, operation, offset, length);
        } catch (InternalError e) {
            throw segment.faulted(e, operation, offset, length);
        }
    }

    /** {@link Segment#fill(long, long, byte)} past its fast path; {@code nativePath} by size. */
    static void fill(Segment segment, long offset, long length, byte value, boolean nativePath) {
        Mapping m = segment.writable("fill", offset, length);
        try {
            if (nativePath) {
                int rc = Native.fill(m.address, m.size, offset, length, value);
                Reference.reachabilityFence(m);
                if (rc < 0) {
                    throw Errors.failure(rc, "fill(offset=" + offset + ", length=" + length + ") of " + segment);
                }
            } else {
                fillIn(m, offset, length, FillPatterns.of(value));
            }
            m.checkBacked(segment, "fill", offset, length);
        } catch (InternalError e) {
            throw segment.faulted(e, "fill", offset, length);
        }
    }

    /**
     * The JVM's fill: copies of at most {@link FillPatterns#BLOCK} bytes from {@code pattern},
     * each from the place in a page of its destination ({@link FillPatterns#sourceFor}), chunk by
     * chunk.
     */
    private static void fillIn(Mapping m, long offset, long length, ByteBuffer pattern) {
        long at = offset;
        long end = offset + length;
        while (at < end) {
            ByteBuffer chunk = m.chunk(at);
            int index = Mapping.indexInChunk(at);
            int n = (int) Math.min(Math.min(end - at, FillPatterns.BLOCK), chunk.capacity() - index);
            chunk.put(index, pattern, FillPatterns.sourceFor(m.address + at), n);
            at += n;
        }
    }

    /**
     * The JVM's copy out of the mapping, chunk by chunk. A fault the JVM reports (an
     * {@link InternalError}, where jshm could not heal it) is the caller's to name: compiled code
     * may raise it a few statements after the copy, so the caller catches it around all of its
     * work, not around this loop alone.
     */
    static void copyOut(Mapping m, long offset, byte[] dst, int dstOffset, int length) {
        long at = offset;
        int done = 0;
        while (done < length) {
            ByteBuffer chunk = m.chunk(at);
            int index = Mapping.indexInChunk(at);
            int n = Math.min(length - done, chunk.capacity() - index);
            chunk.get(index, dst, dstOffset + done, n);
            done += n;
            at += n;
        }
    }

    /** The JVM's copy into the mapping, chunk by chunk; a fault is the caller's, as in {@link #copyOut}. */
    private static void copyIn(Mapping m, long offset, byte[] src, int srcOffset, int length) {
        long at = offset;
        int done = 0;
        while (done < length) {
            ByteBuffer chunk = m.chunk(at);
            int index = Mapping.indexInChunk(at);
            int n = Math.min(length - done, chunk.capacity() - index);
            chunk.put(index, src, srcOffset + done, n);
            done += n;
            at += n;
        }
    }
}
