package dev.jshm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The names closest to a mistyped one, for "did you mean": by the number of single-character
 * edits (insert, delete, replace, swap two neighbours) between them, as git's and cargo's
 * suggestions are chosen, with a typed prefix of one name counting as a match.
 */
final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidates nearest to {@code typed}, best first and at most three: those within a third
     * of the longer name's length in edits (at least one edit), or that {@code typed} begins.
     */
    static List<String> closest(String typed, List<String> candidates) {
        int best = Integer.MAX_VALUE;
        List<String> nearest = new ArrayList<>();
        for (String candidate : candidates) {
            int distance = candidate.startsWith(typed) && typed.length() >= 2 ? 0 : distance(typed, candidate);
            int allowed = Math.max(1, Math.max(typed.length(), candidate.length()) / 3);
            if (distance > allowed || distance > best || nearest.contains(candidate)) {
                continue;
            }
            if (distance < best) {
                best = distance;
                nearest.clear();
            }
            nearest.add(candidate);
        }
        return nearest.size() > 3 ? nearest.subList(0, 3) : nearest;
    }

    /** The optimal string alignment distance: Levenshtein's edits plus swapping two neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
