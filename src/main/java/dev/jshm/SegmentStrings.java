package dev.jshm;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * C strings in a segment: UTF-8 ended by a NUL byte, as {@link Segment#putString} writes them and
 * {@link Segment#getString} reads them. The scan for the NUL never reads past the page that holds
 * it, so a truncation after the string does not affect it.
 */
final class SegmentStrings {

    private SegmentStrings() {
    }

    /** {@link Segment#putString(long, String)}. */
    static int put(Segment segment, long offset, String text) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("putString(offset=" + offset + ") of " + segment
                    + ": the text contains a NUL character at index " + nul);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        segment.write("putString", offset, Arrays.copyOf(bytes, bytes.length + 1));
        return bytes.length;
    }

    /**
     * {@link Segment#getString(long, int)}: by a native scan if {@code nativeScan}, else a page at
     * a time. Where jshm cannot heal a fault (hugetlbfs), the JVM reports it with an
     * {@link InternalError} that compiled code may raise a few statements after the copy that
     * faulted; caught around the whole call, it is still this call's fault.
     */
    static String get(Segment segment, long offset, int maxLength, boolean nativeScan) {
        Mapping m = segment.readable("getString", offset, maxLength);
        try {
            int length = maxLength;
            if (nativeScan) {
                long nul = Native.indexOf(m.address, m.size, offset, maxLength, (byte) 0);
                Reference.reachabilityFence(m);
                if (nul < -1) {
                    throw Errors.failure(nul, "getString(offset=" + offset + ", maxLength=" + maxLength + ") of " + segment);
                }
                length = nul == -1 ? maxLength : (int) (nul - offset);
            } else {
                length = scanForNul(m, offset, maxLength);
            }
            byte[] bytes = new byte[length];
            if (nativeScan) {
                segment.read(offset, bytes);
            } else {
                BulkCopy.copyOut(m, offset, bytes, 0, length);
            }
            // The bytes and the NUL that ended them: a NUL read from replaced memory ends no string.
            m.checkBacked(segment, "getString", offset, Math.min(length + 1L, maxLength));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (InternalError e) {
            throw segment.faulted(e, "getString", offset, maxLength);
        }
    }

    /**
     * The string's length by the JVM's copies: a page at a time and never past the page that holds
     * the NUL, as the pages after the string may be gone (a truncated object) without the string
     * being affected.
     */
    private static int scanForNul(Mapping m, long offset, int maxLength) {
        byte[] block = new byte[(int) Math.min(maxLength, Mapping.PAGE_SIZE)];
        int scanned = 0;
        while (scanned < maxLength) {
            long at = m.address + offset + scanned;
            int n = (int) Math.min(maxLength - scanned, Mapping.PAGE_SIZE - Long.remainderUnsigned(at, Mapping.PAGE_SIZE));
            BulkCopy.copyOut(m, offset + scanned, block, 0, n);
            int nul = indexOfNul(block, n);
            if (nul >= 0) {
                return scanned + nul;
            }
            scanned += n;
        }
        return maxLength;
    }

    private static int indexOfNul(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
