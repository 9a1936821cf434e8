package dev.jshm.cli;

import java.io.PrintWriter;

/**
 * A progress bar on standard error for long operations:
 * {@code [##########----------]  50%  512M / 1G}. It redraws its line in place
 * ({@code \r}) at most once per percent, and ends the line when done. A disabled bar prints nothing.
 */
final class Progress {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private int shownPercent = -1;

    Progress(PrintWriter err, String label, long total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /** Shows that {@code done} of the total is done. */
    void update(long done) {
        if (!enabled) {
            return;
        }
        int percent = total == 0 ? 100 : (int) (done * 100.0 / total);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        err.print("\r" + label + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", percent) + "  " + Sizes.human(done) + " / " + Sizes.human(total));
        err.flush();
    }

    /** Ends the bar's line (after a last update to 100% if all was done). */
    void finish() {
        if (enabled && shownPercent >= 0) {
            err.println();
            err.flush();
        }
    }
}
