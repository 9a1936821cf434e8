package dev.jshm.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Every measurement of one run, read from JMH's JSON and from the records JSON of the other tools. */
final class Results {

    /** The JVM whose ways carry no suffix; others are tagged "(JDK n)". */
    static final String MAIN_JVM = "17";

    private final List<Measurement> all = new ArrayList<>();
    /**
     * What JMH's GC profiler ({@code -prof gc}) measured for a benchmark, {@code gc.alloc.rate.norm}
     * in bytes per operation, under the same group, op, param and way as its time.
     */
    private final List<Measurement> allocations = new ArrayList<>();

    /** Reads a JMH result file ({@code -rf json}); a missing file adds nothing. */
    void addJmh(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        JsonArray runs;
        try (Reader reader = Files.newBufferedReader(file)) {
            runs = JsonParser.parseReader(reader).getAsJsonArray();
        }
        for (JsonElement element : runs) {
            JsonObject run = element.getAsJsonObject();
            String benchmark = run.get("benchmark").getAsString();
            String[] parts = benchmark.split("\\.");
            String group = parts[parts.length - 2].replaceFirst("Bench$", "");
            String method = parts[parts.length - 1];
            int cut = method.indexOf('_');
            String op = method.substring(0, cut);
            String way = method.substring(cut + 1);
            String jvm = run.get("jdkVersion").getAsString().replaceFirst("^(\\d+).*", "$1");
            if (!jvm.equals(MAIN_JVM)) {
                way = way + " (JDK " + jvm + ")";
            }
            String param = "";
            if (run.has("params")) {
                JsonObject params = run.getAsJsonObject("params");
                for (String name : List.of("size", "bytes")) {
                    if (params.has(name)) {
                        param = params.get(name).getAsString();
                    }
                }
            }
            JsonObject metric = run.getAsJsonObject("primaryMetric");
            List<Double> samples = new ArrayList<>();
            for (JsonElement fork : metric.getAsJsonArray("rawData")) {
                for (JsonElement iteration : fork.getAsJsonArray()) {
                    samples.add(iteration.getAsDouble());
                }
            }
            all.add(new Measurement(group, op, param, way, jvm, metric.get("scoreUnit").getAsString(), samples));
            JsonObject secondary = run.has("secondaryMetrics") ? run.getAsJsonObject("secondaryMetrics") : null;
            if (secondary != null) {
                for (String key : secondary.keySet()) {
                    // JMH 1.37 names it "gc.alloc.rate.norm"; older versions put a "·" in front.
                    if (key.replace("\u00b7", "").equals("gc.alloc.rate.norm")) {
                        JsonObject alloc = secondary.getAsJsonObject(key);
                        List<Double> bytes = new ArrayList<>();
                        for (JsonElement fork : alloc.getAsJsonArray("rawData")) {
                            for (JsonElement iteration : fork.getAsJsonArray()) {
                                bytes.add(iteration.getAsDouble());
                            }
                        }
                        allocations.add(new Measurement(group, op, param, way, jvm, "B/op", bytes));
                    }
                }
            }
        }
    }

    /** The allocation measured with {@code m} ({@code -prof gc}), if the run profiled it. */
    Optional<Measurement> allocation(Measurement m) {
        return allocations.stream().filter(a -> a.group().equals(m.group()) && a.op().equals(m.op())
                && a.param().equals(m.param()) && a.way().equals(m.way())).findFirst();
    }

    /** Every allocation figure of the run. */
    List<Measurement> allocations() {
        return allocations;
    }

    /** Reads a records file from baseline.c or the cross-process harness; a missing or empty file adds nothing. */
    void addRecords(Path file, String jvm) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return;
        }
        JsonObject root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = JsonParser.parseReader(reader).getAsJsonObject();
        }
        for (JsonElement element : root.getAsJsonArray("records")) {
            JsonObject r = element.getAsJsonObject();
            List<Double> samples = new ArrayList<>();
            r.getAsJsonArray("samples").forEach(s -> samples.add(s.getAsDouble()));
            all.add(new Measurement(r.get("group").getAsString(), r.get("op").getAsString(),
                    r.get("param").getAsString(), r.get("way").getAsString(), jvm,
                    r.get("unit").getAsString(), samples));
        }
    }

    List<Measurement> all() {
        return all;
    }

    List<Measurement> group(String group) {
        return select(m -> m.group().equals(group));
    }

    List<Measurement> select(Predicate<Measurement> filter) {
        return all.stream().filter(filter).toList();
    }

    Optional<Measurement> find(String group, String op, String param, String way) {
        return all.stream()
                .filter(m -> m.group().equals(group) && m.op().equals(op) && m.param().equals(param) && m.way().equals(way))
                .findFirst();
    }

    /** The order operations are listed in; others follow in the order first seen. */
    static final List<String> OP_ORDER = List.of(
            "getPlain", "putPlain", "getVolatile", "getAcquire", "putRelease", "putVolatile", "cas", "getAndAdd", "getAndSet",
            "getByte", "putByte", "getShort", "putShort", "getInt", "putInt", "getLong", "putLong",
            "getFloat", "putFloat", "getDouble", "putDouble",
            "emptyCall", "read8", "write8", "read", "write", "fill",
            "sysvCycle", "posixCycle", "posixReservedCycle", "fileCycle", "sysvAttach", "posixAttach", "fileAttach",
            "sysvPage", "posixPage", "filePage", "anonPage", "firstTouch", "random8", "mean", "p50", "p99", "p99.9", "oneWay");

    /** The operations of a group, in {@link #OP_ORDER}. */
    Set<String> ops(String group) {
        Set<String> ops = new LinkedHashSet<>();
        group(group).forEach(m -> ops.add(m.op()));
        List<String> sorted = new ArrayList<>(ops);
        sorted.sort(Comparator.comparingInt(op -> OP_ORDER.contains(op) ? OP_ORDER.indexOf(op) : OP_ORDER.size()));
        return new LinkedHashSet<>(sorted);
    }

    /** The parameters of a group's operation, smallest first (numeric when they are numbers). */
    List<String> params(String group, String op) {
        Set<String> params = new LinkedHashSet<>();
        group(group).stream().filter(m -> m.op().equals(op)).forEach(m -> params.add(m.param()));
        List<String> list = new ArrayList<>(params);
        list.sort((a, b) -> {
            if (a.matches("\\d+") && b.matches("\\d+")) {
                return Long.compare(Long.parseLong(a), Long.parseLong(b));
            }
            return a.compareTo(b);
        });
        return list;
    }
}
