package dev.jshm.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.jshm.sync.FutexIdleStrategy;

/**
 * {@code summary.md}: the project's performance targets, each evaluated with the ratio measured in
 * this run (pass or miss, and by how much), then where the native path wins, where the Java path
 * wins, and why.
 */
final class Summary {

    /** The copy ways of the table: each kind's default, and POSIX with {@code jvmCopies()}. */
    private static final List<String> JSHM_COPY_WAYS = List.of("jshmSysV", "jshmPosix", "jshmPosixJava");
    /**
     * The ways the copy targets judge: each kind's default, which picks its path by size.
     * {@code jvmCopies()} declines the native path on request (for files on hugetlbfs), so it is
     * shown and not judged.
     */
    private static final List<String> JUDGED_COPY_WAYS = List.of("jshmSysV", "jshmPosix");
    private static final long MIB = 1 << 20;
    /**
     * jshm's thresholds in effect on this machine (the copy's depends on the CPU), read from the
     * library so the text never drifts from the code.
     */
    private static final int COPY_THRESHOLD = libraryConstant("NATIVE_COPY_THRESHOLD");
    private static final int FILL_THRESHOLD = libraryConstant("NATIVE_FILL_THRESHOLD");

    private static int libraryConstant(String name) {
        try {
            java.lang.reflect.Field f = Class.forName("dev.jshm.BulkCopy").getDeclaredField(name);
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("dev.jshm.BulkCopy." + name + " is gone: update the report", e);
        }
    }

    private static String kib(int bytes) {
        return Report.sizeLabel(Integer.toString(bytes));
    }

    private final Results r;
    private final Placement placement;
    private final String mode;
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>();

    Summary(Results results, String mode) {
        this.r = results;
        this.placement = new Placement(results);
        this.mode = mode;
    }

    String markdown() {
        md.append("# jshm performance: summary\n\n");
        md.append("From one `make bench").append(mode.equals("full") ? "-full" : "").append("` run (").append(mode)
                .append(" suite): every ratio below divides two medians measured in that run. Figures, ranges and ")
                .append("charts: [results.md](results.md); machine: [environment.txt](environment.txt).\n\n");
        Optional<Measurement> emptyJni = find("Jni", "emptyCall", "", "jniPageSize");
        Optional<Measurement> read0 = find("Jni", "emptyCall", "", "jshmRead0");
        md.append("**JNI transition cost in this run:** ");
        if (emptyJni.isPresent()) {
            md.append(ns(emptyJni.get())).append(" for the nearest thing to an empty JNI call (`Native.pageSize()`, ")
                    .append("whose C side is one `sysconf`, through a method handle: the library has no empty native ")
                    .append("and the benchmarks do not change it)");
            read0.ifPresent(m -> md.append("; ").append(ns(m)).append(" for the public path around it, a 0-byte ")
                    .append("`SysVSegment.read` (argument and bounds checks, the JNI call, an empty `SetByteArrayRegion`)"));
            md.append(".\n\n");
        } else {
            md.append("not measured in this run.\n\n");
        }

        find("Clock", "clock_gettime", "", "c").ifPresent(m -> md.append("**One timestamp** (`clock_gettime(CLOCK_MONOTONIC)`, ")
                .append("what `System.nanoTime()` calls) costs ").append(ns(m)).append(" on this VM: the latency tests take one ")
                .append("or two per message, in C and in Java alike.").append(clockStep()).append("\n\n"));
        md.append("**Noise.** The machine is a 2-core VM shared with other work (see the load averages in ")
                .append("environment.txt); single figures move by tens of percent between forks. Read a ratio ")
                .append("together with the min–max ranges in results.md, and treat differences under ~20% at the ")
                .append("nanosecond scale as unresolved.\n\n");

        access();
        atomics();
        typed();
        allocation();
        jni();
        copies();
        lifecycle();
        hugePages();
        crossProcess();

        StringBuilder head = new StringBuilder();
        head.append("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        for (String[] t : targets) {
            head.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }
        head.append("\n");
        if (targets.stream().anyMatch(t -> t[1].contains("round by round"))) {
            head.append("The two-process rows also give the ratio within each round (each way runs once per round, the ")
                    .append("ways in turn). How fast a cache line crosses between the two pinned CPUs can change while ")
                    .append("the run goes on, for every way alike, as when the host moves the two vCPUs between its cores")
                    .append(placement.levelsText(", ").isEmpty() ? "" : " (in this run a C ping-pong round trip between them took "
                            + placement.levelsText(" or ") + " at p50, each level held for a while)")
                    .append(". So the harness probes that distance just before and just after ")
                    .append("each way (a C ping-pong of a few milliseconds), and where both ways of a row ran at the same ")
                    .append("distance in at least ").append(Placement.MIN_ROUNDS).append(" rounds, the verdict is on the ")
                    .append("ratio of their medians over those rounds (the row says so); otherwise the ratio of the ")
                    .append("medians over all rounds, which may compare a near round with a far one, is shown and judges ")
                    .append("nothing: the row is a miss, not judged.\n\n");
        }
        int at = md.indexOf("## ");
        md.insert(at < 0 ? md.length() : at, head);
        return md.toString();
    }

    // ---- 8-byte access -------------------------------------------------------------------------

    private void access() {
        List<String> details = new ArrayList<>();
        double worst = 0;
        String worstOp = null;
        for (String op : r.ops("Access8")) {
            Optional<Measurement> base = find("Access8", op, "", "directByteBuffer");
            Optional<Measurement> best = r.select(m -> m.group().equals("Access8") && m.op().equals(op)
                    && m.way().startsWith("jshm")).stream().min(Comparator.comparingDouble(Measurement::median));
            if (base.isEmpty() || best.isEmpty()) {
                continue;
            }
            double ratio = best.get().median() / base.get().median();
            details.add(op + " " + Report.ratio(ratio) + " (" + best.get().way() + " " + ns(best.get()) + " vs " + ns(base.get()) + ")");
            if (ratio > worst) {
                worst = ratio;
                worstOp = op;
            }
        }
        if (worstOp == null) {
            target("jshm's best 8-byte access within 1.2× of a raw DirectByteBuffer", "not measured", "–");
            return;
        }
        target("jshm's best 8-byte access within 1.2× of a raw DirectByteBuffer",
                "worst operation " + worstOp + ": " + Report.ratio(worst) + "; " + String.join("; ", details),
                verdict(worst, 1.2));
        md.append("## 8-byte access: Java wins\n\n");
        md.append("Every 8-byte access in jshm is Java: `getLong/putLong` are `VarHandle` accesses to the segment's ")
                .append("first buffer, whose own bounds check is the segment's (see typed access below), and ordered ")
                .append("access goes through a `VarHandle` on the same buffer (`atomics()`) or on the `asByteBuffer()` ")
                .append("view. The JIT compiles both to one `mov` (a `lock` instruction for ")
                .append("`cas`/`getAndAdd`, `xchg` or `mov`+`mfence` for a volatile store), which is why they sit near ")
                .append("the C loop (see the `c` rows). A JNI call");
        find("Jni", "emptyCall", "", "jniPageSize").ifPresent(m -> md.append(" (").append(ns(m)).append(" here)"));
        md.append(" costs many times the access itself, so no 8-byte operation should cross into C.");
        if (worst > 1.2) {
            md.append(" The miss (").append(worstOp).append(", ").append(Report.ratio(worst))
                    .append(") is within what separates the JDK's own ways from each other in the same table ")
                    .append("(`mappedByteBuffer` and `directByteBuffer` run the same compiled code on different ")
                    .append("memory): ").append(jdkSpread()).append(". At 2 to 10 ns a difference of one or two ")
                    .append("instructions, code alignment or a noisy neighbour decides the ratio.");
        }
        List<String> faultCheck = new ArrayList<>();
        for (String[] pair : new String[][] {{"jshmTyped", "jshmTypedPosix"}, {"jshmAtomics", "jshmAtomicsPosix"}}) {
            for (String op : r.ops("Access8")) {
                Optional<Measurement> sysv = find("Access8", op, "", pair[0]);
                Optional<Measurement> posix = find("Access8", op, "", pair[1]);
                if (sysv.isPresent() && posix.isPresent()) {
                    faultCheck.add(op + " " + ns(posix.get()) + " vs " + ns(sysv.get()) + " ("
                            + Report.ratio(posix.get().median() / sysv.get().median()) + ")");
                }
            }
        }
        if (!faultCheck.isEmpty()) {
            md.append("\n\nThe truncation check: the same call on a POSIX object (checked after each access: a read of ")
                    .append("the process's replacement count through a `LongBuffer` constant, which loads the buffer's ")
                    .append("session, limit and address before the word, and a compare, while nothing was ever replaced) ")
                    .append("against System V ")
                    .append("(no check): ").append(String.join("; ", faultCheck))
                    .append(".");
        }
        List<String> atomicsVsNative = new ArrayList<>();
        for (String op : r.ops("Access8")) {
            Optional<Measurement> java = find("Access8", op, "", "jshmAtomics");
            Optional<Measurement> c = find("Access8", op, "", "jshmNativeAtomics");
            if (java.isPresent() && c.isPresent()) {
                atomicsVsNative.add(op + " " + ns(java.get()) + " vs " + ns(c.get()));
            }
        }
        if (atomicsVsNative.isEmpty()) {
            md.append(" `atomics()` and `nativeAtomics()` are not in this run.\n\n");
        } else {
            md.append("\n\nThe same operations through `segment.atomics()` (the JVM's VarHandles) and ")
                    .append("`segment.nativeAtomics()` (C11 atomics behind a JNI call): ")
                    .append(String.join("; ", atomicsVsNative)).append(". The native form pays one JNI transition per ")
                    .append("operation for an instruction the JIT emits inline, so `atomics()` is the one to use; ")
                    .append("`nativeAtomics()` is there for memory a C program shares, where the two sides must agree ")
                    .append("on the exact instructions. On System V, whose memory no other process can cut off, ")
                    .append("`atomics()` takes its fast path in final methods of `SegmentAtomics`: no check of the ")
                    .append("object's class, no truncation check, so what it adds to the raw buffer's `VarHandle` is ")
                    .append("the load of its buffer from the atomics object and a check that the `long` offset fits ")
                    .append("an `int`.\n\n");
        }
    }

    /** The largest ratio between the two JDK 17 buffers over the 8-byte operations: the noise floor. */
    private String jdkSpread() {
        double worst = 1;
        String at = "";
        for (String op : r.ops("Access8")) {
            Optional<Measurement> a = find("Access8", op, "", "mappedByteBuffer");
            Optional<Measurement> b = find("Access8", op, "", "directByteBuffer");
            if (a.isPresent() && b.isPresent()) {
                double q = Math.max(a.get().median() / b.get().median(), b.get().median() / a.get().median());
                if (q > worst) {
                    worst = q;
                    at = op;
                }
            }
        }
        return "up to " + Report.ratio(worst) + (at.isEmpty() ? "" : " (" + at + ")");
    }

    // ---- JNI -----------------------------------------------------------------------------------

    private void jni() {
        Optional<Measurement> empty = find("Jni", "emptyCall", "", "jniPageSize");
        if (empty.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        double worst = 0;
        for (String[] c : new String[][] {{"Jni", "read8", ""}, {"Jni", "write8", ""}}) {
            Optional<Measurement> jshm = find(c[0], c[1], c[2], "jshmSysVNative");
            Optional<Measurement> work = find(c[0], c[1], c[2], "cMemcpy");
            // (JniBench forces the native path; small copies otherwise take the JVM's.)
            if (jshm.isEmpty() || work.isEmpty()) {
                continue;
            }
            double limit = empty.get().median() + work.get().median();
            double ratio = jshm.get().median() / limit;
            worst = Math.max(worst, ratio);
            String label = c[0].equals("Jni") ? c[1] : c[1] + " " + c[2] + " B";
            parts.add(label + " " + ns(jshm.get()) + " (" + jshm.get().way() + ") vs " + ns(empty.get()) + " + "
                    + ns(work.get()) + " = " + Report.ratio(ratio));
        }
        if (parts.isEmpty()) {
            return;
        }
        target("native call overhead within 1.2× of an empty JNI call plus the work (jshm's native bulk copy "
                + "on System V, vs `Native.pageSize()` + C memcpy)",
                String.join("; ", parts), verdict(worst, 1.2));
        md.append("## The cost of a native call\n\n");
        md.append("A small System V `read`/`write` is the JNI call plus Java's checks plus `Get/SetByteArrayRegion` ")
                .append("(a `memmove` after the array's own checks). ");
        if (worst > 1.2) {
            md.append("It misses the 1.2× target (worst ").append(Report.ratio(worst))
                    .append("): beyond the bare transition, each call pays the public API's work in Java (closed ")
                    .append("check, `Objects.checkFromIndexSize`, the segment's bounds check, the `reachabilityFence`) ")
                    .append("and in C (the range re-check and the array-region call, which is not inlined). ")
                    .append("The 0-byte read shows that share directly.");
            Optional<Measurement> bare0 = find("Jni", "emptyCall", "", "jniCopy0");
            Optional<Measurement> bare8 = find("Jni", "read8", "", "jniCopy");
            Optional<Measurement> read0 = find("Jni", "emptyCall", "", "jshmRead0");
            Optional<Measurement> read8 = find("Jni", "read8", "", "jshmSysVNative");
            if (bare0.isPresent() && bare8.isPresent() && read0.isPresent() && read8.isPresent()) {
                md.append(" The same native called bare (`jniCopy`: through a method handle, none of the Java ")
                        .append("checks) took ").append(ns(bare0.get())).append(" for 0 bytes and ")
                        .append(ns(bare8.get())).append(" for 8, against ").append(ns(empty.get()))
                        .append(" for `Native.pageSize()`; through the public `read`, ").append(ns(read0.get()))
                        .append(" and ").append(ns(read8.get())).append(". Between `pageSize` and the bare copy ")
                        .append("lie the C range check and the array-region call, which any JNI copy into a Java ")
                        .append("array pays: C reaches the array's data only through a JNI function that enters the VM ")
                        .append("(`Get/SetByteArrayRegion`, or `GetPrimitiveArrayCritical` and its release, two).");
            }
            md.append("\n\n");
        } else {
            md.append("It stays within 1.2× of a bare transition plus the copy (worst ").append(Report.ratio(worst))
                    .append("): the wrapper adds little beyond the transition itself.\n\n");
        }
    }

    // ---- typed access --------------------------------------------------------------------------

    private void typed() {
        List<String> fast = new ArrayList<>();
        List<String> chunked = new ArrayList<>();
        double worstFast = 0;
        double worstChunked = 0;
        String worstFastOp = "";
        String worstChunkedOp = "";
        for (String op : r.ops("Typed")) {
            Optional<Measurement> base = find("Typed", op, "", "directByteBuffer");
            if (base.isEmpty()) {
                continue;
            }
            Optional<Measurement> jshm = find("Typed", op, "", "jshm");
            if (jshm.isPresent()) {
                double q = jshm.get().median() / base.get().median();
                fast.add(op + " " + Report.ratio(q));
                if (q > worstFast) {
                    worstFast = q;
                    worstFastOp = op + " (" + ns(jshm.get()) + " vs " + ns(base.get()) + ")";
                }
            }
            Optional<Measurement> large = find("Typed", op, "", "jshmChunked");
            if (large.isPresent()) {
                double q = large.get().median() / base.get().median();
                chunked.add(op + " " + Report.ratio(q));
                if (q > worstChunked) {
                    worstChunked = q;
                    worstChunkedOp = op + " (" + ns(large.get()) + " vs " + ns(base.get()) + ")";
                }
            }
        }
        if (fast.isEmpty()) {
            target("typed get/put of every width within 1.2× of a raw DirectByteBuffer (segments under 2 GiB)",
                    "not measured", "–");
            return;
        }
        target("typed get/put of every width within 1.2× of a raw DirectByteBuffer (segments under 2 GiB, offset 67)",
                "worst " + worstFastOp + ": " + String.join(", ", fast), verdict(worstFast, 1.2) + noiseNote(worstFast, 1.2, "Typed"));
        if (!chunked.isEmpty()) {
            target("typed get/put past 2 GiB (chunked) within 1.5× of a raw DirectByteBuffer",
                    "worst " + worstChunkedOp + ": " + String.join(", ", chunked), verdict(worstChunked, 1.5) + noiseNote(worstChunked, 1.5, "Typed"));
        }
        md.append("## Typed access: one field, one bounds check\n\n");
        md.append("`Segment.getXxx/putXxx` below 2 GiB is the segment's first buffer, read from one field, and a ")
                .append("`VarHandle` view of it (`getByte/putByte`: the buffer's own `get/put`): the buffer's limit is the ")
                .append("segment's size, so its bounds check is the segment's, and the field is null once the segment is ")
                .append("closed (and, for writes, when it is read-only), so one load and one compare stand for the closed ")
                .append("check, the read-only check and the chunk lookup. A refused access (the buffer throws) is decided ")
                .append("again on the checked path, which names the call. What is left over a raw buffer is that load, the ")
                .append("null check and a check that the `long` offset fits an `int` (the benchmark's System V segment needs ")
                .append("no truncation check: for a caller that holds a `SysVSegment` it folds away). The view, unlike the ")
                .append("buffer's `getLong`, is no virtual call: the raw `DirectByteBuffer` way pays a check of its ")
                .append("buffer's class that jshm's widths above a byte do not. Nor does `getByte`: the field's type is ")
                .append("`MappedByteBuffer`, among whose subclasses `get(int)` has one implementation, so the JIT binds ")
                .append("it directly; `put(int, byte)` has two (the read-only buffer's throws), so `putByte` pays the ")
                .append("check like the raw buffer. Past 2 GiB the chunk comes from an array ")
                .append("field, and the chunk's buffer's bounds check is the only one (chunks overlap by almost 1 GiB, so ")
                .append("an access that starts in a chunk and fits in the segment fits in that chunk).\n\n");
    }

    /** Names the spread between the JDK's own two buffers when a target is missed by less than it. */
    private String noiseNote(double ratio, double limit, String group) {
        if (ratio <= limit) {
            return "";
        }
        return "; the JDK's two buffers differ by " + jdkSpread() + " in Access8 in this run";
    }

    // ---- atomics() ---------------------------------------------------------------------------------

    private void atomics() {
        List<String> parts = new ArrayList<>();
        double worst = 0;
        String worstOp = "";
        for (String op : r.ops("Access8")) {
            Optional<Measurement> jshm = find("Access8", op, "", "jshmAtomics");
            Optional<Measurement> base = find("Access8", op, "", "directByteBuffer");
            if (jshm.isEmpty() || base.isEmpty()) {
                continue;
            }
            double q = jshm.get().median() / base.get().median();
            parts.add(op + " " + Report.ratio(q) + " (" + ns(jshm.get()) + " vs " + ns(base.get()) + ")");
            if (q > worst) {
                worst = q;
                worstOp = op;
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        List<String> held = new ArrayList<>();
        for (String op : r.ops("Access8")) {
            Optional<Measurement> h = find("Access8", op, "", "heldDirectByteBuffer");
            Optional<Measurement> jshm = find("Access8", op, "", "jshmAtomics");
            Optional<Measurement> base = find("Access8", op, "", "directByteBuffer");
            if (h.isPresent() && jshm.isPresent() && base.isPresent()) {
                held.add(op + " " + Report.ratio(h.get().median() / base.get().median()) + " (jshm × it: "
                        + Report.ratio(jshm.get().median() / h.get().median()) + ")");
            }
        }
        String heldText = held.isEmpty() ? "" : "; the raw buffer one object away (behind a holder's final field, "
                + "one dependent load more, as behind any API object): " + String.join("; ", held);
        target("every `atomics()` operation within 1.2× of the same VarHandle on a raw DirectByteBuffer (System V)",
                "worst " + worstOp + " " + Report.ratio(worst) + ": " + String.join("; ", parts) + heldText,
                verdict(worst, 1.2));
        List<String> agrona = new ArrayList<>();
        for (String op : r.ops("Access8")) {
            Optional<Measurement> a = find("Access8", op, "", "agrona");
            Optional<Measurement> base = find("Access8", op, "", "directByteBuffer");
            Optional<Measurement> best = r.select(m -> m.group().equals("Access8") && m.op().equals(op)
                    && m.way().startsWith("jshm") && !m.way().equals("jshmNativeAtomics")).stream()
                    .min(Comparator.comparingDouble(Measurement::median));
            if (a.isPresent() && base.isPresent() && best.isPresent()) {
                agrona.add(op + ": Agrona " + ns(a.get()) + " (" + Report.ratio(a.get().median() / base.get().median())
                        + "), jshm's " + best.get().way() + " " + ns(best.get()) + " ("
                        + Report.ratio(best.get().median() / base.get().median()) + ")");
            }
        }
        if (!agrona.isEmpty()) {
            md.append("**Against Agrona.** Agrona's `UnsafeBuffer` over the same memory, each × the raw buffer: ")
                    .append(String.join("; ", agrona)).append(". `UnsafeBuffer` reads memory through `Unsafe` after ")
                    .append("its own bounds check; jshm reaches the same instructions through the JDK's buffers and ")
                    .append("VarHandles, with no `sun.misc.Unsafe`.\n\n");
        }
    }

    // ---- allocation --------------------------------------------------------------------------------

    /** The smallest object a JVM allocates is 16 bytes: anything below 8 B/op is no allocation per call. */
    private static final double NO_ALLOCATION = 8;

    /**
     * The hot paths the target names, by the JMH group that measures them: typed access, 8-byte
     * access and atomics, copies, the futex calls, the robust lock, and the ring's
     * offer/claim/commit/poll (RingCpu, one thread). Every jshm way of those groups but the
     * {@code asByteBuffer()} view's (the JDK's own VarHandle) and {@code nativeAtomics()}.
     */
    private static final List<String> HOT_PATH_GROUPS = List.of("Typed", "Access8", "Copy", "Futex", "Lock", "RingCpu");
    private static final String HOT_PATHS = "typed access, atomics, copies, futex calls, the robust lock and the ring's "
            + "offer/claim/commit/poll";

    private void allocation() {
        List<Measurement> jshm = r.allocations().stream()
                .filter(a -> HOT_PATH_GROUPS.contains(a.group()) && a.way().startsWith("jshm")
                        && !a.way().equals("jshmView") && !a.way().equals("jshmNativeAtomics"))
                .toList();
        if (jshm.isEmpty()) {
            target("zero allocation on " + HOT_PATHS + " (`-prof gc`)", "not profiled in this run", "–");
            return;
        }
        List<String> missing = HOT_PATH_GROUPS.stream().filter(g -> jshm.stream().noneMatch(a -> a.group().equals(g))).toList();
        Measurement worst = jshm.stream().max(Comparator.comparingDouble(Measurement::median)).orElseThrow();
        String where = worst.group() + "." + worst.op() + (worst.param().isEmpty() ? "" : " " + Report.sizeLabel(worst.param()))
                + " " + worst.way();
        target("zero allocation on " + HOT_PATHS + " (`-prof gc`, gc.alloc.rate.norm of every jshm way)",
                jshm.size() + " benchmarks; largest " + Report.bytesPerOp(worst.median()) + " B/op (" + where + ")"
                        + (missing.isEmpty() ? "" : "; not profiled in this run: " + String.join(", ", missing)),
                worst.median() >= NO_ALLOCATION ? "**miss** (" + Report.bytesPerOp(worst.median()) + " B/op ≥ " + (int) NO_ALLOCATION + ")"
                        : !missing.isEmpty() ? "**miss** (not every hot path was profiled)"
                        : "**pass** (all < " + (int) NO_ALLOCATION + " B/op: the smallest object is 16 B, "
                                + "so no call allocates; the thousandths are the profiler's own)");
    }

    // ---- copies --------------------------------------------------------------------------------

    private void copies() {
        if (r.params("Copy", "read").isEmpty()) {
            return;
        }
        List<String> small = new ArrayList<>();
        List<String> large = new ArrayList<>();
        List<String> vsC = new ArrayList<>();
        double worstSmall = 0;
        double worstLarge = 0;
        double worstC = 0;
        StringBuilder table = new StringBuilder("| copy | size | System V | POSIX | POSIX `jvmCopies()` | Agrona | best JDK 17 | C memcpy |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String op : List.of("read", "write", "fill")) {
            for (String size : r.params("Copy", op)) {
                long bytes = Long.parseLong(size);
                Optional<Measurement> jdk = r.select(m -> m.group().equals("Copy") && m.op().equals(op) && m.param().equals(size)
                                && (m.way().equals("mappedByteBuffer") || m.way().equals("directByteBuffer")))
                        .stream().min(Comparator.comparingDouble(Measurement::median));
                Optional<Measurement> c = find("Copy", op, size, "cMemcpy");
                String label = op + " " + Report.sizeLabel(size);
                StringBuilder row = new StringBuilder("| " + op + " | " + Report.sizeLabel(size) + " |");
                for (String way : JSHM_COPY_WAYS) {
                    Optional<Measurement> m = find("Copy", op, size, way);
                    row.append(" ").append(m.map(x -> ns(x) + jdk.map(j -> " (" + Report.ratio(x.median() / j.median()) + ")").orElse(""))
                            .orElse("–")).append(" |");
                    if (m.isEmpty() || jdk.isEmpty() || !JUDGED_COPY_WAYS.contains(way)) {
                        continue;
                    }
                    double q = m.get().median() / jdk.get().median();
                    if (bytes < 4096) {
                        small.add(label + " " + way + " " + Report.ratio(q));
                        worstSmall = Math.max(worstSmall, q);
                    } else {
                        large.add(label + " " + way + " " + Report.ratio(q));
                        worstLarge = Math.max(worstLarge, q);
                    }
                    if (c.isPresent() && bytes >= MIB) {
                        double qc = m.get().median() / c.get().median();
                        vsC.add(label + " " + way + " " + Report.ratio(qc));
                        worstC = Math.max(worstC, qc);
                    }
                }
                Optional<Measurement> agrona = find("Copy", op, size, "agrona");
                row.append(" ").append(agrona.map(x -> ns(x) + jdk.map(j -> " (" + Report.ratio(x.median() / j.median()) + ")").orElse(""))
                        .orElse("–")).append(" |");
                row.append(" ").append(jdk.map(m -> ns(m) + " (" + m.way() + ")").orElse("–")).append(" |");
                row.append(" ").append(c.map(Summary::ns).orElse("–")).append(" |\n");
                table.append(row);
            }
        }
        target("bulk read/write/fill below 4 KiB within 1.5× of the best JDK way (every kind's own way: System V, POSIX; `jvmCopies()`, which declines the native path on request, is shown, not judged)",
                small.isEmpty() ? "no size below 4 KiB in this run" : "worst " + Report.ratio(worstSmall) + ": " + String.join(", ", small),
                small.isEmpty() ? "–" : verdict(worstSmall, 1.5));
        target("bulk read/write/fill from 4 KiB within 1.1× of the best JDK way (every kind's own way)",
                large.isEmpty() ? "no size from 4 KiB in this run" : "worst " + Report.ratio(worstLarge) + ": " + String.join(", ", large),
                large.isEmpty() ? "–" : verdict(worstLarge, 1.1));
        target("bulk read/write at 1 MiB and 64 MiB within 1.05× of C memcpy (every kind's own way)",
                vsC.isEmpty() ? "no size ≥ 1 MiB in this run" : "worst " + Report.ratio(worstC) + ": " + String.join(", ", vsC),
                vsC.isEmpty() ? "–" : verdict(worstC, 1.05));
        md.append("## Bulk copies: each call picks its path\n\n");
        md.append("Each cell: the median, and × the best JDK 17 way of the same size in brackets. Every way, ")
                .append("C's `memcpy` included, copies between its memory's offset 0 and an array at eight places in ")
                .append("turn, one in each eighth of a page, each at another 8-byte place of a cache line ")
                .append("(`ArrayOffsets`), and up to 1 MiB moves to the next of five memories at each iteration ")
                .append("(`CopyBench.MAPPINGS`). Both give every way the same mix of places whatever its fork: on this ")
                .append("kind of host where an array lies in its page moves the JVM's copy (4 KiB reads into arrays at ")
                .append("five places took from about 30 to about 50 ns, in the same order in each of ten forks) and ")
                .append("glibc's (a 4 KiB `memcpy` into shared memory from 16 places in a page: 34 to 44 ns; its reads ")
                .append("did not move), where it lies in its line moves both, and a few places in the address space run the JVM's ")
                .append("copies from a page 4 to 5 times slower (4 of 1,024 mappings of one /dev/shm page, whichever ")
                .append("array the copy went to, the page itself fast at its other addresses). With one array and one ")
                .append("memory per way, each way had its fork's luck: a whole row at 30 or at 50 ns, and once a ")
                .append("System V 4 KiB read at 5 times the best JDK way; now such a memory costs the iteration that ")
                .append("uses it, which the median passes by.\n\n");
        md.append(table).append("\n");
        crossover();
        md.append("**Why.** The JVM's path is `ByteBuffer.get/put(int, byte[], int, int)` on the segment's first ")
                .append("buffer (the same fast path as typed access), which C2 turns into a call of the JVM's copy ")
                .append("stub: no transition. The native path is a JNI call into `Get/SetByteArrayRegion` (a second ")
                .append("VM entry, then `memmove`) or `memset`: two transitions that decide small copies, then glibc's ")
                .append("loops, which pulled ahead of the JVM's copy from 64 KiB on AMD's family 26 (Zen 5), and only at ")
                .append("about 1 MiB, or not at all, on family 25 (Zen 4) and Intel's (see the crossover above). So ")
                .append("every kind takes the native path on this machine's CPU from ")
                .append(kib(COPY_THRESHOLD)).append(" for copies and from ").append(kib(FILL_THRESHOLD))
                .append(" for fills (the JVM's fill copies from an aligned block), and the JVM's below; both paths ")
                .append("survive a truncation of a POSIX object or file alike. POSIX objects and files built with ")
                .append("`jvmCopies()` always take the JVM's path. ")
                .append("`-Ddev.jshm.nativeCopyThreshold=N` moves the threshold.\n\n");
        List<String> jdk25 = new ArrayList<>();
        double logSum = 0;
        for (String op : List.of("read", "write")) {
            for (String size : r.params("Copy", op)) {
                for (String way : JSHM_COPY_WAYS) {
                    Optional<Measurement> on17 = find("Copy", op, size, way);
                    Optional<Measurement> on25 = find("Copy", op, size, way + " (JDK 25)");
                    if (on17.isPresent() && on25.isPresent()) {
                        double q = on17.get().median() / on25.get().median();
                        logSum += Math.log(q);
                        jdk25.add(op + " " + Report.sizeLabel(size) + " " + way + " " + Report.ratio(q));
                    }
                }
            }
        }
        if (!jdk25.isEmpty()) {
            double mean = Math.exp(logSum / jdk25.size());
            md.append("**JDK 17 against JDK 25.** The same jar ran the jshm copies on JDK 25 too. How many times ")
                    .append("faster JDK 25 was than JDK 17 for the same way and size (above 1: JDK 25 faster): ")
                    .append(String.join(", ", jdk25)).append("; geometric mean ").append(Report.ratio(mean)).append(". ");
            if (mean > 1.1) {
                md.append("JDK 25 copies faster on the whole.\n\n");
            } else if (mean < 1 / 1.1) {
                md.append("JDK 17 copies faster on the whole in this run.\n\n");
            } else {
                md.append("No consistent difference in this run.\n\n");
            }
        }
        if (worstSmall > 1.5 || worstLarge > 1.1 || worstC > 1.05) {
            md.append("Where a copy target is missed, compare the min–max ranges in results.md: on this shared VM ")
                    .append("single figures move by more than 10% between iterations, and below the threshold ")
                    .append("`jshmPosix` and `directByteBuffer` run the same JDK code on different memory.\n\n");
        }
    }

    /** The JVM's copy against the native one, from CopyCrossover: where the native path starts to win. */
    private void crossover() {
        List<String> rows = new ArrayList<>();
        for (String op : List.of("read", "write", "fill")) {
            String firstNative = null;
            List<String> cells = new ArrayList<>();
            for (String size : r.params("CopyCrossover", op)) {
                Optional<Measurement> java = find("CopyCrossover", op, size, "jshmJava");
                Optional<Measurement> nat = find("CopyCrossover", op, size, "jshmNative");
                if (java.isEmpty() || nat.isEmpty()) {
                    continue;
                }
                double q = nat.get().median() / java.get().median();
                cells.add(Report.sizeLabel(size) + ": " + ns(java.get()) + " vs " + ns(nat.get()) + " (" + Report.ratio(q) + ")");
                if (q < 1 && firstNative == null) {
                    firstNative = Report.sizeLabel(size);
                }
            }
            if (!cells.isEmpty()) {
                rows.add("- **" + op + "** (JVM vs native, native × JVM): " + String.join("; ", cells) + ". Native faster from: "
                        + (firstNative == null ? "none of these sizes" : firstNative) + " (jshm's threshold on this CPU: "
                        + kib(op.equals("fill") ? FILL_THRESHOLD : COPY_THRESHOLD) + ").");
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("**Crossover.** The same System V copy forced down each path (CopyCrossover in results.md):\n\n");
        rows.forEach(row -> md.append(row).append("\n"));
        md.append("\n");
    }

    // ---- lifecycle and first touch ---------------------------------------------------------------

    private void lifecycle() {
        List<String> rows = new ArrayList<>();
        for (String op : r.ops("Lifecycle")) {
            Optional<Measurement> c = find("Lifecycle", op, "", "c");
            if (c.isEmpty()) {
                continue;
            }
            StringBuilder row = new StringBuilder("| " + op + " | " + ns(c.get()) + " |");
            for (String way : List.of("jshm", "mappedByteBuffer", "ffm (JDK 25)")) {
                Optional<Measurement> m = find("Lifecycle", op, "", way);
                row.append(m.map(x -> " " + ns(x) + " (" + Report.ratio(x.median() / c.get().median()) + ")").orElse(" –")).append(" |");
            }
            rows.add(row.toString());
        }
        for (String op : r.ops("FirstTouch")) {
            Optional<Measurement> c = find("FirstTouch", op, "", "c");
            if (c.isEmpty()) {
                continue;
            }
            StringBuilder row = new StringBuilder("| first touch, " + op + " | " + ns(c.get()) + " |");
            for (String way : List.of("jshm", "mappedByteBuffer", "ffm (JDK 25)")) {
                Optional<Measurement> m = find("FirstTouch", op, "", way);
                row.append(m.map(x -> " " + ns(x) + " (" + Report.ratio(x.median() / c.get().median()) + ")").orElse(" –")).append(" |");
            }
            rows.add(row.toString());
        }
        lifecycleTargets();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Lifecycle and first touch\n\n");
        md.append("| operation | C | jshm (× C) | JDK MappedByteBuffer (× C) | FFM, JDK 25 (× C) |\n|---|---:|---:|---:|---:|\n");
        rows.forEach(row -> md.append(row).append("\n"));
        double[] life = ratioRange("Lifecycle");
        double[] touch = ratioRange("FirstTouch");
        md.append("\n");
        if (life != null) {
            md.append(String.format(Locale.ROOT, "Every JVM way, jshm's and the JDK's alike, costs %s to %s of C's "
                    + "here. ", Report.ratio(life[0]), Report.ratio(life[1])));
            md.append("jshm makes C's system calls and one more: a create is `shmget`, `shmat` (System V) or ")
                    .append("`open(O_CREAT|O_EXCL|O_NOFOLLOW)`, `ftruncate`, `mmap` (POSIX, files; a file this call ")
                    .append("created is known to be new, empty and ours, so it is not `fstat`ed), and `close()` ")
                    .append("replaces the mapping with anonymous memory (`mmap(MAP_FIXED)`, so that a thread racing ")
                    .append("the close reads zeros instead of crashing) and unmaps it later on the `Cleaner` thread, ")
                    .append("once its buffers are collected. By default `PosixSegment.create` also reserves the memory ")
                    .append("(`posix_fallocate`: a full /dev/shm fails at create, not with SIGBUS later), which ")
                    .append("allocates every page, so `posixReservedCycle` compares it with C doing the same. What ")
                    .append("else a JVM adds: the work on other threads (the `Cleaner`'s `munmap`, which also splits ")
                    .append("the kernel's record of the neighbouring retired ranges it had merged, and the collections ")
                    .append("that find the buffers unreachable), and in the calling thread the JNI calls and the Java ")
                    .append("objects around a mapping (the segment, its `Mapping`, a direct `ByteBuffer` per GiB, a ")
                    .append("`Cleaner` registration, a slot in the SIGBUS handler's table of POSIX and file mappings, ")
                    .append("held until the unmap). These are one-time costs per segment: open segments once ")
                    .append("and keep them. ");
        }
        if (touch != null) {
            md.append(String.format(Locale.ROOT, "The first touch of a page is the kernel's page fault whoever touches "
                    + "it: the JVM ways land at %s to %s of C's, a spread this noisy machine also shows between "
                    + "repeated runs.", Report.ratio(touch[0]), Report.ratio(touch[1])));
        }
        md.append("\n\n");
    }

    /** The lifecycle targets: System V and POSIX create→remove within 2× C, files no slower than the JDK's map. */
    private void lifecycleTargets() {
        Optional<Measurement> cSysv = find("Lifecycle", "sysvCycle", "", "c");
        Optional<Measurement> jSysv = find("Lifecycle", "sysvCycle", "", "jshm");
        if (cSysv.isPresent() && jSysv.isPresent()) {
            double q = jSysv.get().median() / cSysv.get().median();
            target("System V create→attach→detach→remove within 2.0× C (sysvCycle)",
                    ns(jSysv.get()) + " vs " + ns(cSysv.get()) + ": " + Report.ratio(q), verdict(q, 2.0));
        } else {
            target("System V create→attach→detach→remove within 2.0× C (sysvCycle)", "not measured", "not measured");
        }
        List<String> posix = new ArrayList<>();
        double worst = 0;
        for (String op : List.of("posixCycle", "posixReservedCycle")) {
            Optional<Measurement> c = find("Lifecycle", op, "", "c");
            Optional<Measurement> j = find("Lifecycle", op, "", "jshm");
            if (c.isPresent() && j.isPresent()) {
                double q = j.get().median() / c.get().median();
                posix.add(op + " " + ns(j.get()) + " vs " + ns(c.get()) + ": " + Report.ratio(q));
                worst = Math.max(worst, q);
            }
        }
        target("POSIX create→map→unmap→unlink within 2.0× C, without and with the default reservation "
                        + "(posixCycle: `noReserve()` vs C; posixReservedCycle: the default vs C with `posix_fallocate`)",
                posix.isEmpty() ? "not measured" : String.join("; ", posix),
                posix.isEmpty() ? "not measured" : verdict(worst, 2.0));
        Optional<Measurement> jFile = find("Lifecycle", "fileCycle", "", "jshm");
        Optional<Measurement> jdkFile = find("Lifecycle", "fileCycle", "", "mappedByteBuffer");
        if (jFile.isPresent() && jdkFile.isPresent()) {
            double q = jFile.get().median() / jdkFile.get().median();
            // No tie band: jshm's cycle makes one system call more (the mmap at close), a cost
            // that is always there, so a ratio above 1 is not read as noise.
            String verdict = q <= 1.0 ? "**pass** (" + Report.ratio(q) + " ≤ 1.00×)"
                    : "**miss** (" + Report.ratio(q) + " > 1.00×, " + pct(q) + " slower; close replaces the mapping "
                            + "with anonymous memory, one system call more than the JDK's unmap, see below)";
            target("mapped file create→map→unmap→delete no slower than the JDK's `FileChannel.map` (fileCycle)",
                    ns(jFile.get()) + " vs " + ns(jdkFile.get()) + ": " + Report.ratio(q), verdict);
        } else {
            target("mapped file create→map→unmap→delete no slower than the JDK's `FileChannel.map` (fileCycle)",
                    "not measured", "not measured");
        }
    }

    // ---- huge pages ------------------------------------------------------------------------------

    private void hugePages() {
        List<String> shown = new ArrayList<>();
        for (String op : List.of("firstTouch", "random8")) {
            for (String kind : List.of("jshmSysV", "jshmFile")) {
                Optional<Measurement> small = find("HugePages", op, "", kind);
                Optional<Measurement> huge = find("HugePages", op, "", kind + "Huge");
                if (small.isPresent() && huge.isPresent()) {
                    shown.add(op + " " + kind + "Huge " + ns(huge.get()) + " vs " + ns(small.get()) + " on 4 KiB pages: "
                            + Report.ratio(huge.get().median() / small.get().median()));
                }
            }
        }
        String what = "huge pages for real: first touch and random 8-byte reads over 64 MiB with and without them "
                + "(System V `SHM_HUGETLB`, a file on hugetlbfs)";
        if (shown.isEmpty()) {
            target(what, "not measured in this run: bench/run.sh could not reserve huge pages (the reason is in "
                    + "environment.txt)", "not measured");
            return;
        }
        target(what, String.join("; ", shown), "**shown** (times with huge pages ÷ times on 4 KiB pages)");
        md.append("## Huge pages\n\n");
        md.append("A 64 MiB segment on huge pages against the same kind on 4 KiB pages, in this run: ")
                .append(String.join("; ", shown)).append(". First touch: with 4 KiB pages every 4 KiB written first ")
                .append("is a page fault; with huge pages one fault in 512 allocates and clears 2 MiB, so the cost ")
                .append("per 4 KiB is mostly clearing memory. Random reads: 64 MiB of 4 KiB pages is 16,384 pages, ")
                .append("far more than the TLB holds, so most reads also walk the page tables; 32 huge pages fit in ")
                .append("it. How much that saves depends on the host: in a VM each miss also walks the hypervisor's ")
                .append("page tables (EPT), which the guest's huge pages do not change, and a read that misses the ")
                .append("caches costs a memory access either way. Huge pages must be reserved by the administrator (`vm.nr_hugepages`) and cannot be ")
                .append("swapped; sizes and file offsets on hugetlbfs are whole huge pages.\n\n");
    }

    /** The lowest and highest ratio of a JVM way to C in a group, or null without both. */
    private double[] ratioRange(String group) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Measurement m : r.group(group)) {
            if (m.way().equals("c")) {
                continue;
            }
            Optional<Measurement> c = find(group, m.op(), m.param(), "c");
            if (c.isPresent()) {
                double q = m.median() / c.get().median();
                lo = Math.min(lo, q);
                hi = Math.max(hi, q);
            }
        }
        return hi == 0 ? null : new double[] {lo, hi};
    }

    // ---- two processes -------------------------------------------------------------------------

    private void crossProcess() {
        Optional<Measurement> cMean = find("RoundTrip", "mean", "", "cPingPong");
        Optional<Measurement> cP50 = find("RoundTrip", "p50", "", "cPingPong");
        Optional<Measurement> aMean = find("RoundTrip", "mean", "", "agrona");
        Optional<Measurement> aP50 = find("RoundTrip", "p50", "", "agrona");
        boolean ring = !r.select(m -> m.group().equals("RoundTrip") && m.way().startsWith("jshmRing")).isEmpty();
        if (ring) {
            ringRoundTrips(cP50);
            ringThroughput();
        } else {
            target("ring round trip p50 and p99 no slower than Agrona, p50 within 1.3× of C ping-pong",
                    "not measured: no `MessageRing` in this build", "not measured");
            target("ring throughput ≥ Agrona", "not measured: no `MessageRing` in this build", "not measured");
        }
        Optional<Measurement> cFutex = find("FutexWake", "p50", "", "cFutex");
        Optional<Measurement> jFutex = find("FutexWake", "p50", "", "jshmFutex");
        Optional<Measurement> cFutexMean = find("FutexWake", "mean", "", "cFutex");
        Optional<Measurement> jFutexMean = find("FutexWake", "mean", "", "jshmFutex");
        if (cFutex.isPresent() && jFutex.isPresent()) {
            double q = jFutex.get().median() / cFutex.get().median();
            String measured = "p50 " + ns(jFutex.get()) + " vs " + ns(cFutex.get()) + ": " + Report.ratio(q);
            if (cFutexMean.isPresent() && jFutexMean.isPresent()) {
                measured += "; mean " + ns(jFutexMean.get()) + " vs " + ns(cFutexMean.get()) + ": "
                        + Report.ratio(jFutexMean.get().median() / cFutexMean.get().median());
            }
            target("futex wake-up within 1.1× of C (judged on p50: the means carry millisecond host stalls)", measured, verdict(q, 1.1));
        } else {
            target("futex wake-up within 1.1× of C", "not measured: no `Futex` in this build"
                    + cFutex.map(m -> " (C alone: p50 " + ns(m) + ")").orElse(""), "not measured");
        }
        if (cMean.isEmpty()) {
            return;
        }
        md.append("## Two processes\n\n");
        md.append("Round trips are timed one by one, so the mean carries the rare long stalls of a shared VM (a ")
                .append("vCPU descheduled by the host costs tens of microseconds to milliseconds, see p99.9), while ")
                .append("p50 shows the protocol itself. C's ping-pong is two cache-line transfers and nothing else.");
        Optional<Measurement> view = find("RoundTrip", "p50", "", "jshmViewPingPong");
        if (view.isPresent() && cP50.isPresent()) {
            md.append(" The same protocol from Java over a jshm segment (`jshmViewPingPong`) takes ").append(ns(view.get()))
                    .append(" at p50 against C's ").append(ns(cP50.get())).append(" (")
                    .append(Report.ratio(view.get().median() / cP50.get().median()))
                    .append("): the Java loop also takes a `System.nanoTime()` per round trip, like C, so the ")
                    .append("difference is the JVM's, not the shared memory's.");
        }
        if (ring) {
            md.append(" A ring's p99 sits on a knee: on this VM about 1% of the round trips of every ring, Agrona's ")
                    .append("included, take more than a microsecond (between p99 and p99.5 each distribution jumps to ")
                    .append("2-3 µs), so a p99 moves by up to 2× as that share drifts around 1% from one round to the ")
                    .append("next, and only a p99 taken after both JVMs finished compiling compares the rings. ")
                    .append("`jshmRingFutex` spins like the others for ")
                    .append(String.format(Locale.ROOT, "%,d", FutexIdleStrategy.DEFAULT_MAX_SPINS))
                    .append(" `pause`s without a message (its default: 20 µs where a `pause` takes 10 ns), then ")
                    .append("yields and sleeps on the futex, and the next message pays a wake-up (see below).");
        }
        md.append("\n\n");
        if (ring) {
            Optional<Measurement> spin = find("RoundTrip", "p50", "", "jshmRingSpin");
            Optional<Measurement> clock = find("Clock", "clock_gettime", "", "c");
            md.append("**jshm's ring against Agrona.** Both are single-producer rings of records with a length ")
                    .append("header, in shared memory, polled by a consumer that spins bare (no `pause`: the same loop ")
                    .append("for both; `jshmRingFutex` uses the ring's futex idle strategy). ");
            if (spin.isPresent() && aP50.isPresent()) {
                md.append("At p50 a ring round trip takes ").append(ns(spin.get())).append(" with jshm and ")
                        .append(ns(aP50.get())).append(" with Agrona. ");
            }
            md.append("What jshm's `MessageRing` does per message beyond Agrona's `OneToOneRingBuffer`, in the ring ")
                    .append("code this run measured: each commit is followed by a read of the ring's sleepers flag, so ")
                    .append("that a consumer asleep on the futex is never missed (no fence: a consumer about to sleep calls ")
                    .append("`membarrier(2)` instead, which fences every producer's CPU; the futex word itself is only ")
                    .append("touched when a consumer announced itself; Agrona's consumers never sleep); every ")
                    .append("length, head and tail read from shared memory is checked before use; after each ")
                    .append("operation the process's count of truncation repairs is read (through a `LongBuffer`: three of its fields, then the word); every 64th claim ")
                    .append("(which then takes the long way), every 64th `poll` that finds a record and every 1024th that finds none read the clock for the heartbeats")
                    .append(clock.map(c -> " (one read costs " + ns(c) + " here)").orElse(""))
                    .append("; `offer` copies from a `byte[]` (the echo side offers the message straight from the ")
                    .append("ring's view, as Agrona's echo writes from its buffer); every call checks that the segment is open and ")
                    .append("its arguments; and a `poll` that finds the head claimed but not yet committed pauses ")
                    .append("(`Thread.onSpinWait()`, once per 256 claimed bytes, at most 32 times) before it returns, so ")
                    .append("that a consumer polling bare does not take the record's cache lines from the producer still ")
                    .append("writing it (Agrona's consumer reads again at once). ");
            Optional<Measurement> offerPoll = find("RingCpu", "offerPoll", "", "jshm");
            Optional<Measurement> offerPollSysV = find("RingCpu", "offerPoll", "", "jshmSysV");
            Optional<Measurement> offerPollAgrona = find("RingCpu", "offerPoll", "", "agrona");
            Optional<Measurement> offerPollBare = find("RingCpu", "offerPoll", "", "unchecked");
            Optional<Measurement> claimPoll = find("RingCpu", "claimPoll", "", "jshm");
            if (offerPoll.isPresent() && offerPollAgrona.isPresent() && offerPollBare.isPresent()) {
                md.append("What those cost together, in one thread with no other process (the RingCpu table): an offer ")
                        .append("of 32 bytes and the poll that takes it back take ").append(ns(offerPoll.get())).append(" with jshm (")
                        .append(offerPollSysV.map(m -> ns(m) + " on System V, which needs no truncation check; ").orElse(""))
                        .append(Report.ratio(offerPoll.get().median() / offerPollAgrona.get().median())).append(" Agrona's ")
                        .append(ns(offerPollAgrona.get())).append("), and ").append(ns(offerPollBare.get()))
                        .append(" for jshm's record protocol without them")
                        .append(claimPoll.map(m -> "; a zero-copy claim, 8 bytes written in place, commit and poll " + ns(m)).orElse(""))
                        .append(". ");
            }
            Optional<Measurement> bare = find("RoundTrip", "p50", "", "ringUnchecked");
            if (bare.isPresent() && spin.isPresent() && aP50.isPresent()) {
                Placement.Pair againstAgrona = placement.compare("RoundTrip", bare.get(), aP50.get(), Summary::ns);
                Placement.Pair againstJshm = placement.compare("RoundTrip", spin.get(), bare.get(), Summary::ns);
                md.append("Between the two processes, the same record protocol without them (`ringUnchecked`, the same ")
                        .append("rings, messages and loops as `jshmRingSpin`) took ").append(ns(bare.get()))
                        .append(" at p50 against Agrona's ").append(ns(aP50.get())).append(" (")
                        .append(Report.ratio(bare.get().median() / aP50.get().median())).append(againstAgrona.remark())
                        .append("; jshm's ring ").append(Report.ratio(spin.get().median() / bare.get().median()))
                        .append(" its time").append(againstJshm.remark()).append("). ");
            }
            Optional<Measurement> spinTp = find("Throughput", "oneWay", "32", "jshmRingSpin");
            Optional<Measurement> futexTp = find("Throughput", "oneWay", "32", "jshmRingFutex");
            if (spinTp.isPresent() && futexTp.isPresent()) {
                md.append(String.format(Locale.ROOT, "With 32-byte messages the futex idle strategy moves %.2f M msg/s "
                        + "against %.2f M spinning: ", futexTp.get().median() / 1e6, spinTp.get().median() / 1e6));
                md.append("it spins and yields before it sleeps, so while messages keep coming it behaves like a ")
                        .append("spinning consumer, and a producer pays a `FUTEX_WAKE` system call only for a commit ")
                        .append("that finds a consumer asleep.");
            }
            List<String> cRing = new ArrayList<>();
            for (String size : r.params("Throughput", "oneWay")) {
                Optional<Measurement> c = find("Throughput", "oneWay", size, "cRing");
                Optional<Measurement> cZero = find("Throughput", "oneWay", size, "cRingZeroCopy");
                Optional<Measurement> java = find("Throughput", "oneWay", size, "jshmRingSpin");
                Optional<Measurement> javaZero = find("Throughput", "oneWay", size, "jshmRingZeroCopy");
                if (c.isPresent() && cZero.isPresent() && java.isPresent() && javaZero.isPresent()) {
                    cRing.add(String.format(Locale.ROOT, "%s B copying %.2f M msg/s (Java %.2f M), zero-copy %.2f M (Java %.2f M)",
                            size, c.get().median() / 1e6, java.get().median() / 1e6, cZero.get().median() / 1e6,
                            javaZero.get().median() / 1e6));
                }
            }
            if (!cRing.isEmpty()) {
                md.append("\n\n**The same ring in C.** `jshm_ring.c` between two C processes (`ring_bench.c`, run before ")
                        .append("the Java rounds, so not at the same moments): ").append(String.join("; ", cRing))
                        .append(". The C consumer does what the Java one does, and deep in a batch it also prefetches a header's line a few records ahead, which Java cannot.");
            }
            md.append("\n\n");
        }
        if (cFutex.isPresent()) {
            md.append("**Futex wake-up.** The waiter sleeps in the kernel, so most of the latency is the kernel ")
                    .append("and the hypervisor waking an idle vCPU (C alone: p50 ").append(ns(cFutex.get()))
                    .append("). ");
            jFutex.ifPresent(j -> md.append("jshm (p50 ").append(ns(j)).append(") adds, on the waker's side, ")
                    .append("`Futex.wake`'s open, bounds and alignment checks and one JNI call before the same ")
                    .append("`FUTEX_WAKE`, and on the waiter's side the return from the JNI call; an untimed ")
                    .append("`Futex.await` reads no clock, its 50 ms slices only bound how late an interrupt is seen, ")
                    .append("and neither call allocates. Both JVMs run compiled code: the timed wake-ups follow ")
                    .append("20,000 untimed ones."));
            md.append("\n\n");
        }
    }

    // ---- the ring's targets ----------------------------------------------------------------------

    private void ringRoundTrips(Optional<Measurement> cP50) {
        for (String way : List.of("jshmRingSpin", "jshmRingFutex", "jshmRingZeroCopy")) {
            for (String op : List.of("p50", "p99")) {
                Optional<Measurement> mine = find("RoundTrip", op, "", way);
                Optional<Measurement> agrona = find("RoundTrip", op, "", "agrona");
                if (mine.isEmpty() || agrona.isEmpty()) {
                    continue;
                }
                double q = mine.get().median() / agrona.get().median();
                Placement.Pair judged = placement.compare("RoundTrip", mine.get(), agrona.get(), Summary::ns);
                target("ring round trip " + op + " no slower than Agrona (" + way + ")",
                        op + " " + ns(mine.get()) + " vs " + ns(agrona.get()) + ": " + Report.ratio(q)
                                + roundByRound(mine.get(), agrona.get()) + judged.remark(), verdict(judged, 1.0));
            }
            Optional<Measurement> p50 = find("RoundTrip", "p50", "", way);
            if (p50.isPresent() && cP50.isPresent()) {
                double q = p50.get().median() / cP50.get().median();
                Placement.Pair judged = placement.compare("RoundTrip", p50.get(), cP50.get(), Summary::ns);
                target("ring round trip p50 within 1.3× of C ping-pong (" + way + ")",
                        "p50 " + ns(p50.get()) + " vs " + ns(cP50.get()) + ": " + Report.ratio(q)
                                + roundByRound(p50.get(), cP50.get()) + judged.remark(), verdict(judged, 1.3));
            }
        }
        Optional<Measurement> small = find("RoundTrip", "p50", "", "jshmRingZeroCopy");
        Optional<Measurement> large = find("RoundTrip", "p50", "", "jshmRingZeroCopy4K");
        if (small.isPresent() && large.isPresent()) {
            double q = large.get().median() / small.get().median();
            Placement.Pair judged = placement.compare("RoundTrip", large.get(), small.get(), Summary::ns);
            target("zero-copy round trip p50 at 4 KiB within 1.3× of 32 B",
                    "p50 " + ns(large.get()) + " vs " + ns(small.get()) + ": " + Report.ratio(q)
                            + roundByRound(large.get(), small.get()) + judged.remark(), verdict(judged, 1.3));
        }
    }

    private void ringThroughput() {
        for (String size : r.params("Throughput", "oneWay")) {
            Optional<Measurement> agrona = find("Throughput", "oneWay", size, "agrona");
            Optional<Measurement> spin = find("Throughput", "oneWay", size, "jshmRingSpin");
            Optional<Measurement> zeroCopy = find("Throughput", "oneWay", size, "jshmRingZeroCopy");
            Optional<Measurement> futex = find("Throughput", "oneWay", size, "jshmRingFutex");
            rate("ring throughput ≥ Agrona (copying offer, " + size + " B)", spin, agrona, 1.0);
            rate("zero-copy ring throughput ≥ 1.3× Agrona (" + size + " B)", zeroCopy, agrona, 1.3);
            rate("futex idle strategy ≥ 0.9× spinning (" + size + " B)", futex, spin, 0.9);
        }
        for (String size : r.params("Throughput", "twoProducers")) {
            rate("two producer processes ≥ Agrona's ManyToOneRingBuffer (" + size + " B)",
                    find("Throughput", "twoProducers", size, "jshmRingMany"),
                    find("Throughput", "twoProducers", size, "agronaManyToOne"), 1.0);
        }
    }

    private void rate(String what, Optional<Measurement> mine, Optional<Measurement> base, double atLeast) {
        if (mine.isEmpty() || base.isEmpty()) {
            return;
        }
        double all = mine.get().median() / base.get().median();
        Placement.Pair judged = placement.compare(mine.get().op(), mine.get(), base.get(),
                m -> String.format(Locale.ROOT, "%.2f M msg/s", m.median() / 1e6));
        double q = judged.ratio();
        String limit = String.format(Locale.ROOT, "%.2f×", atLeast);
        target(what, String.format(Locale.ROOT, "%.2f M msg/s vs %.2f M: %s", mine.get().median() / 1e6,
                        base.get().median() / 1e6, Report.ratio(all)) + roundByRound(mine.get(), base.get()) + judged.remark(),
                !judged.atOneDistance() ? NOT_AT_ONE_DISTANCE
                        : q >= atLeast ? "**pass** (" + Report.ratio(q) + " ≥ " + limit + ")"
                        : "**miss** (" + beside(q, atLeast) + " < " + limit + ")");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * For two ways of the two-process tests, their ratio round by round: its range and its median.
     * Each way runs once per round, the ways in turn, and the distance between the two CPUs
     * changes while a run goes on ({@link Placement}: round trips of every ring at about 170 ns in
     * some rounds and 530 ns in others, one way's throughput at 25 M msg/s in one round and 7 M in
     * the next). The ratio of the medians compares the two ways' middle rounds, which need not be
     * the same round when the two drew far rounds unequally; the ratio within each round compares
     * moments close in time. Empty unless both have one sample per round of the same rounds.
     */
    private static String roundByRound(Measurement mine, Measurement base) {
        List<Double> a = mine.samples();
        List<Double> b = base.samples();
        if (a.size() != b.size() || a.size() < 2) {
            return "";
        }
        List<Double> q = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            q.add(a.get(i) / b.get(i));
        }
        Measurement ratios = new Measurement(mine.group(), mine.op(), mine.param(), "ratio", mine.jvm(), "×", q);
        return "; round by round " + Report.ratio(ratios.min()) + "–" + Report.ratio(ratios.max()) + ", median "
                + Report.ratio(ratios.median());
    }

    /**
     * The clock's step where baseline.c found it coarser than 3 ns (it cannot tell finer steps
     * apart): every latency sample, in C and in Java, falls on that grid.
     */
    private String clockStep() {
        Optional<Measurement> step = find("Clock", "step", "", "c");
        if (step.isEmpty() || step.get().median() <= 3) {
            return "";
        }
        long s = Math.round(step.get().median());
        return " The clock moves in steps of " + s + " ns here (back-to-back readings differ by multiples of it), so "
                + "every latency figure below lies on a " + s + " ns grid: two medians one step apart, such as " + 17 * s
                + " and " + 18 * s + " ns, may stand for latencies from almost equal to " + 2 * s + " ns apart.";
    }

    private Optional<Measurement> find(String group, String op, String param, String way) {
        return r.find(group, op, param, way);
    }

    private void target(String what, String measured, String verdict) {
        targets.add(new String[] {what, measured, verdict});
    }

    /**
     * The verdict of two-process ways that did not run at the same distance between the CPUs in
     * enough rounds: no target passes on a ratio that may compare a near round with a far one, so
     * the row counts as missed, and says that it was not judged.
     */
    private static final String NOT_AT_ONE_DISTANCE = "**miss** (not judged: the two ways did not run at the same "
            + "distance between the CPUs in " + Placement.MIN_ROUNDS + " rounds)";

    /** {@link #verdict(double, double)} of a two-process pair, or {@link #NOT_AT_ONE_DISTANCE}. */
    private static String verdict(Placement.Pair judged, double limit) {
        return judged.atOneDistance() ? verdict(judged.ratio(), limit) : NOT_AT_ONE_DISTANCE;
    }

    private static String verdict(double ratio, double limit) {
        String limitText = String.format(Locale.ROOT, "%.2f×", limit);
        return ratio <= limit ? "**pass** (" + Report.ratio(ratio) + " ≤ " + limitText + ")"
                : "**miss** (" + beside(ratio, limit) + " > " + limitText + ", " + pct(ratio / limit) + " over)";
    }

    /** A ratio that misses its limit, with as many decimals as it takes not to print the limit itself. */
    private static String beside(double ratio, double limit) {
        for (int decimals = 2; decimals < 8; decimals++) {
            String shown = String.format(Locale.ROOT, "%." + decimals + "f", ratio);
            if (Double.parseDouble(shown) != limit) {
                return shown + "×";
            }
        }
        return String.format(Locale.ROOT, "%.8f×", ratio);
    }

    /** How far over the limit: 1.23 becomes "23%". */
    private static String pct(double over) {
        return String.format(Locale.ROOT, "%.0f%%", (over - 1) * 100);
    }

    private static String ns(Measurement m) {
        return Report.format(m.median(), m.unit());
    }
}
