package dev.jshm.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One figure of the report: an operation done one way, with every sample the run produced (one
 * per JMH iteration of every fork, or one per repetition of a C or cross-process test).
 *
 * @param group   the benchmark class without "Bench" ({@code Copy}), or the C test's group
 * @param op      the operation ({@code read}, {@code getPlain}, {@code p99})
 * @param param   the size in bytes, or "" when the operation has none
 * @param way     how it was done ({@code jshmSysVNative}, {@code cMemcpy}); the JDK is appended
 *                when it is not the main one, as in {@code ffmMapped (JDK 25)}
 * @param jvm     the JVM's major version, or "C"
 * @param unit    {@code ns/op}, {@code ns} or {@code msg/s}
 * @param samples every sample, unsorted
 */
record Measurement(String group, String op, String param, String way, String jvm, String unit, List<Double> samples) {

    Measurement {
        samples = List.copyOf(samples);
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples for " + group + "." + op + "_" + way);
        }
    }

    double median() {
        List<Double> sorted = sorted();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        List<Double> sorted = sorted();
        return sorted.get(sorted.size() - 1);
    }

    /** Whether a larger number is better (a rate) rather than worse (a time). */
    boolean higherIsBetter() {
        return unit.endsWith("/s");
    }

    private List<Double> sorted() {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return sorted;
    }
}
