package dev.jshm;

import dev.jshm.sync.Futex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The other architecture's side of {@code Aarch64EmulationIT}: a JVM (aarch64, under qemu-user)
 * that runs commands read from stdin, one per line, on segments the x86_64 test JVM shares with
 * it. Each line is a tag (a number) and a command; the answer is one line,
 * {@code ok <tag> <command> ...} or {@code fail <tag> <command> <error>}, and a command that
 * blocks first says so with {@code ok <tag> <state>}. The tags let the other side skip the
 * late answers of a command it gave up on.
 * Its class path is the packaged jar and the test classes, nothing else: the library it loads is
 * the jar's {@code native/linux-aarch64/libjshm.so}.
 *
 * <p>Commands ({@code <loc>} is a {@link SegmentLocator} in its text form):
 * <ul>
 *   <li>{@code hello}: answers with {@code os.arch};</li>
 *   <li>{@code visit <loc>}: checks what x86_64 wrote ({@link #X86_TEXT} at 0, {@link #X86_LONG}
 *       at 512), writes {@link #ARM_TEXT} at 1024 and {@link #ARM_LONG} at 1536;</li>
 *   <li>{@code create sysv|posix <name>|file <path>}: creates a 4 KiB segment, writes as
 *       {@code visit} would expect the other way round ({@link #ARM_TEXT} at 0, {@link #ARM_LONG}
 *       at 512), answers with its locator;</li>
 *   <li>{@code remove <kind>}: checks what x86_64 wrote into the segment created before, then
 *       removes it (IPC_RMID, shm_unlink, unlink) and closes it;</li>
 *   <li>{@code atomics <loc> <n>}: {@code n} rounds of increments on the counters of
 *       {@link #COUNTERS}, through both atomics implementations, while x86_64 increments the
 *       same counters; then publishes {@link #DONE} with a release store;</li>
 *   <li>{@code pingpong <loc> <rounds>}: publishes a payload with a release store of its
 *       sequence number and waits (acquire) for x86_64's answer, checking every payload word;</li>
 *   <li>{@code futex-wait <loc>}: blocks in {@link Futex#await} on word 0 (expected 0) until
 *       x86_64 wakes it; {@code futex-wake <loc>}: wakes word 0 until one waiter was woken;</li>
 *   <li>{@code ring-produce <loc> <n>}, {@code ring-consume <loc> <n>}: {@link CrossArchRingPeer};</li>
 *   <li>{@code errors}: bounds, alignment and use-after-close errors on a private segment;</li>
 *   <li>{@code quit}.</li>
 * </ul>
 */
final class CrossArchPeer {

    static final String X86_TEXT = "written by x86_64";
    static final long X86_LONG = 0x0102030405060708L;
    static final String ARM_TEXT = "written by aarch64";
    static final long ARM_LONG = 0x1112131415161718L;
    static final long SIZE = 4096;

    /** Counters: int at 0 (Java getAndAdd), long at 8 (native getAndAdd), long at 16 (Java CAS), int at 24 (native CAS). */
    static final long[] COUNTERS = {0, 8, 16, 24};
    /** Set to 1 (release) when the aarch64 side has finished its increments. */
    static final long DONE = 32;

    /** Ping-pong: sequence numbers, then the two payloads of {@link #PAYLOAD_WORDS} longs. */
    static final long PING = 64;
    static final long PONG = 72;
    static final long PING_PAYLOAD = 128;
    static final long PONG_PAYLOAD = 256;
    static final int PAYLOAD_WORDS = 16;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Segment> created = new HashMap<>();
    private String tag = "0";

    public static void main(String[] args) throws IOException {
        CrossArchPeer peer = new CrossArchPeer();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            String[] tagged = line.split(" ");
            peer.tag = tagged[0];
            String[] words = Arrays.copyOfRange(tagged, 1, tagged.length);
            String answer;
            try {
                answer = "ok " + peer.tag + " " + words[0] + peer.run(words);
            } catch (Exception | AssertionError e) {
                answer = "fail " + peer.tag + " " + words[0] + " " + e.toString().replace('\n', ' ');
            }
            System.out.println(answer);
            System.out.flush();
        }
        // Whatever the other side never asked to remove (it failed half way) is removed here.
        for (String kind : List.copyOf(peer.created.keySet())) {
            peer.remove(kind, false);
        }
    }

    /** Tells the other side that the current command is about to block. */
    private void progress(String state) {
        System.out.println("ok " + tag + " " + state);
        System.out.flush();
    }

    private String run(String[] words) throws Exception {
        return switch (words[0]) {
            case "hello" -> " " + System.getProperty("os.arch");
            case "visit" -> visit(SegmentLocator.parse(words[1]));
            case "create" -> create(words);
            case "remove" -> remove(words[1], true);
            case "atomics" -> atomics(SegmentLocator.parse(words[1]), Integer.parseInt(words[2]));
            case "pingpong" -> pingPong(SegmentLocator.parse(words[1]), Integer.parseInt(words[2]));
            case "futex-wait" -> futexWait(SegmentLocator.parse(words[1]));
            case "futex-wake" -> futexWake(SegmentLocator.parse(words[1]));
            case "ring-produce" -> ringProduce(SegmentLocator.parse(words[1]), Integer.parseInt(words[2]));
            case "ring-consume" -> ringConsume(SegmentLocator.parse(words[1]), Integer.parseInt(words[2]));
            case "errors" -> errors();
            default -> throw new IllegalArgumentException("unknown command: " + String.join(" ", words));
        };
    }

    private static String visit(SegmentLocator locator) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            expect(X86_TEXT, segment.getString(0), "text at 0");
            expect(X86_LONG, segment.getLong(512), "long at 512");
            segment.putString(1024, ARM_TEXT);
            segment.putLong(1536, ARM_LONG);
            return " " + segment.size();
        }
    }

    private String create(String[] words) {
        Segment segment = switch (words[1]) {
            case "sysv" -> SysVSegment.createPrivate(SIZE);
            case "posix" -> PosixSegment.create(words[2], SIZE);
            case "file" -> MappedFileSegment.create(Path.of(words[2]), SIZE);
            default -> throw new IllegalArgumentException("unknown kind " + words[1]);
        };
        created.put(words[1], segment);
        segment.putString(0, ARM_TEXT);
        segment.putLong(512, ARM_LONG);
        return " " + segment.locator();
    }

    private String remove(String kind, boolean check) throws IOException {
        Segment segment = created.remove(kind);
        if (segment == null) {
            throw new IllegalArgumentException("no " + kind + " segment to remove");
        }
        try (segment) {
            try {
                if (check) {
                    expect(X86_TEXT, segment.getString(1024), "text at 1024");
                    expect(X86_LONG, segment.getLong(1536), "long at 1536");
                }
            } finally {
                if (segment instanceof SysVSegment sysv) {
                    sysv.remove();
                } else if (segment instanceof PosixSegment posix) {
                    posix.unlink();
                } else {
                    Files.delete(Path.of(segment.locator().target()));
                }
            }
            return " " + segment.locator();
        }
    }

    private static String atomics(SegmentLocator locator, int rounds) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            SegmentAtomics java = segment.atomics();
            SegmentAtomics c = segment.nativeAtomics();
            for (int i = 0; i < rounds; i++) {
                increment(java, c);
            }
            // Release: every increment above is visible to whoever reads DONE == 1 with acquire.
            java.putIntRelease(DONE, 1);
            return " " + rounds;
        }
    }

    /** One increment of each counter; the x86_64 side runs the same method. */
    static void increment(SegmentAtomics java, SegmentAtomics c) {
        java.getAndAddInt(COUNTERS[0], 1);
        c.getAndAddLong(COUNTERS[1], 1);
        long seen;
        do {
            seen = java.getLongVolatile(COUNTERS[2]);
        } while (!java.compareAndSetLong(COUNTERS[2], seen, seen + 1));
        int now;
        do {
            now = c.getIntVolatile(COUNTERS[3]);
        } while (!c.compareAndSetInt(COUNTERS[3], now, now + 1));
    }

    private static String pingPong(SegmentLocator locator, int rounds) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            SegmentAtomics atomics = segment.atomics();
            for (long round = 1; round <= rounds; round++) {
                for (int w = 0; w < PAYLOAD_WORDS; w++) {
                    segment.putLong(PING_PAYLOAD + 8L * w, payload(round, w));
                }
                // Release: the plain payload stores above happen-before x86_64's acquire of PING.
                atomics.putLongRelease(PING, round);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                // Acquire: pairs with x86_64's release of PONG, so its payload is complete here.
                while (atomics.getLongAcquire(PONG) != round) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("no pong for round " + round);
                    }
                    Thread.onSpinWait();
                }
                for (int w = 0; w < PAYLOAD_WORDS; w++) {
                    expect(-payload(round, w), segment.getLong(PONG_PAYLOAD + 8L * w), "pong word " + w);
                }
            }
            return " " + rounds;
        }
    }

    static long payload(long round, int word) {
        return round * 1_000_003L + word;
    }

    private String futexWait(SegmentLocator locator) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            progress("futex-waiting");
            return " " + Futex.await(segment, 0, 0, TIMEOUT);
        }
    }

    private static String futexWake(SegmentLocator locator) throws InterruptedException {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            return " " + wakeOne(segment, TIMEOUT);
        }
    }

    /** Wakes word 0 until a waiter was woken; the x86_64 side uses it too. */
    static int wakeOne(Segment segment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int woken;
        while ((woken = Futex.wake(segment, 0, 1)) == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("nobody waited on word 0 within " + timeout);
            }
            Thread.sleep(5);
        }
        return woken;
    }

    private static String ringProduce(SegmentLocator locator, int count) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            CrossArchRingPeer.produce(segment, count, TIMEOUT);
            return " " + count;
        }
    }

    private String ringConsume(SegmentLocator locator, int count) {
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            progress("ring-consuming");
            return " " + CrossArchRingPeer.consume(segment, count, TIMEOUT);
        }
    }

    /** Each misuse must throw its exception, naming the operation; answers with how many were checked. */
    private static String errors() {
        int checked = 0;
        Segment closed;
        try (SysVSegment segment = SysVSegment.createPrivate(SIZE)) {
            segment.remove();
            closed = segment;
            checked += expectThrows(IndexOutOfBoundsException.class, "getLong", () -> segment.getLong(SIZE - 4));
            checked += expectThrows(IndexOutOfBoundsException.class, "putInt", () -> segment.putInt(-1, 0));
            checked += expectThrows(IndexOutOfBoundsException.class, "read",
                    () -> segment.read(SIZE - 8, new byte[16], 0, 16));
            checked += expectThrows(IndexOutOfBoundsException.class, "putLong", () -> segment.putLong(Long.MAX_VALUE, 1));
            checked += expectThrows(IllegalArgumentException.class, "", () -> segment.atomics().getAndAddInt(2, 1));
            checked += expectThrows(IllegalArgumentException.class, "", () -> segment.nativeAtomics().getAndAddLong(4, 1));
            checked += expectThrows(IndexOutOfBoundsException.class, "", () -> segment.nativeAtomics().getAndAddLong(SIZE, 1));
        }
        checked += expectThrows(IllegalStateException.class, "Already closed", () -> closed.getInt(0));
        checked += expectThrows(IllegalStateException.class, "Already closed", () -> closed.putLong(8, 1));
        checked += expectThrows(IllegalStateException.class, "", () -> closed.atomics());
        return " " + checked;
    }

    private static int expectThrows(Class<? extends Throwable> type, String naming, Runnable misuse) {
        try {
            misuse.run();
        } catch (Throwable e) {
            if (!type.isInstance(e) || e.getMessage() == null || !e.getMessage().contains(naming)) {
                throw new IllegalStateException("expected " + type.getSimpleName() + " naming '" + naming + "', got " + e, e);
            }
            return 1;
        }
        throw new IllegalStateException("expected " + type.getSimpleName() + " naming '" + naming + "', nothing thrown");
    }

    private static void expect(Object expected, Object actual, String what) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + ": expected " + expected + ", found " + actual);
        }
    }
}
