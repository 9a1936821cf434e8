package dev.jshm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ring.MessageHandler;
import dev.jshm.ring.MessageRing;
import dev.jshm.ring.ProducerMode;
import dev.jshm.sync.BusySpinIdleStrategy;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;

/**
 * Round-trip latency between two processes over two rings: this process sends a message on the
 * "ping" ring, an echo process (another JVM, which this one starts with the same {@code java}
 * and class path) sends it back on the "pong" ring, and this process times each round trip
 * with {@link System#nanoTime()}. Both rings live in one POSIX shared memory object, which is
 * unlinked at the end, also when something fails.
 *
 * <pre>
 * jshm pingpong [--seconds N] [--size SIZE] [--idle spin|yield|futex] [--json]
 * </pre>
 *
 * Prints the round-trip time percentiles (p50, p99, p99.9, max) and the messages per second
 * (two per round trip). The first fifth of the time (at least 0.2 s) warms up and is not counted.
 * The echo side is this class's {@link #main} with {@code --echo}; {@link PingPongCommand} is
 * the command line.
 */
public final class PingPong {

    private static final int MESSAGE_TYPE = 1;
    private static final int STOP_TYPE = 2;
    private static final int DEFAULT_CAPACITY = 64 * 1024;
    private static final long PAGE = 4096;

    private PingPong() {
    }

    /** The echo side, which {@link #measure} starts: {@code --echo NAME --pong-offset N --idle spin|yield|futex}. */
    public static void main(String[] args) {
        try {
            echo(parseEcho(args));
        } catch (RuntimeException e) {
            System.err.println("jshm pingpong echo: " + e);
            System.exit(1);
        }
    }

    /** What to measure. */
    record Options(double seconds, int size, String idle, boolean json) {

        /**
         * @throws IllegalArgumentException naming the option and the range it must be in
         */
        Options {
            if (!(seconds > 0 && seconds <= 3600)) {
                throw new IllegalArgumentException("--seconds " + seconds + " must be in (0, 3600]");
            }
            if (size < Long.BYTES || size > MAX_SIZE) {
                throw new IllegalArgumentException("--size " + size + " must be in [8, " + MAX_SIZE + "]");
            }
            if (!IDLE_STRATEGIES.contains(idle)) {
                throw new IllegalArgumentException("--idle " + idle + " must be spin, yield or futex");
            }
        }
    }

    /** The largest message: the largest ring's maximum. */
    static final int MAX_SIZE = MessageRing.MAX_CAPACITY_BYTES / 8;
    static final List<String> IDLE_STRATEGIES = List.of("spin", "yield", "futex");

    private record EchoOptions(String name, long pongOffset, String idle) {
    }

    private static EchoOptions parseEcho(String[] args) {
        String name = null;
        long pongOffset = -1;
        String idle = "spin";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--echo" -> name = args[i + 1];
                case "--pong-offset" -> pongOffset = Long.parseLong(args[i + 1]);
                case "--idle" -> idle = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (name == null || pongOffset < 0 || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: PingPong --echo NAME --pong-offset N [--idle spin|yield|futex]");
        }
        return new EchoOptions(name, pongOffset, idle);
    }

    /** How a side waits for the ring it reads. */
    private static IdleStrategy idle(String name, MessageRing readFrom) {
        return switch (name) {
            case "yield" -> new YieldingIdleStrategy();
            case "futex" -> readFrom.futexIdleStrategy();
            default -> new BusySpinIdleStrategy();
        };
    }

    private static int capacityFor(int size) {
        long needed = Math.max(DEFAULT_CAPACITY, 8L * size);
        return (int) Math.min(Long.highestOneBit(needed - 1) << 1, MessageRing.MAX_CAPACITY_BYTES);
    }

    /**
     * Runs the measurement and prints the result on {@code out}.
     *
     * @throws Exception naming what failed (the echo process, the segment); the segment is unlinked
     */
    static void measure(Options options, PrintStream out) throws Exception {
        int capacity = capacityFor(options.size());
        long stride = (MessageRing.requiredSize(capacity) + PAGE - 1) / PAGE * PAGE;
        String name = "/jshm-pingpong-" + ProcessHandle.current().pid();
        PosixSegment segment = PosixSegment.create(name, 2 * stride);
        Process peer = null;
        Thread cleanup = new Thread(() -> unlinkQuietly(name), "jshm-pingpong-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        OutputCollector peerOutput = null;
        try {
            MessageRing ping = MessageRing.create(segment, 0, capacity, ProducerMode.SINGLE);
            MessageRing pong = MessageRing.create(segment, stride, capacity, ProducerMode.SINGLE);
            peer = startEcho(name, stride, options.idle());
            peerOutput = new OutputCollector(peer.getInputStream());
            awaitEcho(ping, peer, peerOutput);

            double warmup = Math.max(0.2, options.seconds() / 5);
            roundTrips(ping, pong, options, warmup, peer, peerOutput, null);
            long[][] samples = {new long[1 << 16]};
            long start = System.nanoTime();
            int count = roundTrips(ping, pong, options, options.seconds(), peer, peerOutput, samples);
            double elapsed = (System.nanoTime() - start) / 1e9;
            report(out, options, name, capacity, peer.pid(), Arrays.copyOf(samples[0], count), elapsed);

            ByteBuffer stop = ByteBuffer.allocate(0);
            while (!ping.offer(STOP_TYPE, stop)) {
                Thread.onSpinWait();
            }
            if (!peer.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the echo process did not stop within 10 s");
            }
            if (peer.exitValue() != 0) {
                throw new IllegalStateException("the echo process exited with status " + peer.exitValue() + ": " + peerOutput.text());
            }
        } finally {
            if (peer != null && peer.isAlive()) {
                peer.destroyForcibly();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
            segment.close();
            unlinkQuietly(name);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, and finds nothing to do
            }
        }
    }

    private static void unlinkQuietly(String name) {
        try {
            PosixSegment.unlink(name);
        } catch (SegmentNotFoundException alreadyGone) {
            // unlinked before
        }
    }

    private static Process startEcho(String name, long pongOffset, String idle) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), PingPong.class.getName(), "--echo", name, "--pong-offset",
                Long.toString(pongOffset), "--idle", idle));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits until the echo process polls the ping ring (its consumer heartbeat names it). */
    private static void awaitEcho(MessageRing ping, Process peer, OutputCollector peerOutput) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ping.consumerPid() != peer.pid()) {
            if (!peer.isAlive()) {
                throw new IllegalStateException("the echo process exited with status " + peer.exitValue() + ": " + peerOutput.text());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the echo process did not attach within 60 s: " + peerOutput.text());
            }
            Thread.sleep(5);
        }
    }

    /**
     * Sends one message at a time and waits for it to come back, for {@code seconds}; records
     * each round trip's nanoseconds in {@code samples[0]} (grown as needed) unless it is null.
     * Returns the number of round trips.
     */
    private static int roundTrips(MessageRing ping, MessageRing pong, Options options, double seconds, Process peer,
                                  OutputCollector peerOutput, long[][] samples) {
        IdleStrategy idle = idle(options.idle(), pong);
        int size = options.size();
        long[] received = new long[1];
        MessageHandler handler = (type, buffer, offset, length) -> {
            if (length != size) {
                throw new IllegalStateException("echo of " + length + " bytes, sent " + size);
            }
            received[0] = buffer.getLong(offset);
        };
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int count = 0;
        long seq = 0;
        long now;
        do {
            seq++;
            long sent = System.nanoTime();
            int index;
            while ((index = ping.claim(MESSAGE_TYPE, size)) < 0) {
                Thread.onSpinWait();
            }
            ping.buffer().putLong(index, seq);
            ping.commit(index);
            idle.reset();
            long spins = 0;
            while (pong.poll(handler, 1) == 0) {
                if ((++spins & 0x3F) == 0 && !peer.isAlive()) {
                    throw new IllegalStateException("the echo process died: " + peerOutput.text());
                }
                idle.idle(0);
            }
            now = System.nanoTime();
            if (received[0] != seq) {
                throw new IllegalStateException("echo of message " + received[0] + ", expected " + seq);
            }
            if (samples != null) {
                if (count == samples[0].length) {
                    samples[0] = Arrays.copyOf(samples[0], count * 2);
                }
                samples[0][count] = now - sent;
            }
            count++;
        } while (now - end < 0);
        return count;
    }

    private static void report(PrintStream out, Options options, String name, int capacity, long peerPid, long[] samples,
                               double elapsed) {
        Arrays.sort(samples);
        if (options.json()) {
            Map<String, Object> root = Json.object();
            root.put("size", options.size());
            root.put("idle", options.idle());
            root.put("capacity", capacity);
            root.put("object", name);
            root.put("echoPid", peerPid);
            root.put("roundTrips", samples.length);
            root.put("seconds", decimal(elapsed, 3));
            root.put("roundTripsPerSecond", Math.round(samples.length / elapsed));
            root.put("messagesPerSecond", Math.round(2 * samples.length / elapsed));
            Map<String, Object> rtt = Json.object();
            rtt.put("p50", percentile(samples, 0.50));
            rtt.put("p99", percentile(samples, 0.99));
            rtt.put("p999", percentile(samples, 0.999));
            rtt.put("max", samples.length == 0 ? 0L : samples[samples.length - 1]);
            root.put("rttNanos", rtt);
            out.println(Json.pretty(root));
            return;
        }
        out.printf(Locale.ROOT, "%d-byte messages, idle %s, two %d-byte rings in POSIX object %s, echo process %d%n",
                options.size(), options.idle(), capacity, name, peerPid);
        out.printf(Locale.ROOT, "round trips: %d in %.2f s: %.0f round trips/s, %.0f messages/s%n", samples.length, elapsed,
                samples.length / elapsed, 2 * samples.length / elapsed);
        out.printf(Locale.ROOT, "rtt p50:   %10.3f us%n", percentile(samples, 0.50) / 1e3);
        out.printf(Locale.ROOT, "rtt p99:   %10.3f us%n", percentile(samples, 0.99) / 1e3);
        out.printf(Locale.ROOT, "rtt p99.9: %10.3f us%n", percentile(samples, 0.999) / 1e3);
        out.printf(Locale.ROOT, "rtt max:   %10.3f us%n", samples.length == 0 ? 0.0 : samples[samples.length - 1] / 1e3);
    }

    private static BigDecimal decimal(double value, int scale) {
        return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_EVEN);
    }

    /** The smallest sample that at least {@code q} of the samples do not exceed (nearest rank). */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** The echo side: sends every message of the ping ring back on the pong ring until told to stop. */
    private static void echo(EchoOptions options) {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        try (PosixSegment segment = PosixSegment.open(options.name())) {
            MessageRing ping = MessageRing.attach(segment, 0);
            MessageRing pong = MessageRing.attach(segment, options.pongOffset());
            IdleStrategy idle = idle(options.idle(), ping);
            boolean[] stop = new boolean[1];
            MessageHandler handler = (type, buffer, offset, length) -> {
                if (type == STOP_TYPE) {
                    stop[0] = true;
                    return;
                }
                int index;
                while ((index = pong.claim(type, length)) < 0) {
                    Thread.onSpinWait();
                }
                pong.buffer().put(index, buffer, offset, length);
                pong.commit(index);
            };
            ping.heartbeatConsumer();
            long nextParentCheck = System.nanoTime();
            while (!stop[0]) {
                int n = ping.poll(handler, 16);
                if (n == 0) {
                    long now = System.nanoTime();
                    if (now - nextParentCheck > 0) {
                        nextParentCheck = now + 200_000_000L;
                        if (parent == null || !parent.isAlive()) {
                            throw new IllegalStateException("the measuring process is gone");
                        }
                    }
                }
                idle.idle(n);
            }
        }
    }

    /** Keeps the last few kilobytes a child prints, for error messages; drains the pipe so the child never blocks. */
    private static final class OutputCollector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        OutputCollector(InputStream in) {
            Thread reader = new Thread(() -> {
                byte[] chunk = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        synchronized (buffer) {
                            if (buffer.size() < 64 * 1024) {
                                buffer.write(chunk, 0, n);
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
            }, "jshm-pingpong-output");
            reader.setDaemon(true);
            reader.start();
        }

        String text() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8).trim();
            }
        }
    }
}
