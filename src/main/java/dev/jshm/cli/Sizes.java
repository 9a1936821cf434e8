package dev.jshm.cli;

import java.util.Locale;

/** Byte counts for people: {@code 512 B}, {@code 4.0 KiB}, {@code 1.5 GiB} (binary units, one decimal). */
final class Sizes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    /** {@code bytes} in the largest binary unit that keeps the number at least 1; exact below 1 KiB. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        // 1023.96 KiB rounds to "1024.0 KiB": say 1.0 MiB instead.
        if (Math.round(value * 10) >= 10240 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
