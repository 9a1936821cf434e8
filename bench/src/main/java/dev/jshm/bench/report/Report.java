package dev.jshm.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;

import dev.jshm.bench.CrossProcess;

/**
 * Writes the human report of one benchmark run: {@code results.md} (every figure with its range
 * and its ratio to the baseline of the same run), {@code summary.md} (the targets, pass or miss,
 * and where native or Java wins) and one PNG chart per operation group.
 *
 * <pre>Report OUT_DIR MODE</pre>
 *
 * <p>Reads from OUT_DIR: {@code jmh-jdk17.json}, {@code jmh-hugepages.json}, {@code jmh-jdk25.json},
 * {@code jmh-jdk25-jshm.json} (JMH),
 * {@code c-baseline.json} (baseline.c), {@code c-lock.json} (lock_bench.c), {@code c-ring.json}
 * (ring_bench.c), {@code crossprocess.json} (the two-process harness);
 * any of them may be missing and its rows are then absent.
 */
public final class Report {

    /** A ratio column: the name in the header, and how to find the baseline of a measurement. */
    record Baseline(String name, BiFunction<Results, Measurement, Optional<Measurement>> find) {
    }

    /** One section of results.md and its chart(s). */
    record Group(String id, String title, String about, String paramLabel, List<Baseline> baselines, boolean chartPerOp) {
    }

    static final List<String> WAY_ORDER = List.of(
            "jshmTyped", "jshmTypedPosix", "jshmView", "jshmAtomics", "jshmAtomicsPosix", "jshmNativeAtomics", "jshm",
            "jshmChunked", "jshmJava", "jshmNative", "jshmSysV", "jshmSysVNative", "jshmPosix", "jshmPosixJava",
            "jniPageSize", "jshmRead0", "jshmViewPingPong", "jshmRingSpin",
            "jshmRingZeroCopy", "jshmRingZeroCopy4K", "jshmRingFutex", "jshmRingMany", "jshmFutex",
            "jshmRobustLock", "jshmTryLock", "javaCas", "jshmSysVHuge", "jshmFile", "jshmFileHuge",
            "mappedByteBuffer", "directByteBuffer", "heldDirectByteBuffer", "agrona", "agronaManyToOne", "unchecked",
            "jshmSysV (JDK 25)", "jshmSysVNative (JDK 25)", "jshmPosix (JDK 25)", "jshmPosixJava (JDK 25)",
            "ffmMapped (JDK 25)", "ffmArena (JDK 25)", "ffm (JDK 25)", "directByteBuffer (JDK 25)",
            "c", "cMemcpy", "cPingPong", "cRing", "cRingZeroCopy", "cFutex", "cJshmLock", "cPthreadRobust", "cCas");

    private final Results results;
    private final Path out;
    private final String mode;

    private Report(Results results, Path out, String mode) {
        this.results = results;
        this.out = out;
        this.mode = mode;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        String mode = args.length > 1 ? args[1] : "quick";
        Results results = new Results();
        results.addJmh(out.resolve("jmh-jdk17.json"));
        results.addJmh(out.resolve("jmh-hugepages.json"));
        results.addJmh(out.resolve("jmh-jdk25.json"));
        results.addJmh(out.resolve("jmh-jdk25-jshm.json"));
        results.addRecords(out.resolve("c-baseline.json"), "C");
        results.addRecords(out.resolve("c-lock.json"), "C");
        results.addRecords(out.resolve("c-ring.json"), "C");
        results.addRecords(out.resolve("crossprocess.json"), Results.MAIN_JVM);
        Report report = new Report(results, out, mode);
        Files.createDirectories(out.resolve("charts"));
        Files.writeString(out.resolve("results.md"), report.resultsMarkdown());
        Files.writeString(out.resolve("summary.md"), new Summary(results, mode).markdown());
        System.err.println("  report: " + results.all().size() + " figures -> " + out.resolve("results.md") + ", "
                + out.resolve("summary.md") + ", " + out.resolve("charts"));
    }

    // ---- the groups ------------------------------------------------------------------------------

    static List<Group> groups() {
        Baseline dbb = new Baseline("× directByteBuffer (same JVM)", (r, m) -> sameJvm(r, m, "directByteBuffer"));
        Baseline bestJdk = new Baseline("× best JDK 17 way", Report::bestJdk);
        Baseline cMemcpy = new Baseline("× C memcpy", (r, m) -> r.find(m.group(), m.op(), m.param(), "cMemcpy"));
        Baseline c = new Baseline("× C", (r, m) -> r.find(m.group(), m.op(), m.param(), "c"));
        Baseline jni = new Baseline("× baseline (empty JNI call; C memcpy for the 8-byte copies)",
                (r, m) -> r.find(m.group(), m.op(), m.param(), m.op().equals("emptyCall") ? "jniPageSize" : "cMemcpy"));
        Baseline ping = new Baseline("× C ping-pong", (r, m) -> r.find(m.group(), m.op(), m.param(), "cPingPong"));
        Baseline javaPath = new Baseline("× the JVM's copy (jshmJava)", (r, m) -> r.find(m.group(), m.op(), m.param(), "jshmJava"));
        Baseline agrona = new Baseline("× Agrona", (r, m) -> r.find(m.group(), m.op(), m.param(),
                m.op().equals("twoProducers") ? "agronaManyToOne" : "agrona"));
        Baseline cCas = new Baseline("× C CAS + release store", (r, m) -> r.find(m.group(), m.op(), m.param(), "cCas"));
        Baseline cFutex = new Baseline("× C futex", (r, m) -> r.find(m.group(), m.op(), m.param(), "cFutex"));
        Baseline smallPages = new Baseline("× the same kind on 4 KiB pages",
                (r, m) -> r.find(m.group(), m.op(), m.param(), m.way().replace("Huge", "")));
        return List.of(
                new Group("Access8", "8-byte access", """
                        One `long` at an aligned offset of a 4 KiB region, one thread. `jshmTyped` is \
                        `Segment.getLong/putLong`; `jshmView` is a `VarHandle` (`byteBufferViewVarHandle`) \
                        over the segment's `asByteBuffer()` view; the JDK ways use the same VarHandle over \
                        their own buffers; FFM uses `ValueLayout.JAVA_LONG.varHandle()`; C uses plain \
                        `volatile` loads/stores and `__atomic` builtins on a System V segment. `cas` always \
                        succeeds (one thread). The jshm ways use a System V segment; `jshmTypedPosix` and \
                        `jshmAtomicsPosix` are the same calls on a POSIX object, where each access is \
                        followed by the truncation check (one load of the process's replacement count and \
                        a compare, while nothing was ever replaced) that \
                        System V does not need. `agrona` is Agrona's `UnsafeBuffer` wrapping the segment's \
                        memory (bounds checks on, its default).""", "", List.of(dbb), false),
                new Group("Typed", "Typed access, every width", """
                        `Segment.getXxx/putXxx` at offset 67 (misaligned for every width but the byte) \
                        against a raw `DirectByteBuffer`'s `getXxx/putXxx` at the same offset. `jshm`: a \
                        4 KiB System V segment (the fast path, the first chunk's buffer); `jshmChunked`: a \
                        segment of 2 GiB + 64 KiB at an offset past 2 GiB (the chunk lookup; byte and \
                        long stand for every width, which share one code shape).""", "", List.of(dbb), false),
                new Group("Jni", "Crossing into C (JNI)", """
                        `emptyCall_jniPageSize` is the nearest thing to an empty JNI call that jshm has: the \
                        package-private `Native.pageSize()` (its C side is one `sysconf(_SC_PAGESIZE)`), \
                        called through a method handle. `emptyCall_jshmRead0` is the public path: \
                        `SysVSegment.read` of 0 bytes (bounds checks, the JNI call, an empty \
                        `SetByteArrayRegion`). `read8`/`write8` copy 8 bytes between a `byte[]` and the \
                        segment. `jniCopy0`/`read8_jniCopy`: the read's native (`Native.copyToArray`) \
                        called bare through a method handle, without the public API's Java checks.""", "", List.of(jni), false),
                new Group("Lock", "Robust lock, uncontended", """
                        One thread locks and unlocks, on shared memory. `jshmRobustLock`: \
                        `RobustLock.lock()` + `unlock()` (a free lock takes one CAS each way in Java, no JNI); \
                        `jshmTryLock`: the same with `tryLock()`; `javaCas`: a VarHandle CAS and a release \
                        store on the segment, the floor for any lock word from Java. From C \
                        (`lock_bench.c`): `cJshmLock` is jshm's lock, `cPthreadRobust` the robust \
                        process-shared pthread mutex it replaced, `cCas` a bare CAS and release store.""",
                        "", List.of(cCas), false),
                new Group("Futex", "Futex calls, one thread", """
                        `Futex.wake` on a word nobody waits on (`wake`), and `Futex.await` on a word that \
                        no longer holds the expected value (`awaitChanged`, untimed; `awaitChangedTimed`, \
                        with a 1 ms timeout, which reads the clock): the kernel returns at once, so each \
                        figure is one system call and what jshm does around it (checks, one JNI call). \
                        `c`: the same system calls from C (`baseline.c`): `FUTEX_WAKE`, and `FUTEX_WAIT` \
                        with the 50 ms relative timeout jshm gives every wait (an untimed `await` sleeps \
                        in slices to see interrupts; a timed `FUTEX_WAIT` costs the kernel a timer set-up \
                        even when the word differs). How long a sleeper takes to wake is the two-process \
                        table below.""", "", List.of(c), false),
                new Group("RingCpu", "The ring in one thread", """
                        What one thread pays per ring operation with no other process (the cost that the \
                        two-process tables hide behind cache-line transfers): `emptyPoll` polls an empty \
                        ring, `offerPoll` offers a 32-byte message and polls it back, `claimPoll` claims 32 \
                        bytes, writes 8 in place, commits and polls. `jshm`: `MessageRing` on a POSIX object \
                        (each operation followed by the truncation check); `jshmSysV`: on System V; \
                        `agrona`: `OneToOneRingBuffer` over a direct buffer; `unchecked`: jshm's record \
                        protocol through the same typed views and fences with none of its checks, \
                        heartbeats or wake-ups (a benchmark class, not the library).""", "", List.of(agrona), false),
                new Group("Copy", "Bulk copies", """
                        `read` copies shared memory into a `byte[]`, `write` copies a `byte[]` into shared \
                        memory, `fill` sets every byte, from offset 0, the memory touched beforehand. \
                        `jshmSysV`: System V, each call picks its path by size (the JVM's copy below jshm's \
                        threshold, JNI `memcpy`/`memset` from it; the summary gives the thresholds); `jshmPosix`: POSIX with \
                        the default, by size as System V; `jshmPosixJava`: POSIX built with `jvmCopies()`, \
                        always the JVM's copy (`ByteBuffer` bulk get/put); `agrona`: Agrona's \
                        `UnsafeBuffer` over a System V segment's memory (`getBytes`/`putBytes`/`setMemory`); \
                        `mappedByteBuffer`: `FileChannel.map` of a /dev/shm file; `directByteBuffer`: \
                        `ByteBuffer.allocateDirect` (its fill: bulk puts of a 4 KiB block that starts a page, as its \
                        destination does: what jshm's fill does); FFM: `MemorySegment.copy`; C: `memcpy` of a runtime length between a System V \
                        segment and a heap buffer. The array side of every copy, C's included, starts at eight \
                        places in turn, one in each eighth of a page, each at another 8-byte place of a cache line; up \
                        to 1 MiB the memory side moves to the next of five memories of its way at each iteration (see \
                        the summary).""",
                        "size (bytes)", List.of(bestJdk, cMemcpy), true),
                new Group("CopyCrossover", "Bulk copies: the JVM's path against the native one", """
                        The same System V copy forced down each path (`-Ddev.jshm.nativeCopyThreshold`: \
                        0 for always native, the largest int for never), at sizes between those of the \
                        copy table: `jshmJava` is the JVM's copy, `jshmNative` one JNI call to `memcpy` \
                        (through `Get/SetByteArrayRegion`) or `memset`. Where the ratio drops below 1 the \
                        native path is the faster one.""", "size (bytes)", List.of(javaPath), false),
                new Group("Lifecycle", "Segment lifecycle (64 KiB)", """
                        `<kind>Cycle`: create, attach (map), detach (unmap) and remove one 64 KiB segment, \
                        untouched. `<kind>Attach`: attach an existing segment and detach it. sysv = \
                        shmget/shmat/shmdt/IPC_RMID, posix = shm_open/ftruncate/mmap/munmap/shm_unlink \
                        (jshm with `noReserve()`), `posixReservedCycle` = the same plus `posix_fallocate` \
                        (what `PosixSegment.create` does by default), file = shm_open's steps on a /dev/shm \
                        path. The JDK's `MappedByteBuffer` is unmapped at \
                        once through `Unsafe.invokeCleaner` (JDK 17 has no public way); FFM uses a \
                        confined `Arena`.""", "", List.of(c), false),
                new Group("FirstTouch", "First touch, per page", """
                        The first write to each 4 KiB page of a fresh 1 MiB segment: the page fault that \
                        allocates the page. Per page; creation and removal not timed. `anonPage` (C only) \
                        is private anonymous memory, for scale.""", "", List.of(c), false),
                new Group("HugePages", "Huge pages: a 64 MiB segment", """
                        `firstTouch`: one byte written per 4 KiB of a fresh segment, per 4 KiB (with huge \
                        pages one fault allocates and clears a whole 2 MiB page). `random8`: one `getLong` \
                        at a random aligned offset of a touched segment, the offset mixed with the value the \
                        read before returned, so reads do not overlap: one read's latency (with 4 KiB pages \
                        most of them miss the TLB; the 32 huge pages fit in it). `jshmSysVHuge`: `SysVSegment.builder()\
                        .hugePages()` (`SHM_HUGETLB`); `jshmFileHuge`: a `MappedFileSegment` on a hugetlbfs \
                        mount; `jshmSysV` and `jshmFile` (a /dev/shm file) are the same on 4 KiB pages. \
                        bench/run.sh reserves the huge pages and mounts the hugetlbfs for this part only and \
                        gives both back.""", "", List.of(smallPages), false),
                new Group("RoundTrip", "Cross-process round trip", """
                        Two processes pinned to cores 0 and 1 (`taskset`/`sched_setaffinity`); one message \
                        there and back, timed by the sender each time (HdrHistogram in Java, a sorted array \
                        in C): %,d round trips (the quick suite) after %,d untimed ones (C: 100,000). `cPingPong`: one cache line each way, spinning. `jshmViewPingPong`: the same \
                        protocol over a jshm POSIX segment through a VarHandle on its view. `agrona`: a \
                        32-byte message through two `OneToOneRingBuffer`s in one mapped /dev/shm file. \
                        `jshmRingSpin`/`jshmRingFutex`: jshm's `MessageRing`, copying `offer`, spinning bare \
                        (the same loop as Agrona's: no `pause`) or with the ring's `FutexIdleStrategy`; `jshmRingZeroCopy` (32 B) and \
                        `jshmRingZeroCopy4K` (4 KiB): claim, write in place, commit, read in place, so the \
                        bytes of the message are never copied. `ringUnchecked`: `jshmRingSpin`'s messages and \
                        loops over jshm's record protocol without its checks, heartbeats and wake-ups \
                        (`UncheckedRing`, RingCpu's `unchecked`), on the same two rings. \
                        The mean includes the rare long stalls (a vCPU descheduled by the host); the \
                        percentiles show the typical case. Every way runs once per round and the rounds \
                        interleave the ways (C included), so all of them meet the same load and the same \
                        changes of distance between the two vCPUs; a C ping-pong of a few milliseconds \
                        just before and just after each way tells how far apart the two CPUs were, and the \
                        summary compares ways over the rounds in which they ran at the same distance. The \
                        samples are one per round.""".formatted(CrossProcess.QUICK_ROUND_TRIPS, CrossProcess.WARM_ROUND_TRIPS), "",
                        List.of(ping), false),
                new Group("Throughput", "Cross-process one-way throughput", """
                        One process writes messages of the given size as fast as the ring takes them, the \
                        other (the timer) reads them; messages per second over one block after %d warm-up \
                        blocks of the same size (the quick suite: 2 M messages, or 2 GiB of payload where \
                        that is fewer; the full suite: 10 M), with two producers over a block of 10 M after \
                        %d. `oneWay`: one producer; `agrona` is `OneToOneRingBuffer.write` \
                        (a copy), `jshmRingSpin` the copying `offer`, `jshmRingZeroCopy` claim/commit, \
                        `jshmRingFutex` the copying `offer` into a consumer with the futex idle strategy. \
                        `twoProducers`: two producer processes on one core into one consumer, Agrona's \
                        `ManyToOneRingBuffer` against a `ProducerMode.MANY` ring. Each way runs \
                        once per round, the ways interleaved, between two probes of the CPUs' distance (see \
                        the round trips). `cRing` and `cRingZeroCopy`: the same ring \
                        in C (`jshm_ring.c` between two C processes pinned the same way, `ring_bench.c`: \
                        `jshm_ring_offer`, or claim, 8 bytes written in place, commit), run before the Java \
                        rounds with the same ring, block and warm-up. Higher is better: a ratio above 1 \
                        is faster than the baseline.""".formatted(CrossProcess.THROUGHPUT_WARM_BLOCKS,
                        CrossProcess.MANY_PRODUCERS_WARM_BLOCKS), "message size (bytes)",
                        List.of(agrona), false),
                new Group("FutexWake", "Futex wake-up latency", """
                        One-way: the waker (core 1) stamps the time and wakes; the waiter (core 0), asleep \
                        in `FUTEX_WAIT` on shared memory, stamps its return. The waker pauses 50 µs before \
                        each wake so the waiter is really asleep. Before the timed wake-ups, 20,000 untimed \
                        ones without the pause (in C too) let both JVMs compile their paths: a JVM that is \
                        still compiling runs its compiler on the pinned core during the measurement.""", "", List.of(cFutex), false));
    }

    static Optional<Measurement> sameJvm(Results r, Measurement m, String way) {
        String suffix = m.jvm().equals(Results.MAIN_JVM) || m.jvm().equals("C") ? "" : " (JDK " + m.jvm() + ")";
        return r.find(m.group(), m.op(), m.param(), way + suffix);
    }

    /** The fastest of the JDK 17 ways that need no library: MappedByteBuffer and a direct buffer. */
    static Optional<Measurement> bestJdk(Results r, Measurement m) {
        return r.select(x -> x.group().equals(m.group()) && x.op().equals(m.op()) && x.param().equals(m.param())
                        && (x.way().equals("mappedByteBuffer") || x.way().equals("directByteBuffer")))
                .stream().min(Comparator.comparingDouble(Measurement::median));
    }

    // ---- results.md ------------------------------------------------------------------------------

    private String resultsMarkdown() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# jshm benchmark results\n\n");
        md.append("Run of ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(", `make bench").append(mode.equals("full") ? "-full" : "").append("` (").append(mode)
                .append(" suite). Machine, JVMs and pinning: [environment.txt](environment.txt). ")
                .append("What it means: [summary.md](summary.md).\n\n");
        md.append("""
                How to read: every figure is the **median** of all measured iterations of all JMH forks \
                (or of all repetitions of a C or two-process test), with the **min–max** of the same \
                samples beside it. Ratios divide medians measured in the same run: below 1 is faster \
                than the baseline for times, above 1 is faster for rates (msg/s). Ways marked \
                *(JDK 25)* ran on JDK 25 and are divided by the baseline measured on JDK 25. \
                The machine is a shared 2-core VM: ranges wider than 1.5x are marked ⚠.

                """);
        for (Group group : groups()) {
            List<Measurement> rows = results.group(group.id());
            if (rows.isEmpty()) {
                continue;
            }
            md.append("## ").append(group.title()).append(" (`").append(group.id()).append("`)\n\n");
            md.append(group.about()).append("\n\n");
            md.append("| operation |");
            if (!group.paramLabel().isEmpty()) {
                md.append(" ").append(group.paramLabel()).append(" |");
            }
            md.append(" way | median | min–max |");
            for (Baseline b : group.baselines()) {
                md.append(" ").append(b.name()).append(" |");
            }
            boolean profiled = rows.stream().anyMatch(m -> results.allocation(m).isPresent());
            if (profiled) {
                md.append(" allocated (B/op, `-prof gc`) |");
            }
            md.append("\n|---|");
            if (!group.paramLabel().isEmpty()) {
                md.append("---:|");
            }
            md.append("---|---:|---:|");
            md.append("---:|".repeat(group.baselines().size() + (profiled ? 1 : 0))).append("\n");
            for (String op : results.ops(group.id())) {
                for (String param : results.params(group.id(), op)) {
                    for (Measurement m : ordered(group.id(), op, param)) {
                        md.append("| ").append(op).append(" |");
                        if (!group.paramLabel().isEmpty()) {
                            md.append(" ").append(sizeLabel(param)).append(" |");
                        }
                        md.append(" ").append(m.way()).append(" | ").append(format(m.median(), m.unit()))
                                .append(" | ").append(format(m.min(), m.unit())).append(" – ")
                                .append(format(m.max(), m.unit()))
                                .append(m.max() / m.min() > 1.5 ? " ⚠" : "").append(" |");
                        for (Baseline b : group.baselines()) {
                            Optional<Measurement> base = b.find().apply(results, m);
                            md.append(" ").append(base.map(x -> ratio(m.median() / x.median())).orElse("–")).append(" |");
                        }
                        if (profiled) {
                            md.append(" ").append(results.allocation(m).map(a -> bytesPerOp(a.median())).orElse("–")).append(" |");
                        }
                        md.append("\n");
                    }
                }
            }
            md.append("\n");
            for (String chart : charts(group)) {
                md.append("![").append(group.title()).append("](charts/").append(chart).append(")\n\n");
            }
        }
        md.append(new Placement(results).markdown());
        return md.toString();
    }

    private List<Measurement> ordered(String group, String op, String param) {
        List<Measurement> list = new ArrayList<>(results.select(
                m -> m.group().equals(group) && m.op().equals(op) && m.param().equals(param)));
        list.sort(Comparator.comparingInt(m -> {
            int i = WAY_ORDER.indexOf(m.way());
            return i < 0 ? WAY_ORDER.size() : i;
        }));
        return list;
    }

    // ---- charts --------------------------------------------------------------------------------

    /** Writes the group's charts and returns their file names. */
    private List<String> charts(Group group) throws IOException {
        List<String> files = new ArrayList<>();
        if (group.chartPerOp()) {
            for (String op : results.ops(group.id())) {
                BarChart chart = new BarChart(group.title() + ": " + op, "median per size; lower is faster",
                        group.paramLabel(), unitLabel(group.id()));
                List<String> categories = results.params(group.id(), op).stream().map(Report::sizeLabel).toList();
                chart.order(ways(m -> m.group().equals(group.id()) && m.op().equals(op)), categories);
                for (String param : results.params(group.id(), op)) {
                    for (Measurement m : ordered(group.id(), op, param)) {
                        chart.add(sizeLabel(param), m.way(), m.median());
                    }
                }
                String file = group.id().toLowerCase(Locale.ROOT) + "-" + op + ".png";
                chart.write(out.resolve("charts").resolve(file));
                files.add(file);
            }
            return files;
        }
        boolean rate = group.id().equals("Throughput");
        // A size parameter makes each operation a category of its own ("read 4 KiB").
        BarChart chart = new BarChart(group.title(), rate ? "median; higher is faster" : "median; lower is faster",
                group.paramLabel().isEmpty() ? "operation" : group.paramLabel(), unitLabel(group.id()));
        List<String> categories = new ArrayList<>();
        for (String op : results.ops(group.id())) {
            for (String param : results.params(group.id(), op)) {
                categories.add(category(op, param, rate));
            }
        }
        chart.order(ways(m -> m.group().equals(group.id())), categories);
        for (String op : results.ops(group.id())) {
            for (String param : results.params(group.id(), op)) {
                for (Measurement m : ordered(group.id(), op, param)) {
                    chart.add(category(op, param, rate), m.way(), rate ? m.median() / 1e6 : m.median());
                }
            }
        }
        String file = group.id().toLowerCase(Locale.ROOT) + ".png";
        chart.write(out.resolve("charts").resolve(file));
        files.add(file);
        return files;
    }

    private static String category(String op, String param, boolean rate) {
        return param.isEmpty() ? op : rate ? sizeLabel(param) : op + " " + sizeLabel(param);
    }

    /** The ways among the selected measurements, in {@link #WAY_ORDER}. */
    private List<String> ways(java.util.function.Predicate<Measurement> filter) {
        List<String> ways = new ArrayList<>(new java.util.LinkedHashSet<>(results.select(filter).stream().map(Measurement::way).toList()));
        ways.sort(Comparator.comparingInt(w -> WAY_ORDER.contains(w) ? WAY_ORDER.indexOf(w) : WAY_ORDER.size()));
        return ways;
    }

    private static String unitLabel(String group) {
        return switch (group) {
            case "Throughput" -> "million messages per second";
            case "RoundTrip", "FutexWake" -> "nanoseconds";
            case "FirstTouch" -> "nanoseconds per page";
            case "HugePages" -> "nanoseconds per 4 KiB (firstTouch) or per read (random8)";
            default -> "nanoseconds per operation";
        };
    }

    // ---- formatting ----------------------------------------------------------------------------

    static String format(double value, String unit) {
        if (unit.endsWith("/s")) {
            return value >= 1e6 ? String.format(Locale.ROOT, "%.2f M/s", value / 1e6)
                    : String.format(Locale.ROOT, "%.0f /s", value);
        }
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.2f ms", value / 1e6);
        }
        if (value >= 1e4) {
            return String.format(Locale.ROOT, "%.1f µs", value / 1e3);
        }
        if (value >= 1e3) {
            return String.format(Locale.ROOT, "%.2f µs", value / 1e3);
        }
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f ns", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f ns", value);
        }
        return String.format(Locale.ROOT, "%.2f ns", value);
    }

    /** Bytes per operation; JMH's profiler reports thousandths for code that allocates nothing. */
    static String bytesPerOp(double b) {
        return b < 0.01 ? String.format(Locale.ROOT, "%.3f", b) : b < 10 ? String.format(Locale.ROOT, "%.2f", b)
                : String.format(Locale.ROOT, "%.0f", b);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
    }

    static String sizeLabel(String param) {
        if (!param.matches("\\d+")) {
            return param;
        }
        long n = Long.parseLong(param);
        if (n >= 1 << 20 && n % (1 << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n >= 1 << 10 && n % (1 << 10) == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " B";
    }
}
