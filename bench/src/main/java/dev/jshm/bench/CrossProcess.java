package dev.jshm.bench;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentAtomics;
import dev.jshm.sync.Futex;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The two-process measurements: this JVM (pinned by the caller, {@code taskset -c 0}) against a
 * child JVM it starts on the other core ({@code taskset -c 1}). Prints the records JSON on
 * stdout, progress on stderr.
 *
 * <pre>CrossProcess quick|full [BASELINE]</pre>
 *
 * <p>BASELINE is the compiled baseline.c: with it, C's cache-line ping-pong and futex wake-up are
 * measured in the same rounds as the Java ways. The system property {@code jshm.bench.ways}, a
 * regular expression, keeps only the ways whose name matches it (such as
 * {@code agrona@.*|jshmRing(Spin|ZeroCopy)@.*}), for a focused run while working on one of them.
 *
 * <p>Scenarios: {@code pingpong} (one cache line each way over a jshm POSIX segment, through a
 * VarHandle on its {@code asByteBuffer()} view: the same protocol as baseline.c's ping-pong),
 * {@code agrona-rtt} (a 32-byte message each way through two Agrona {@code OneToOneRingBuffer}s (see {@link AgronaScenarios})
 * in one mapped /dev/shm file) and {@code agrona-throughput} (the child writes 32- or 256-byte
 * messages as fast as the ring takes them; this JVM reads them and times blocks of messages),
 * {@code agrona-mpsc} (two child processes write into one Agrona {@code ManyToOneRingBuffer}),
 * {@code ring-rtt} and {@code ring-throughput} (the same with jshm's {@code MessageRing}, copying
 * or zero-copy, spinning or with the ring's futex idle strategy, one or two producers: see
 * {@link RingScenarios}), {@code ring-rtt-unchecked} (the copying round trip over jshm's record
 * protocol without its checks, {@link UncheckedRing}), and {@code futex} (one-way wake-up latency of {@link Futex}: the
 * protocol of baseline.c's futex test).
 */
public final class CrossProcess {

    static final VarHandle LONGS = Access8Bench.LONGS;
    private static final int PING = 0;
    private static final int PONG = 64;
    static final int READY = 128;
    static final int CONTROL = 4096;
    /**
     * Blocks of messages a throughput test lets pass before the one it times, every way alike.
     * The producer is a new process: while its JIT compiles, a ring runs below its steady rate.
     * Timed window by window (2 M 32-byte messages each, jshm's ring), the second window, which
     * one warm-up block used to time, ran at 18, 26 and 44 M msg/s in three producer processes;
     * from the fourth window on they ran mostly at 41 to 48.
     */
    public static final int THROUGHPUT_WARM_BLOCKS = 4;
    /**
     * Warm-up blocks of the two-producer tests, whose blocks hold 10 M messages
     * ({@link #manyProducersBlock}): one lets more messages pass than the four blocks of 2 M after
     * which the one-way rates had settled, and four took 40 M messages, about 4 s a way.
     */
    public static final int MANY_PRODUCERS_WARM_BLOCKS = 1;
    /** The most payload in a block of the quick suite's one-way throughput tests; see {@link #block}. */
    static final long QUICK_BLOCK_BYTES = 2L << 30;

    /**
     * Round trips before the timed ones, in the quick suite too, every Java way alike: a ring's
     * round trip takes about 0.35 µs, so the 50,000 of the past were over in 20 ms, while both
     * JVMs were still compiling. Counted in windows of 25,000, the round trips above 1 µs (this
     * VM puts the knee of every way's distribution near 1%, so they decide the p99) fell from
     * about 300 to 200-250 per window after 200,000 round trips with Agrona and after 300,000 to
     * 400,000 with jshm's ring, and stayed there: a p99 timed earlier measured the warm-up.
     */
    public static final long WARM_ROUND_TRIPS = 500_000;

    /** Timed round trips of the quick suite: as many as baseline.c times, so that C's p99 rests on as many. */
    public static final long QUICK_ROUND_TRIPS = 300_000;

    /**
     * The child's JVM options; bench/run.sh gives this JVM the same. Agrona 2 reaches
     * jdk.internal.misc.Unsafe. The rest keeps the JVM's own threads off the pinned core: each
     * process has one core for its spinning thread, so any other thread that wakes up (a
     * concurrent GC thread, the VM thread's periodic safepoint) takes the core from it for a
     * scheduler time slice, which shows as a stall of milliseconds. The heap is small and touched
     * at start, so that no page fault lands in a measurement: the processes allocate almost
     * nothing once running, and pre-touching 256 MiB took about 0.9 s per JVM on a machine whose
     * page faults were slow, where 64 MiB took 0.35 s (27 child processes a round).
     */
    static final List<String> JVM_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0");

    private final boolean quick;
    private final int rounds;
    private final Path baseline;

    private CrossProcess(boolean quick, Path baseline) {
        this.quick = quick;
        // Seven rounds in both suites. A round now and then runs at a fraction of the others'
        // rate (12 against 48-50 M msg/s in one run, 10 against 48 in another), as when the two
        // CPUs are far apart (see probe()). The report compares two ways over the rounds in which
        // both ran at the same distance, the distance they shared most often; one five-round run,
        // classified by the farther of its two probes, had two to four such rounds per row;
        // seven, for about half a minute more, give two more chances.
        this.rounds = 7;
        this.baseline = baseline;
    }

    /** One repetition of one way: starts its child, warms up, measures, and returns what it measured. */
    interface Run<T> {
        T run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        boolean quick = args.length == 0 || !args[0].equals("full");
        Path baseline = args.length > 1 ? Path.of(args[1]) : null;
        new CrossProcess(quick, baseline).runAll();
    }

    /**
     * Runs every way once per round, the ways of a group one after the other inside a round:
     * on a shared machine the load changes by the minute, and interleaving gives every way of
     * a comparison the same share of quiet and busy moments. The C ways run baseline.c once per
     * round as well (when its path was given), so C is measured at the same moments as Java.
     */
    private void runAll() throws Exception {
        Map<String, Run<double[]>> roundTrips = new LinkedHashMap<>();
        if (baseline != null) {
            roundTrips.put("cPingPong", () -> c("ping-pong"));
        }
        roundTrips.put("jshmViewPingPong", () -> stats(pingPongOnce()));
        roundTrips.put("agrona", () -> stats(AgronaScenarios.roundTrip(WARM_ROUND_TRIPS, roundTrips())));
        roundTrips.put("ringUnchecked", () -> stats(RingScenarios.roundTripUnchecked(WARM_ROUND_TRIPS, roundTrips())));
        roundTrips.put("jshmRingSpin", () -> stats(RingScenarios.roundTrip(WARM_ROUND_TRIPS, roundTrips(), 32, false, false)));
        roundTrips.put("jshmRingFutex", () -> stats(RingScenarios.roundTrip(WARM_ROUND_TRIPS, roundTrips(), 32, true, false)));
        roundTrips.put("jshmRingZeroCopy", () -> stats(RingScenarios.roundTrip(WARM_ROUND_TRIPS, roundTrips(), 32, false, true)));
        roundTrips.put("jshmRingZeroCopy4K", () -> stats(RingScenarios.roundTrip(WARM_ROUND_TRIPS, roundTrips(), 4096, false, true)));

        Map<String, Run<Double>> throughput = new LinkedHashMap<>();
        for (int size : new int[] {32, 256, 4096}) {
            throughput.put("agrona@" + size, () -> AgronaScenarios.throughput(block(size), size));
            throughput.put("jshmRingSpin@" + size, () -> RingScenarios.throughput(block(size), size, false, false, 1));
            throughput.put("jshmRingZeroCopy@" + size, () -> RingScenarios.throughput(block(size), size, false, true, 1));
            throughput.put("jshmRingFutex@" + size, () -> RingScenarios.throughput(block(size), size, true, false, 1));
        }
        Map<String, Run<Double>> manyProducers = new LinkedHashMap<>();
        for (int size : new int[] {32, 256}) {
            manyProducers.put("agronaManyToOne@" + size, () -> AgronaScenarios.manyToOne(manyProducersBlock(), size));
            manyProducers.put("jshmRingMany@" + size, () -> RingScenarios.throughput(manyProducersBlock(), size, false, false, 2));
        }

        Map<String, Run<double[]>> wakeUps = new LinkedHashMap<>();
        if (baseline != null) {
            wakeUps.put("cFutex", () -> c("futex"));
        }
        wakeUps.put("jshmFutex", () -> stats(futexWakeOnce()));

        Map<String, List<double[]>> rtt = new LinkedHashMap<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> mpscRates = new LinkedHashMap<>();
        Map<String, List<double[]>> wake = new LinkedHashMap<>();
        Map<String, List<double[]>> rttPlacement = new LinkedHashMap<>();
        Map<String, List<double[]>> ratesPlacement = new LinkedHashMap<>();
        Map<String, List<double[]>> mpscPlacement = new LinkedHashMap<>();
        Map<String, List<double[]>> wakePlacement = new LinkedHashMap<>();
        long longestRound = 0;
        for (int round = 1; round <= rounds; round++) {
            if (round > MIN_ROUNDS && DEADLINE_MILLIS > 0
                    && System.currentTimeMillis() + longestRound / 1_000_000 > DEADLINE_MILLIS) {
                System.err.printf("  CrossProcess: %d rounds: another as long as the longest so far (%.1f s) would end "
                        + "past the deadline%n", round - 1, longestRound / 1e9);
                break;
            }
            long start = System.nanoTime();
            System.err.printf("  CrossProcess: round %d of %d: round trips...", round, rounds);
            runRound(roundTrips, rtt, rttPlacement);
            System.err.print(" throughput...");
            runRound(throughput, rates, ratesPlacement);
            System.err.print(" two producers...");
            runRound(manyProducers, mpscRates, mpscPlacement);
            System.err.print(" futex...");
            runRound(wakeUps, wake, wakePlacement);
            long took = System.nanoTime() - start;
            longestRound = Math.max(longestRound, took);
            System.err.printf(" %.1f s%n", took / 1e9);
        }
        try (Records records = new Records(System.out, "CrossProcess")) {
            rtt.forEach((way, runs) -> emitDistribution(records, "RoundTrip", way, runs));
            rates.forEach((key, runs) -> records.add("Throughput", "oneWay", param(key), way(key), "msg/s", doubles(runs)));
            mpscRates.forEach((key, runs) -> records.add("Throughput", "twoProducers", param(key), way(key), "msg/s", doubles(runs)));
            wake.forEach((way, runs) -> emitDistribution(records, "FutexWake", way, runs));
            // The probes around each run: the op is the measured record's group or op, the rest its param and way.
            rttPlacement.forEach((way, p) -> emitPlacement(records, "RoundTrip", "", way, p));
            ratesPlacement.forEach((key, p) -> emitPlacement(records, "oneWay", param(key), way(key), p));
            mpscPlacement.forEach((key, p) -> emitPlacement(records, "twoProducers", param(key), way(key), p));
            wakePlacement.forEach((way, p) -> emitPlacement(records, "FutexWake", "", way, p));
        }
    }

    private static String param(String key) {
        return key.substring(key.indexOf('@') + 1);
    }

    private static String way(String key) {
        return key.substring(0, key.indexOf('@'));
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The probes of one way, one per round: group PlacementBefore and PlacementAfter. */
    private static void emitPlacement(Records records, String op, String param, String way, List<double[]> probes) {
        records.add("PlacementBefore", op, param, way, "ns", probes.stream().mapToDouble(p -> p[0]).toArray());
        records.add("PlacementAfter", op, param, way, "ns", probes.stream().mapToDouble(p -> p[1]).toArray());
    }

    /**
     * When the run should be over ({@code jshm.bench.deadline}, epoch milliseconds; 0: none):
     * no round starts that would end after it if it took as long as the longest so far. A round
     * takes about 26 s with the two CPUs near and up to about 47 s with them far apart
     * ({@link #probe()}), and bench/run.sh keeps the quick suite within its 12 minutes this way.
     */
    private static final long DEADLINE_MILLIS = Long.getLong("jshm.bench.deadline", 0);
    /**
     * Rounds run whatever the deadline: the report judges two ways on at least two rounds at
     * the same distance (report.Placement), which fewer rounds rarely give.
     */
    private static final int MIN_ROUNDS = 3;

    private static final java.util.regex.Pattern WAYS = java.util.regex.Pattern.compile(System.getProperty("jshm.bench.ways", ".*"));

    /**
     * Runs each way once and (with baseline.c) probes how near the two CPUs are just before the
     * way and just after it ({@link #probe()}).
     */
    private <T> void runRound(Map<String, Run<T>> ways, Map<String, List<T>> into, Map<String, List<double[]>> placement)
            throws Exception {
        for (Map.Entry<String, Run<T>> way : ways.entrySet()) {
            if (!WAYS.matcher(way.getKey()).matches()) {
                continue;
            }
            double before = probe();
            T result = way.getValue().run();
            double after = probe();
            into.computeIfAbsent(way.getKey(), k -> new ArrayList<>()).add(result);
            if (baseline != null) {
                placement.computeIfAbsent(way.getKey(), k -> new ArrayList<>()).add(new double[] {before, after});
            }
        }
    }

    /**
     * The p50 of baseline.c's short cache-line ping-pong between the two pinned CPUs (a few
     * milliseconds), or NaN without baseline.c. The time a cache line takes between the two
     * pinned vCPUs changes in a few steps, each held for seconds, for every way alike (see
     * {@code report.Placement}): the report compares two ways over the rounds in which both ran
     * at the same distance, which it finds from these probes.
     */
    private double probe() throws Exception {
        return baseline == null ? Double.NaN : c("probe")[1];
    }

    /** One repetition of a baseline.c part: {mean, p50, p99, p99.9} in ns. */
    private double[] c(String part) throws Exception {
        Process process = new ProcessBuilder(baseline.toString(), quick ? "quick" : "full", part, "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String json = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        finish(process);
        double[] out = new double[4];
        List<String> names = List.of("mean", "p50", "p99", "p99.9");
        for (com.google.gson.JsonElement e : com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("records")) {
            com.google.gson.JsonObject r = e.getAsJsonObject();
            int i = names.indexOf(r.get("op").getAsString());
            if (i >= 0) {
                out[i] = r.getAsJsonArray("samples").get(0).getAsDouble();
            }
        }
        return out;
    }

    // ---- cache-line ping-pong over a jshm segment ------------------------------------------------

    private Histogram pingPongOnce() throws Exception {
        long warm = WARM_ROUND_TRIPS;
        long n = roundTrips();
        String name = "/" + DevShm.uniqueName("pingpong");
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            ByteBuffer view = segment.asByteBuffer();
            Process child = spawn("pingpong", name, Long.toString(warm + n));
            awaitReady(view, child);
            segment.unlink();
            long seq = 0;
            Histogram h = histogram();
            {
                for (long i = 0; i < warm + n; i++) {
                    long t = System.nanoTime();
                    LONGS.setRelease(view, PING, ++seq);
                    while ((long) LONGS.getAcquire(view, PONG) != seq) {
                        // spin, as baseline.c does
                    }
                    long rtt = System.nanoTime() - t;
                    if (i >= warm) {
                        h.recordValue(rtt);
                    }
                }
            }
            finish(child);
            return h;
        }
    }

    private static void pingPongChild(String name, long total) {
        try (PosixSegment segment = PosixSegment.open(name)) {
            ByteBuffer view = segment.asByteBuffer();
            LONGS.setRelease(view, READY, 1L);
            for (long i = 1; i <= total; i++) {
                while ((long) LONGS.getAcquire(view, PING) != i) {
                    // spin
                }
                LONGS.setRelease(view, PONG, i);
            }
        }
    }

    // ---- futex wake-up -------------------------------------------------------------------------

    private static final int WORD = 256;
    private static final int ACK = 320;
    private static final int T0 = 384;

    /**
     * Wake-ups without the pause before each, so that both JVMs compile the wait and wake paths
     * before anything is timed (C2 compiles a method after about ten thousand calls; a JVM that
     * is still compiling runs the compiler on the pinned core during the measurement).
     */
    static final long FUTEX_UNPAUSED_WARM_UP = 20_000;

    /** This JVM waits in {@link Futex#await}; the child stamps the time, changes the word and wakes it. */
    private Histogram futexWakeOnce() throws Exception {
        long n = quick ? 4000 : 20000;
        long warm = FUTEX_UNPAUSED_WARM_UP + n / 10;
        String name = "/" + DevShm.uniqueName("futex");
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            SegmentAtomics atomics = segment.atomics();
            Process child = spawn("futex", name, Long.toString(warm + n));
            awaitReady(segment.asByteBuffer(), child);
            segment.unlink();
            int seq = 0;
            Histogram h = histogram();
            {
                for (long i = 0; i < warm + n; i++) {
                    int expected = seq++;
                    while (atomics.getIntVolatile(WORD) == expected) {
                        Futex.await(segment, WORD, expected, null);
                    }
                    long latency = System.nanoTime() - atomics.getLongVolatile(T0);
                    if (i >= warm) {
                        h.recordValue(Math.max(1, latency));
                    }
                    atomics.putLongVolatile(ACK, seq);
                }
            }
            finish(child);
            return h;
        }
    }

    private static void futexChild(String name, long total) {
        try (PosixSegment segment = PosixSegment.open(name)) {
            SegmentAtomics atomics = segment.atomics();
            atomics.putLongVolatile(READY, 1L);
            for (long i = 1; i <= total; i++) {
                while (atomics.getLongVolatile(ACK) != i - 1) {
                    // spin: the waiter is about to wait again
                }
                if (i > FUTEX_UNPAUSED_WARM_UP) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
                atomics.putLongVolatile(T0, System.nanoTime());
                atomics.putIntVolatile(WORD, (int) i);
                Futex.wake(segment, WORD, 1);
            }
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    static Histogram histogram() {
        return new Histogram(1, TimeUnit.SECONDS.toNanos(10), 3);
    }

    /** {mean, p50, p99, p99.9} of one run, in ns. */
    private static double[] stats(Histogram h) {
        return new double[] {h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9)};
    }

    private static void emitDistribution(Records records, String group, String way, List<double[]> runs) {
        List<String> names = List.of("mean", "p50", "p99", "p99.9");
        for (int k = 0; k < names.size(); k++) {
            final int at = k;
            records.add(group, names.get(k), "", way, "ns", runs.stream().mapToDouble(r -> r[at]).toArray());
        }
    }

    private long roundTrips() {
        return quick ? QUICK_ROUND_TRIPS : 2_000_000;
    }

    /**
     * The one-way throughput block: 2 M messages in the quick suite, and at most
     * {@link #QUICK_BLOCK_BYTES} of payload, so that a block of 4 KiB messages lasts about as
     * long as one of 32 bytes instead of moving 8 GiB (about 3 s a way on a machine that copied
     * 4 M messages a second). ring_bench.c's block_of gives the same.
     */
    private long block(int size) {
        return quick ? Math.min(2_000_000, QUICK_BLOCK_BYTES / size) : 10_000_000;
    }

    /**
     * The block of the two-producer tests, the full suite's in the quick one too. Both producer
     * processes share one core, so the scheduler switches between them every few milliseconds,
     * and a switch that stops a producer between its claim and its commit holds the consumer up
     * until that producer runs again, in either ring. A block of 2 M messages lasts about 130 ms,
     * few enough switches for their luck to decide it: three quick rounds of jshm's ring ran at
     * 11.6 to 14.0 M msg/s with 256-byte messages (Agrona's at 10.9 to 13.5), and the three
     * rounds of one suite's run from 7.8 to 20.1 M with 32-byte ones; with blocks of 10 M, five
     * rounds of each ring and size stayed within 11% of their median. What still moves between
     * runs is the consumer's compiled code (this JVM compiles it once for every round): with
     * 32-byte messages, jshm's ring ran at a median between 13.8 and 19.9 M msg/s in twelve focused
     * runs, and Agrona's between 14.1 and 17.0 M in five.
     */
    private long manyProducersBlock() {
        return 10_000_000;
    }

    static Process spawn(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            command.addAll(List.of("/usr/bin/taskset", "-c", "1"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrossProcess.class.getName(), "child"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    static void awaitReady(ByteBuffer view, Process child) {
        while ((long) LONGS.getAcquire(view, READY) != 1L) {
            checkAlive(child);
            Thread.onSpinWait();
        }
    }

    static void awaitReady(UnsafeBuffer control, Process child) {
        while (control.getLongVolatile(READY) != 1L) {
            checkAlive(child);
            Thread.onSpinWait();
        }
    }

    private static void checkAlive(Process child) {
        if (!child.isAlive()) {
            throw new IllegalStateException("the child process exited with " + child.exitValue() + " before it was ready");
        }
    }

    static void finish(Process child) throws InterruptedException {
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("the child process did not finish");
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException("the child process exited with " + child.exitValue());
        }
    }

    private static void child(String[] args) {
        String scenario = args[1];
        switch (scenario) {
            case "pingpong" -> pingPongChild(args[2], Long.parseLong(args[3]));
            case "agrona-rtt" -> AgronaScenarios.roundTripChild(Path.of(args[2]), Long.parseLong(args[3]));
            case "agrona-throughput" -> AgronaScenarios.throughputChild(Path.of(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
            case "agrona-mpsc" -> AgronaScenarios.manyToOneChild(Path.of(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
            case "ring-rtt-unchecked" -> RingScenarios.roundTripUncheckedChild(args[2], Long.parseLong(args[3]));
            case "ring-rtt" -> RingScenarios.roundTripChild(args[2], Long.parseLong(args[3]), Boolean.parseBoolean(args[4]),
                    Boolean.parseBoolean(args[5]));
            case "ring-throughput" -> RingScenarios.throughputChild(args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    Boolean.parseBoolean(args[5]));
            case "futex" -> futexChild(args[2], Long.parseLong(args[3]));
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }
}
