package dev.jshm.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The test message that Java and C peers exchange (the same as {@code src/test/c/ring_peer.c}):
 * a sequence number, filler bytes derived from it, and an FNV-1a checksum of everything before
 * it, in lengths that vary with the sequence number (12 to 64 bytes, and up to 1011 bytes for
 * every 1000th), so that records wrap at every possible offset.
 */
final class RingTestMessages {

    /** The longest message {@link #length} returns. */
    static final int MAX_LENGTH = 1011;

    private RingTestMessages() {
    }

    static int length(long seq) {
        int mix = (int) ((seq * 0x9E3779B97F4A7C15L) >>> 40);
        return seq % 1000 == 999 ? 12 + mix % 1000 : 12 + mix % 53;
    }

    /** Writes message {@code seq} at {@code offset} of {@code buffer} (native order); returns its length. */
    static int write(ByteBuffer buffer, int offset, long seq) {
        int length = length(seq);
        buffer.putLong(offset, seq);
        for (int i = 0; i < length - 12; i++) {
            buffer.put(offset + 8 + i, (byte) (seq * 31 + i * 7));
        }
        buffer.putInt(offset + length - 4, fnv1a(buffer, offset, length - 4));
        return length;
    }

    /** Message {@code seq} in a new array. */
    static byte[] bytes(long seq) {
        byte[] bytes = new byte[length(seq)];
        write(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), 0, seq);
        return bytes;
    }

    static int fnv1a(ByteBuffer buffer, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++) {
            h ^= buffer.get(offset + i) & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /**
     * Checks the message at {@code buffer[offset, offset + length)} (native order) and returns its
     * sequence number.
     *
     * @throws AssertionError naming what is wrong: a torn or corrupted message
     */
    static long verify(ByteBuffer buffer, int offset, int length) {
        if (length < 12) {
            throw new AssertionError("message of " + length + " bytes: shorter than the 12 of any test message");
        }
        long seq = buffer.getLong(offset);
        if (length != length(seq)) {
            throw new AssertionError("message seq=" + seq + " has " + length + " bytes, expected " + length(seq));
        }
        int sum = buffer.getInt(offset + length - 4);
        int expected = fnv1a(buffer, offset, length - 4);
        if (sum != expected) {
            throw new AssertionError("message seq=" + seq + " (" + length + " bytes) is torn: checksum 0x"
                    + Integer.toHexString(sum) + ", computed 0x" + Integer.toHexString(expected));
        }
        return seq;
    }

    /**
     * A handler that verifies every message and that each producer's (type's) sequence numbers
     * arrive consecutively from {@code first}: no loss, no duplicate, no reordering.
     */
    static final class Checker implements MessageHandler {
        final long[] expected;
        long received;
        /** Sequence numbers whose message is longer than this were never sent (a small ring): skip them. */
        int maxLength = Integer.MAX_VALUE;

        Checker(int producers, long first) {
            expected = new long[producers + 1];
            java.util.Arrays.fill(expected, first);
        }

        @Override
        public void onMessage(int msgTypeId, ByteBuffer buffer, int offset, int length) {
            if (msgTypeId < 1 || msgTypeId >= expected.length) {
                throw new AssertionError("message type " + msgTypeId + " is not a producer's (1.." + (expected.length - 1) + ")");
            }
            long seq = verify(buffer, offset, length);
            while (length(expected[msgTypeId]) > maxLength) {
                expected[msgTypeId]++;
            }
            if (seq != expected[msgTypeId]) {
                throw new AssertionError("producer " + msgTypeId + ": got seq " + seq + ", expected " + expected[msgTypeId]
                        + (seq < expected[msgTypeId] ? " (duplicate or reordered)" : " (lost messages)") + " after " + received
                        + " messages");
            }
            expected[msgTypeId]++;
            received++;
        }
    }
}
