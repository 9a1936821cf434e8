package dev.jshm;

import java.nio.ByteBuffer;
import java.time.Duration;

import dev.jshm.ring.MessageRing;

/**
 * Both ends of a {@link MessageRing} between processes of different architectures, through the
 * ring's public API only: the x86_64 test JVM runs one end and the emulated aarch64 JVM
 * ({@link CrossArchPeer}) the other. Message {@code i} has type {@link #TYPE}, a length of
 * {@code 8 + i % 61} bytes, its sequence number in the first 8 (little-endian) and
 * {@link #byteAt} after that, so the consumer checks order, length and every byte.
 *
 * <p>No JUnit here: this class also runs in the emulated JVM, whose class path is the packaged
 * jar and the test classes only.
 */
final class CrossArchRingPeer {

    static final int CAPACITY = 64 * 1024;
    static final int TYPE = 7;

    private CrossArchRingPeer() {
    }

    /** The segment size the ring needs. */
    static long requiredSize() {
        return MessageRing.requiredSize(CAPACITY);
    }

    /** Lays a fresh ring out at the start of {@code segment}. */
    static void create(Segment segment) {
        MessageRing.create(segment, CAPACITY);
    }

    /** Offers {@code count} messages, retrying while the ring is full, within {@code timeout}. */
    static void produce(Segment segment, int count, Duration timeout) {
        MessageRing ring = MessageRing.attach(segment);
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] message = new byte[8 + 60];
        for (int i = 0; i < count; i++) {
            int length = 8 + i % 61;
            for (int b = 0; b < 8; b++) {
                message[b] = (byte) ((long) i >>> (8 * b));
            }
            for (int b = 8; b < length; b++) {
                message[b] = byteAt(i, b);
            }
            while (!ring.offer(TYPE, message, 0, length)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("produce: ring full at message " + i + " of " + count
                            + " after " + timeout + ": " + ring);
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Polls until {@code count} messages arrived, checking each, within {@code timeout}.
     *
     * @return the number of messages received, always {@code count}
     * @throws IllegalStateException on a message out of order, of the wrong type or length, or
     *                               with a wrong byte, or on the timeout
     */
    static int consume(Segment segment, int count, Duration timeout) {
        MessageRing ring = MessageRing.attach(segment);
        long deadline = System.nanoTime() + timeout.toNanos();
        int[] received = {0};
        while (received[0] < count) {
            int polled = ring.poll((type, buffer, offset, length) -> check(received[0]++, type, buffer, offset, length),
                    count - received[0]);
            if (polled == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("consume: " + received[0] + " of " + count
                            + " messages after " + timeout + ": " + ring);
                }
                Thread.onSpinWait();
            }
        }
        return received[0];
    }

    private static void check(int expected, int type, ByteBuffer buffer, int offset, int length) {
        if (type != TYPE || length != 8 + expected % 61) {
            throw new IllegalStateException("message " + expected + ": type " + type + ", length " + length
                    + "; expected type " + TYPE + ", length " + (8 + expected % 61));
        }
        long sequence = 0;
        for (int b = 0; b < 8; b++) {
            sequence |= (buffer.get(offset + b) & 0xffL) << (8 * b);
        }
        if (sequence != expected) {
            throw new IllegalStateException("message " + expected + " carries sequence " + sequence);
        }
        for (int b = 8; b < length; b++) {
            if (buffer.get(offset + b) != byteAt(expected, b)) {
                throw new IllegalStateException("message " + expected + ": byte " + b + " is "
                        + buffer.get(offset + b) + ", expected " + byteAt(expected, b));
            }
        }
    }

    static byte byteAt(int message, int index) {
        return (byte) (message * 31 + index * 7);
    }
}
