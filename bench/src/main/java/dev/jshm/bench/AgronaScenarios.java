package dev.jshm.bench;

import static dev.jshm.bench.CrossProcess.CONTROL;
import static dev.jshm.bench.CrossProcess.READY;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The two-process ways of Agrona's rings, the baseline of {@link RingScenarios}, for
 * {@link CrossProcess}: a 32-byte round trip through two {@link OneToOneRingBuffer}s, one-way
 * throughput with {@code write} (a copy), and two producer processes into one
 * {@link ManyToOneRingBuffer}, all in a mapped /dev/shm file.
 */
final class AgronaScenarios {

    private static final int RTT_RING = 64 * 1024;
    private static final int THROUGHPUT_RING = 1024 * 1024;

    private AgronaScenarios() {
    }

    // ---- Agrona round trip ---------------------------------------------------------------------

    static Histogram roundTrip(long warm, long n) throws Exception {
        Path path = DevShm.newPath("agrona-rtt");
        MappedByteBuffer mapped = createRingFile(path, RTT_RING, 2);
        try {
            UnsafeBuffer control = new UnsafeBuffer(mapped, 0, CONTROL);
            OneToOneRingBuffer ping = ring(mapped, RTT_RING, 0);
            OneToOneRingBuffer pong = ring(mapped, RTT_RING, 1);
            Process child = CrossProcess.spawn("agrona-rtt", path.toString(), Long.toString(warm + n));
            CrossProcess.awaitReady(control, child);
            UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
            Counter received = new Counter();
            Histogram h = CrossProcess.histogram();
            {
                for (long i = 0; i < warm + n; i++) {
                    long t = System.nanoTime();
                    message.putLong(0, i);
                    while (!ping.write(1, message, 0, 32)) {
                        // full: spin
                    }
                    while (pong.read(received, 1) == 0) {
                        // spin
                    }
                    long rtt = System.nanoTime() - t;
                    if (i >= warm) {
                        h.recordValue(rtt);
                    }
                }
            }
            CrossProcess.finish(child);
            return h;
        } finally {
            // The name first: the mapping outlives it, and an unmap that throws (Agrona's IoUtil
            // without --add-exports java.base/jdk.internal.misc) then leaves nothing in /dev/shm.
            Files.deleteIfExists(path);
            IoUtil.unmap(mapped);
        }
    }

    static void roundTripChild(Path path, long total) {
        MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "agrona-rtt");
        OneToOneRingBuffer ping = ring(mapped, RTT_RING, 0);
        OneToOneRingBuffer pong = ring(mapped, RTT_RING, 1);
        long[] echoed = {0};
        MessageHandler echo = (type, buffer, index, length) -> {
            while (!pong.write(type, buffer, index, length)) {
                // full: spin
            }
            echoed[0]++;
        };
        new UnsafeBuffer(mapped, 0, CONTROL).putLongOrdered(READY, 1L);
        while (echoed[0] < total) {
            ping.read(echo, 1);
        }
        IoUtil.unmap(mapped);
    }

    // ---- Agrona throughput ---------------------------------------------------------------------

    static double throughput(long block, int size) throws Exception {
        int warmBlocks = CrossProcess.THROUGHPUT_WARM_BLOCKS;
        Path path = DevShm.newPath("agrona-tp");
        MappedByteBuffer mapped = createRingFile(path, THROUGHPUT_RING, 1);
        try {
            UnsafeBuffer control = new UnsafeBuffer(mapped, 0, CONTROL);
            OneToOneRingBuffer ring = ring(mapped, THROUGHPUT_RING, 0);
            Process child = CrossProcess.spawn("agrona-throughput", path.toString(),
                    Long.toString(block * (warmBlocks + 1)), Integer.toString(size));
            CrossProcess.awaitReady(control, child);
            Counter received = new Counter();
            double rate = 0;
            for (int b = 0; b < warmBlocks + 1; b++) {
                long start = System.nanoTime();
                long target = (b + 1) * block;
                while (received.count < target) {
                    ring.read(received, (int) Math.min(Integer.MAX_VALUE, target - received.count));
                }
                rate = block / ((System.nanoTime() - start) / 1e9);
            }
            CrossProcess.finish(child);
            return rate;
        } finally {
            // The name first: the mapping outlives it, and an unmap that throws (Agrona's IoUtil
            // without --add-exports java.base/jdk.internal.misc) then leaves nothing in /dev/shm.
            Files.deleteIfExists(path);
            IoUtil.unmap(mapped);
        }
    }

    static void throughputChild(Path path, long total, int size) {
        MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "agrona-tp");
        OneToOneRingBuffer ring = ring(mapped, THROUGHPUT_RING, 0);
        UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        new UnsafeBuffer(mapped, 0, CONTROL).putLongOrdered(READY, 1L);
        for (long i = 0; i < total; i++) {
            message.putLong(0, i);
            while (!ring.write(1, message, 0, size)) {
                // full: spin
            }
        }
        IoUtil.unmap(mapped);
    }

    // ---- Agrona, two producer processes ------------------------------------------------------

    static double manyToOne(long block, int size) throws Exception {
        int warmBlocks = CrossProcess.MANY_PRODUCERS_WARM_BLOCKS;
        int producers = 2;
        long each = block * (warmBlocks + 1) / producers;
        Path path = DevShm.newPath("agrona-mpsc");
        MappedByteBuffer mapped = createRingFile(path, THROUGHPUT_RING, 1);
        try {
            UnsafeBuffer control = new UnsafeBuffer(mapped, 0, CONTROL);
            int length = THROUGHPUT_RING + RingBufferDescriptor.TRAILER_LENGTH;
            ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(mapped, CONTROL, length));
            Process[] children = new Process[producers];
            for (int p = 0; p < producers; p++) {
                control.putLongVolatile(READY, 0L);
                children[p] = CrossProcess.spawn("agrona-mpsc", path.toString(), Long.toString(each), Integer.toString(size));
                CrossProcess.awaitReady(control, children[p]);
            }
            Counter received = new Counter();
            double rate = 0;
            for (int b = 0; b < warmBlocks + 1; b++) {
                long start = System.nanoTime();
                long target = Math.min((b + 1) * block, each * producers);
                long count = target - b * block;
                while (received.count < target) {
                    ring.read(received, (int) Math.min(Integer.MAX_VALUE, target - received.count));
                }
                rate = count / ((System.nanoTime() - start) / 1e9);
            }
            for (Process child : children) {
                CrossProcess.finish(child);
            }
            return rate;
        } finally {
            // The name first: the mapping outlives it, and an unmap that throws (Agrona's IoUtil
            // without --add-exports java.base/jdk.internal.misc) then leaves nothing in /dev/shm.
            Files.deleteIfExists(path);
            IoUtil.unmap(mapped);
        }
    }

    static void manyToOneChild(Path path, long total, int size) {
        MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "agrona-mpsc");
        int length = THROUGHPUT_RING + RingBufferDescriptor.TRAILER_LENGTH;
        ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(mapped, CONTROL, length));
        UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        new UnsafeBuffer(mapped, 0, CONTROL).putLongOrdered(READY, 1L);
        for (long i = 0; i < total; i++) {
            message.putLong(0, i);
            while (!ring.write(1, message, 0, size)) {
                // full: spin
            }
        }
        IoUtil.unmap(mapped);
    }

    static final class Counter implements MessageHandler {
        long count;

        @Override
        public void onMessage(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
            count++;
        }
    }

    private static MappedByteBuffer createRingFile(Path path, int capacity, int rings) throws IOException {
        long length = CONTROL + (long) rings * (capacity + RingBufferDescriptor.TRAILER_LENGTH);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(length);
        }
        return IoUtil.mapExistingFile(path.toFile(), path.getFileName().toString());
    }

    private static OneToOneRingBuffer ring(MappedByteBuffer mapped, int capacity, int index) {
        int length = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        return new OneToOneRingBuffer(new UnsafeBuffer(mapped, CONTROL + index * length, length));
    }
}
