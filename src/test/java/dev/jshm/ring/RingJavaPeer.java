package dev.jshm.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import dev.jshm.PosixSegment;
import dev.jshm.sync.BusySpinIdleStrategy;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.SleepingIdleStrategy;
import dev.jshm.sync.YieldingIdleStrategy;

/**
 * A second JVM on the other side of a ring, for the tests: the Java twin of
 * {@code src/test/c/ring_peer.c}, with the same {@code key=value} arguments.
 *
 * <pre>
 *   produce name=/obj [offset=0] count=N|-1 [type=1] [first=0] [idle=spin|yield|park] [via=offer|claim|batch] [batch=16] [report=OFF]
 *   consume name=/obj [offset=0] count=N [producers=1] [first=0] [idle=spin|yield|park|futex] [futexwait=MS]
 * </pre>
 *
 * With {@code report=OFF} the producer stores the last sequence number it committed at OFF in the
 * object (a release store after the commit). Prints "produced N" or "consumed N" and exits 0; on a bad message prints the error and exits 1.
 * Exits by itself when its parent dies.
 */
public final class RingJavaPeer {

    private RingJavaPeer() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (PosixSegment segment = PosixSegment.open(options.get("name"))) {
            MessageRing ring = MessageRing.attach(segment, Long.parseLong(options.getOrDefault("offset", "0")));
            long count = Long.parseLong(options.get("count"));
            String idleName = options.getOrDefault("idle", "spin");
            IdleStrategy idle = idleName.equals("futex") && options.containsKey("futexwait")
                    ? new FutexIdleStrategy(segment, ring.futexOffset(), 100, 10, java.time.Duration.ofMillis(Long.parseLong(options.get("futexwait"))))
                    : idle(idleName, ring);
            ParentWatch parent = new ParentWatch();
            if (args[0].equals("produce")) {
                long report = Long.parseLong(options.getOrDefault("report", "-1"));
                ByteBuffer reportView = report < 0 ? null : segment.asByteBuffer(report, Long.BYTES);
                produce(ring, count < 0 ? Long.MAX_VALUE : count, Integer.parseInt(options.getOrDefault("type", "1")),
                        Long.parseLong(options.getOrDefault("first", "0")), options.getOrDefault("via", "offer"),
                        Integer.parseInt(options.getOrDefault("batch", "16")), idle, parent, reportView);
                System.out.println("produced " + count);
            } else {
                RingTestMessages.Checker checker = new RingTestMessages.Checker(
                        Integer.parseInt(options.getOrDefault("producers", "1")), Long.parseLong(options.getOrDefault("first", "0")));
                while (checker.received < count) {
                    int n = ring.poll(checker, (int) Math.min(4096, count - checker.received));
                    if (n == 0) {
                        parent.check();
                    }
                    idle.idle(n);
                }
                System.out.println("consumed " + checker.received);
            }
        } catch (AssertionError | RuntimeException e) {
            System.err.println("error: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static IdleStrategy idle(String name, MessageRing ring) {
        return switch (name) {
            case "spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "park" -> new SleepingIdleStrategy(java.time.Duration.ofNanos(20_000));
            case "futex" -> ring.futexIdleStrategy();
            default -> throw new IllegalArgumentException("idle=" + name);
        };
    }

    private static final VarHandle REPORT = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static void produce(MessageRing ring, long count, int type, long first, String via, int batch, IdleStrategy idle,
                                ParentWatch parent, ByteBuffer report) {
        byte[] scratch = new byte[RingTestMessages.MAX_LENGTH];
        ByteBuffer scratchView = ByteBuffer.wrap(scratch).order(ByteOrder.nativeOrder());
        ByteBuffer[] batchBuffers = new ByteBuffer[batch];
        for (int i = 0; i < batch; i++) {
            batchBuffers[i] = ByteBuffer.allocate(RingTestMessages.MAX_LENGTH).order(ByteOrder.nativeOrder());
        }
        long seq = first;
        long end = count == Long.MAX_VALUE ? Long.MAX_VALUE : first + count;
        while (seq < end) {
            boolean done;
            int written = 1;
            switch (via) {
                case "claim" -> {
                    int index = ring.claim(type, RingTestMessages.length(seq));
                    done = index >= 0;
                    if (done) {
                        RingTestMessages.write(ring.buffer(), index, seq);
                        ring.commit(index);
                    }
                }
                case "batch" -> {
                    written = (int) Math.min(batch, end - seq);
                    for (int i = 0; i < written; i++) {
                        batchBuffers[i].clear();
                        batchBuffers[i].limit(RingTestMessages.write(batchBuffers[i], 0, seq + i));
                    }
                    done = ring.offerBatch(type, batchBuffers, 0, written);
                }
                default -> {
                    int length = RingTestMessages.write(scratchView, 0, seq);
                    done = ring.offer(type, scratch, 0, length);
                }
            }
            if (done) {
                seq += written;
                if (report != null) {
                    REPORT.setRelease(report, 0, seq - 1);
                    parent.check();
                }
                idle.idle(1);
            } else {
                parent.check();
                idle.idle(0);
            }
        }
    }

    /** Exits when the process that started this one is gone; looks at most every 100 ms. */
    static final class ParentWatch {
        private final ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        private long nextCheck = System.nanoTime();

        void check() {
            long now = System.nanoTime();
            if (now - nextCheck < 0) {
                return;
            }
            nextCheck = now + 100_000_000L;
            if (parent == null || !parent.isAlive()) {
                System.err.println("error: parent died");
                System.exit(1);
            }
        }
    }
}
