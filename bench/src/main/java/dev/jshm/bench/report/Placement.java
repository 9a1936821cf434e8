package dev.jshm.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where the two pinned CPUs were while each two-process way ran. A cache line takes one of a
 * few times between the two pinned vCPUs, each held for seconds, as when the host moves them
 * between its cores: on the AMD EPYC VMs of docs/bench a C ping-pong's round trip took
 * about 90 ns, 120-150 ns or 440-570 ns, switching from one to another while a round runs (the
 * five repetitions of one ping-pong run read 481, 501, 140, 140 and 140 ns). Every way of a round
 * meets the same switches, but not at the same moments, so two ways' medians over the rounds can
 * compare one that ran near with one that ran far (Agrona's round trip at 521 ns against jshm's
 * at 201 ns).
 *
 * <p>The harness probes the distance just before and just after each way (baseline.c's
 * {@code probe}, a few milliseconds: groups {@code PlacementBefore} and {@code PlacementAfter},
 * op = the measured group or op, param and way as measured). The probes of the whole run fall
 * into levels (sorted, a new level where one is more than {@link #LEVEL_STEP} times the one
 * below); a way's run has the level of its two probes when they share one, and none when the
 * distance changed while it ran. Two ways are compared over the rounds in which both ran at one
 * level, the level they shared in the most rounds, when there are at least {@link #MIN_ROUNDS};
 * otherwise over every round, and the row says that the ratio may compare different distances:
 * such a ratio decides no target ({@link Pair#atOneDistance}).
 */
final class Placement {

    /** Probes more than this many times apart are at different levels. */
    static final double LEVEL_STEP = 1.25;
    /** Fewer rounds at the same level than this, and every round judges. */
    static final int MIN_ROUNDS = 2;

    private final Results r;
    /** The lowest probe of each level, ascending; empty when the run has no probes. */
    private final List<Double> levels = new ArrayList<>();
    /** Every probe of the run. */
    private final TreeSet<Double> probes = new TreeSet<>();

    Placement(Results results) {
        this.r = results;
        for (String group : List.of("PlacementBefore", "PlacementAfter")) {
            results.group(group).forEach(m -> probes.addAll(m.samples()));
        }
        double below = Double.NaN;
        for (double p : probes) {
            if (Double.isNaN(below) || p > LEVEL_STEP * below) {
                levels.add(p);
            }
            below = p;
        }
    }

    /**
     * Two ways and what judges them.
     *
     * @param mine   the judged way: every round, or the rounds where both ran at the same distance
     * @param base   the same for the baseline
     * @param remark what the row adds about placement ("" when the run has no probes)
     * @param atOneDistance false when the two ways shared a distance in fewer than
     *               {@link #MIN_ROUNDS} rounds, so that their ratio may compare a way that ran
     *               near with one that ran far (in one run here, 2.17× Agrona's rate on all
     *               rounds, at most one round at the same distance); true otherwise, and when the
     *               run has no probes
     */
    record Pair(Measurement mine, Measurement base, String remark, boolean atOneDistance) {
        double ratio() {
            return mine.median() / base.median();
        }
    }

    /**
     * {@code mine} against {@code base}, two ways of the group or op {@code placementOp};
     * {@code show} prints a median for the remark.
     */
    Pair compare(String placementOp, Measurement mine, Measurement base, Function<Measurement, String> show) {
        int rounds = mine.samples().size();
        int[] a = levels(placementOp, mine, rounds);
        int[] b = levels(placementOp, base, rounds);
        if (a == null || b == null || base.samples().size() != rounds) {
            return new Pair(mine, base, "", true);
        }
        // The level at which both ran in the most rounds (the nearer of two that tie): a median
        // over rounds at different levels would again mix distances.
        int[] count = new int[levels.size()];
        for (int i = 0; i < rounds; i++) {
            if (a[i] >= 0 && a[i] == b[i]) {
                count[a[i]]++;
            }
        }
        int level = 0;
        for (int l = 1; l < count.length; l++) {
            if (count[l] > count[level]) {
                level = l;
            }
        }
        int same = count.length == 0 ? 0 : count[level];
        if (same < MIN_ROUNDS) {
            return new Pair(mine, base, "; both at the same distance between the CPUs in at most " + same + " of "
                    + rounds + " rounds: the ratio over all rounds may compare different distances", false);
        }
        String where = "the CPUs at the same distance (probes " + levelText(level) + ")";
        if (same == rounds) {
            return new Pair(mine, base, "; both with " + where + " in every round", true);
        }
        List<Double> mineSame = new ArrayList<>();
        List<Double> baseSame = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            if (a[i] == level && b[i] == level) {
                mineSame.add(mine.samples().get(i));
                baseSame.add(base.samples().get(i));
            }
        }
        Measurement m = subset(mine, mineSame);
        Measurement b2 = subset(base, baseSame);
        return new Pair(m, b2, "; judged on the " + mineSame.size() + " of " + rounds + " rounds in which both ran with "
                + where + ": " + show.apply(m) + " vs " + show.apply(b2) + ", " + Report.ratio(m.median() / b2.median()), true);
    }

    /**
     * The probes of every two-process way, round by round ("before / after", ns), for
     * results.md; empty when the run has none.
     */
    String markdown() {
        List<Measurement> before = r.group("PlacementBefore");
        if (before.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Where the two CPUs were (`Placement`)\n\n");
        md.append("The p50 of a C cache-line ping-pong between the two pinned CPUs (baseline.c's `probe`, 20,000 round ")
                .append("trips) just before and just after each two-process way, round by round, in ns. The probes of the ")
                .append("run fall into levels (a new level where a probe is more than ").append(LEVEL_STEP)
                .append(" times the one below): ").append(levelsText(", "));
        md.append(". A way's run has a level when its two probes share one; the summary compares two ways over the ")
                .append("rounds in which both ran at the level they shared most often.\n\n");
        md.append("| test | size | way | before / after, each round |\n|---|---:|---|---|\n");
        for (Measurement b : before) {
            Optional<Measurement> a = r.find("PlacementAfter", b.op(), b.param(), b.way());
            md.append("| ").append(b.op()).append(" | ").append(b.param().isEmpty() ? "–" : b.param()).append(" | ")
                    .append(b.way()).append(" | ");
            for (int i = 0; i < b.samples().size(); i++) {
                md.append(i == 0 ? "" : ", ").append(Math.round(b.samples().get(i))).append(" / ")
                        .append(a.isPresent() && i < a.get().samples().size() ? Long.toString(Math.round(a.get().samples().get(i))) : "–");
            }
            md.append(" |\n");
        }
        return md.append("\n").toString();
    }

    /**
     * The run's levels, each as its lowest probe or its range ("90 ns, 121 ns–150 ns"), joined
     * by {@code separator}; empty when the run has no probes.
     */
    String levelsText(String separator) {
        StringBuilder text = new StringBuilder();
        for (int l = 0; l < levels.size(); l++) {
            text.append(l == 0 ? "" : separator).append(levelText(l));
        }
        return text.toString();
    }

    /** One level: its lowest probe, or its range when its probes differ ("121 ns–150 ns"). */
    private String levelText(int level) {
        return Report.format(levels.get(level), "ns") + (top(level) > levels.get(level) ? "–" + Report.format(top(level), "ns") : "");
    }

    /** The level of each round's run of {@code way} (-1: none), or null when it has no probes. */
    private int[] levels(String placementOp, Measurement way, int rounds) {
        Optional<Measurement> before = r.find("PlacementBefore", placementOp, way.param(), way.way());
        Optional<Measurement> after = r.find("PlacementAfter", placementOp, way.param(), way.way());
        if (before.isEmpty() || after.isEmpty() || before.get().samples().size() != rounds
                || after.get().samples().size() != rounds) {
            return null;
        }
        int[] out = new int[rounds];
        for (int i = 0; i < rounds; i++) {
            int l = level(before.get().samples().get(i));
            out[i] = l == level(after.get().samples().get(i)) ? l : -1;
        }
        return out;
    }

    /** The highest probe at {@code level}. */
    private double top(int level) {
        return level + 1 < levels.size() ? probes.lower(levels.get(level + 1)) : probes.last();
    }

    private int level(double probe) {
        int l = -1;
        for (int i = 0; i < levels.size() && levels.get(i) <= probe; i++) {
            l = i;
        }
        return l;
    }

    private static Measurement subset(Measurement m, List<Double> samples) {
        return new Measurement(m.group(), m.op(), m.param(), m.way(), m.jvm(), m.unit(), samples);
    }
}
