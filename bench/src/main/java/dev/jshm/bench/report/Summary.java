package dev.jshm.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code summary.md}: the project's performance targets, each evaluated with the ratio measured in
 * this run (pass or miss, and by how much), then where the native path wins, where the Java path
 * wins, and why.
 */
final class Summary {

    private static final List<String> JSHM_COPY_WAYS = List.of("jshmSysVNative", "jshmPosixJava", "jshmPosixNative");
    private static final long MIB = 1 << 20;

    private final Results r;
    private final String mode;
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>();

    Summary(Results results, String mode) {
        this.r = results;
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

        access();
        jni();
        copies();
        crossProcess();

        StringBuilder head = new StringBuilder();
        head.append("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        for (String[] t : targets) {
            head.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }
        head.append("\n");
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
        md.append("Every 8-byte access in jshm is Java: `getLong/putLong` are `ByteBuffer` accesses on the mapping's ")
                .append("chunk after a bounds and closed check, and ordered access goes through a `VarHandle` on the ")
                .append("`asByteBuffer()` view. The JIT compiles both to one `mov` (a `lock` instruction for ")
                .append("`cas`/`getAndAdd`, `xchg` or `mov`+`mfence` for a volatile store), which is why they sit near ")
                .append("the C loop (see the `c` rows). A JNI call");
        find("Jni", "emptyCall", "", "jniPageSize").ifPresent(m -> md.append(" (").append(ns(m)).append(" here)"));
        md.append(" costs many times the access itself, so no 8-byte operation should cross into C.");
        if (worst > 1.2) {
            md.append(" The miss (").append(worstOp).append(", ").append(Report.ratio(worst))
                    .append(") is the price of jshm's per-call checks (open, bounds, chunk lookup) where the raw ")
                    .append("buffer has only the JDK's own bounds check, or noise: compare the min–max ranges in ")
                    .append("results.md, which on this 2-core VM often overlap.");
        }
        md.append(" `atomics()` (VarHandles) and `nativeAtomics()` (C11) are on the `sync` branch; ")
                .append(r.select(m -> m.way().equals("jshmAtomics")).isEmpty()
                        ? "they are not in this run because that branch has not committed its Java API yet."
                        : "their rows are in results.md.")
                .append("\n\n");
    }

    // ---- JNI -----------------------------------------------------------------------------------

    private void jni() {
        Optional<Measurement> empty = find("Jni", "emptyCall", "", "jniPageSize");
        if (empty.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        double worst = 0;
        for (String[] c : new String[][] {{"Jni", "read8", ""}, {"Jni", "write8", ""}, {"Copy", "read", "64"}, {"Copy", "write", "64"}}) {
            Optional<Measurement> jshm = find(c[0], c[1], c[2], "jshmSysVNative");
            Optional<Measurement> work = find(c[0], c[1], c[2], "cMemcpy");
            if (jshm.isEmpty() || work.isEmpty()) {
                continue;
            }
            double limit = empty.get().median() + work.get().median();
            double ratio = jshm.get().median() / limit;
            worst = Math.max(worst, ratio);
            String label = c[0].equals("Jni") ? c[1] : c[1] + " " + c[2] + " B";
            parts.add(label + " " + ns(jshm.get()) + " vs " + ns(empty.get()) + " + " + ns(work.get()) + " = "
                    + Report.ratio(ratio));
        }
        if (parts.isEmpty()) {
            return;
        }
        target("native call overhead within 1.2× of an empty JNI call plus the work (System V bulk copy vs "
                + "`Native.pageSize()` + C memcpy)", String.join("; ", parts), verdict(worst, 1.2));
        md.append("## The cost of a native call\n\n");
        md.append("A small System V `read`/`write` is the JNI call plus Java's checks plus `Get/SetByteArrayRegion` ")
                .append("(a `memcpy` after the array's own checks). ");
        if (worst > 1.2) {
            md.append("It misses the 1.2× target (worst ").append(Report.ratio(worst))
                    .append("): beyond the bare transition, each call pays the public API's work in Java (closed ")
                    .append("check, `Objects.checkFromIndexSize`, the segment's bounds check, the `reachabilityFence`) ")
                    .append("and in C (the range re-check and the array-region call, which is not inlined). ")
                    .append("The 0-byte read shows that share directly.\n\n");
        } else {
            md.append("It stays within 1.2× of a bare transition plus the copy (worst ").append(Report.ratio(worst))
                    .append("): the wrapper adds little beyond the transition itself.\n\n");
        }
    }

    // ---- copies --------------------------------------------------------------------------------

    private void copies() {
        List<String> sizes = r.params("Copy", "read");
        if (sizes.isEmpty()) {
            return;
        }
        List<String> vsJdk = new ArrayList<>();
        List<String> vsC = new ArrayList<>();
        double worstJdk = 0;
        double worstC = 0;
        StringBuilder table = new StringBuilder("| copy | size | native (SysV) | native (POSIX) | Java (POSIX) | best JDK 17 | C memcpy | faster jshm path |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (String op : List.of("read", "write")) {
            for (String size : r.params("Copy", op)) {
                Optional<Measurement> best = JSHM_COPY_WAYS.stream().map(w -> find("Copy", op, size, w))
                        .flatMap(Optional::stream).min(Comparator.comparingDouble(Measurement::median));
                Optional<Measurement> jdk = r.select(m -> m.group().equals("Copy") && m.op().equals(op) && m.param().equals(size)
                                && (m.way().equals("mappedByteBuffer") || m.way().equals("directByteBuffer")))
                        .stream().min(Comparator.comparingDouble(Measurement::median));
                Optional<Measurement> c = find("Copy", op, size, "cMemcpy");
                Optional<Measurement> sysv = find("Copy", op, size, "jshmSysVNative");
                Optional<Measurement> pn = find("Copy", op, size, "jshmPosixNative");
                Optional<Measurement> pj = find("Copy", op, size, "jshmPosixJava");
                String label = op + " " + Report.sizeLabel(size);
                if (best.isPresent() && jdk.isPresent()) {
                    double ratio = best.get().median() / jdk.get().median();
                    worstJdk = Math.max(worstJdk, ratio);
                    vsJdk.add(label + " " + Report.ratio(ratio));
                }
                if (best.isPresent() && c.isPresent() && Long.parseLong(size) >= MIB) {
                    double ratio = best.get().median() / c.get().median();
                    worstC = Math.max(worstC, ratio);
                    vsC.add(label + " " + Report.ratio(ratio));
                }
                String faster = "–";
                if (pn.isPresent() && pj.isPresent()) {
                    double q = pj.get().median() / pn.get().median();
                    faster = q > 1.05 ? "native, " + Report.ratio(q) : q < 1 / 1.05 ? "Java, " + Report.ratio(1 / q) : "tie (within 5%)";
                }
                table.append("| ").append(op).append(" | ").append(Report.sizeLabel(size)).append(" | ")
                        .append(sysv.map(Summary::ns).orElse("–")).append(" | ").append(pn.map(Summary::ns).orElse("–"))
                        .append(" | ").append(pj.map(Summary::ns).orElse("–")).append(" | ")
                        .append(jdk.map(m -> ns(m) + " (" + m.way() + ")").orElse("–")).append(" | ")
                        .append(c.map(Summary::ns).orElse("–")).append(" | ").append(faster).append(" |\n");
            }
        }
        target("bulk copies within 1.1× of the best JDK way at every size (jshm's best way per size)",
                "worst " + Report.ratio(worstJdk) + ": " + String.join(", ", vsJdk), verdict(worstJdk, 1.1));
        target("bulk copies within 1.05× of C memcpy at ≥ 1 MiB",
                vsC.isEmpty() ? "no size ≥ 1 MiB in this run" : "worst " + Report.ratio(worstC) + ": " + String.join(", ", vsC),
                vsC.isEmpty() ? "–" : verdict(worstC, 1.05));
        md.append("## Bulk copies: where native wins and where Java wins\n\n");
        md.append(table).append("\n");
        md.append("""
                The two jshm paths end in the same kind of copy: the native path is JNI \
                `Get/SetByteArrayRegion` (glibc `memcpy`), the Java path is `ByteBuffer.get/put(int, byte[], \
                int, int)`, which HotSpot turns into `Unsafe.copyMemory` (an arraycopy stub, in slices of at \
                most 1 MiB so that safepoints are not held off). What differs is the fixed cost: the Java path \
                has no transition, so it wins at small sizes where the JNI call is most of the time; from a few \
                KiB on, both are bound by memory bandwidth and the difference is within noise or goes to \
                whichever copy routine suits the size better (glibc picks non-temporal stores for very large \
                copies; the JVM's stub does not). Against C, the remaining gap at ≥ 1 MiB is the same copy \
                routine choice, plus cache effects of the Java heap array.
                """);
        if (worstJdk > 1.1) {
            md.append("\nThe 1.1× target against the best JDK way is missed (worst ").append(Report.ratio(worstJdk))
                    .append("). At the small sizes this is the fixed per-call cost of the API (closed and bounds checks, ")
                    .append("the chunk lookup, and for System V the JNI transition) against a bare buffer's bounds ")
                    .append("check; where it shows at larger sizes, compare the min–max ranges: on this shared VM ")
                    .append("single figures move by more than 10% between iterations.\n");
        }
        if (worstC > 1.05) {
            md.append("\nThe 1.05× target against C at ≥ 1 MiB is missed (worst ").append(Report.ratio(worstC))
                    .append("): see the copy routines above; both sides copy the same bytes, the difference is ")
                    .append("which instructions do it and where the destination sits in the cache.\n");
        }
        md.append("\n");
    }

    // ---- two processes -------------------------------------------------------------------------

    private void crossProcess() {
        boolean ring = !r.select(m -> m.group().equals("RoundTrip") && m.way().startsWith("jshmRing")).isEmpty();
        Optional<Measurement> cMean = find("RoundTrip", "mean", "", "cPingPong");
        Optional<Measurement> agrona = find("RoundTrip", "mean", "", "agrona");
        if (ring) {
            for (String way : List.of("jshmRingSpin", "jshmRingFutex")) {
                Optional<Measurement> mean = find("RoundTrip", "mean", "", way);
                if (mean.isEmpty() || cMean.isEmpty() || agrona.isEmpty()) {
                    continue;
                }
                double vsC = mean.get().median() / cMean.get().median();
                double vsAgrona = mean.get().median() / agrona.get().median();
                target("ring round trip mean within 1.3× of C ping-pong and no slower than Agrona (" + way + ")",
                        ns(mean.get()) + ": " + Report.ratio(vsC) + " C, " + Report.ratio(vsAgrona) + " Agrona",
                        vsC <= 1.3 && vsAgrona <= 1.0 ? "**pass**" : "**miss**");
            }
            for (String size : r.params("Throughput", "oneWay")) {
                Optional<Measurement> a = find("Throughput", "oneWay", size, "agrona");
                r.select(m -> m.group().equals("Throughput") && m.param().equals(size) && m.way().startsWith("jshmRing"))
                        .forEach(m -> a.ifPresent(base -> {
                            double q = m.median() / base.median();
                            target("ring throughput ≥ Agrona (" + m.way() + ", " + size + " B)",
                                    String.format(Locale.ROOT, "%.2f M msg/s vs %.2f M: %s", m.median() / 1e6, base.median() / 1e6, Report.ratio(q)),
                                    q >= 1.0 ? "**pass**" : "**miss** by " + pct(1 / q));
                        }));
            }
        } else {
            String proxy = "";
            Optional<Measurement> view = find("RoundTrip", "mean", "", "jshmViewPingPong");
            Optional<Measurement> viewP50 = find("RoundTrip", "p50", "", "jshmViewPingPong");
            Optional<Measurement> cP50 = find("RoundTrip", "p50", "", "cPingPong");
            if (view.isPresent() && cMean.isPresent()) {
                proxy = "; for scale, jshm's cache-line ping-pong (no ring) has mean " + ns(view.get()) + " = "
                        + Report.ratio(view.get().median() / cMean.get().median()) + " C";
                if (viewP50.isPresent() && cP50.isPresent()) {
                    proxy += ", p50 " + Report.ratio(viewP50.get().median() / cP50.get().median()) + " C";
                }
            }
            target("ring round trip mean within 1.3× of C ping-pong and no slower than Agrona",
                    "not measured: the `ring` branch has no committed `MessageRing` yet" + proxy, "not measured");
            target("ring throughput ≥ Agrona", "not measured: the `ring` branch has no committed `MessageRing` yet", "not measured");
        }
        Optional<Measurement> cFutex = find("FutexWake", "mean", "", "cFutex");
        Optional<Measurement> jFutex = find("FutexWake", "mean", "", "jshmFutex");
        if (cFutex.isPresent() && jFutex.isPresent()) {
            double q = jFutex.get().median() / cFutex.get().median();
            target("futex wake-up within 1.1× of C", ns(jFutex.get()) + " vs " + ns(cFutex.get()) + ": " + Report.ratio(q), verdict(q, 1.1));
        } else {
            target("futex wake-up within 1.1× of C", "not measured: the `sync` branch has no committed `Futex` Java API yet"
                    + cFutex.map(m -> " (C alone: mean " + ns(m) + ")").orElse(""), "not measured");
        }
        if (cMean.isPresent()) {
            md.append("## Two processes\n\n");
            md.append("Round trips are timed per message, so the mean carries the rare long stalls of a shared VM ")
                    .append("(a vCPU descheduled by the host shows as tens of microseconds), while p50 shows the cache ")
                    .append("line transfer itself. ");
            Optional<Measurement> view = find("RoundTrip", "p50", "", "jshmViewPingPong");
            Optional<Measurement> cP50 = find("RoundTrip", "p50", "", "cPingPong");
            Optional<Measurement> aP50 = find("RoundTrip", "p50", "", "agrona");
            if (view.isPresent() && cP50.isPresent()) {
                md.append("At p50, jshm's ping-pong over a segment view takes ").append(ns(view.get())).append(" against C's ")
                        .append(ns(cP50.get())).append(": the same two cache-line transfers, from Java (the loop adds ")
                        .append("a `System.nanoTime()` and a VarHandle acquire/release, which on x86 are plain loads ")
                        .append("and stores). ");
            }
            aP50.ifPresent(a -> md.append("Agrona's ring (p50 ").append(ns(a)).append(") adds the ring's header ")
                    .append("writes and reads and its tail/head counters to the same transfers. "));
            md.append("\n\n");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Optional<Measurement> find(String group, String op, String param, String way) {
        return r.find(group, op, param, way);
    }

    private void target(String what, String measured, String verdict) {
        targets.add(new String[] {what, measured, verdict});
    }

    private static String verdict(double ratio, double limit) {
        return ratio <= limit ? "**pass**" : "**miss** by " + pct(ratio / limit);
    }

    /** How far over the limit: 1.23 becomes "23%". */
    private static String pct(double over) {
        return String.format(Locale.ROOT, "%.0f%%", (over - 1) * 100);
    }

    private static String ns(Measurement m) {
        return Report.format(m.median(), m.unit());
    }
}
