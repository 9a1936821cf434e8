package dev.jshm.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Kernel times for people (local, to the second) and for JSON (ISO-8601 UTC); the kernel's 0
 * ({@link Instant#EPOCH}) means "never".
 */
final class Times {

    static final String NEVER = "never";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Times() {
    }

    /** {@code 2026-11-27 13:20:01} in this machine's zone, or {@code never}. */
    static String human(Instant instant) {
        return instant == null || Instant.EPOCH.equals(instant) ? NEVER : LOCAL.format(instant);
    }

    /** {@code 2026-11-27T13:20:01+01:00}: ISO-8601 in this machine's zone, or {@code never}. */
    static String detailed(Instant instant) {
        return instant == null || Instant.EPOCH.equals(instant) ? NEVER
                : OffsetDateTime.ofInstant(instant, ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** {@code 2026-11-27T12:20:01Z}, or null for never. */
    static String json(Instant instant) {
        return instant == null || Instant.EPOCH.equals(instant) ? null : instant.toString();
    }
}
