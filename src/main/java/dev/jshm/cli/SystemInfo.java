package dev.jshm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code doctor} reads from {@code /proc}: kernel limits, huge pages, resource limits and the
 * IPC namespace. Reading is best effort (null for what cannot be read); parsing is separate and
 * pure, so it is tested on fixed text.
 */
final class SystemInfo {

    /** A value larger than this is effectively unlimited (the 64-bit defaults of shmmax and shmall are near 2^64). */
    static final BigInteger UNLIMITED = BigInteger.ONE.shiftLeft(62);

    private SystemInfo() {
    }

    /** The lines of a {@code /proc} file (read line by line: such files report size 0), or null. */
    static List<String> lines(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
            return lines;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The first line of a file, trimmed, or null. */
    static String first(Path file) {
        List<String> lines = lines(file);
        return lines == null || lines.isEmpty() ? null : lines.get(0).trim();
    }

    /** A kernel number that may exceed a {@code long} ({@code shmmax} is an unsigned long), or null. */
    static BigInteger unsigned(String text) {
        if (text == null || !text.matches("[0-9]+")) {
            return null;
        }
        return new BigInteger(text);
    }

    /** {@code /proc/sys/kernel/NAME} as a number, or null. */
    static BigInteger kernel(String name) {
        return unsigned(first(Path.of("/proc/sys/kernel", name)));
    }

    /**
     * {@code /proc/meminfo} as numbers: values with a {@code kB} unit in bytes, others as they are
     * ({@code HugePages_Total} is a count).
     */
    static Map<String, Long> meminfo(List<String> lines) {
        Map<String, Long> values = new LinkedHashMap<>();
        if (lines == null) {
            return values;
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] parts = line.substring(colon + 1).trim().split("\\s+");
            try {
                long value = Long.parseLong(parts[0]);
                values.put(line.substring(0, colon).trim(), parts.length > 1 && parts[1].equals("kB") ? value * 1024 : value);
            } catch (NumberFormatException e) {
                // Not a number: not a field doctor uses.
            }
        }
        return values;
    }

    /**
     * The soft and hard limits of a {@code /proc/PID/limits} line ({@code Max locked memory}),
     * -1 for unlimited; null if the line is missing.
     */
    static long[] limit(List<String> lines, String name) {
        if (lines == null) {
            return null;
        }
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                if (parts.length >= 2) {
                    return new long[] {limitValue(parts[0]), limitValue(parts[1])};
                }
            }
        }
        return null;
    }

    private static long limitValue(String text) {
        return text.equals("unlimited") ? -1 : Long.parseLong(text);
    }

    /** The kernel's page size: {@code KernelPageSize} of this process's first mapping, or 4096. */
    static long pageSize() {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/self/smaps"), StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("KernelPageSize:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 4096;
    }

    /** Where {@code /proc/self/ns/ipc} points, such as {@code ipc:[4026531839]}, or null. */
    static String ipcNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
