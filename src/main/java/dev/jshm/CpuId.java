package dev.jshm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU as the kernel reports it in {@code /proc/cpuinfo}: its vendor ({@code vendor_id}, such
 * as {@code GenuineIntel} or {@code AuthenticAMD}) and family ({@code cpu family}), which decide
 * where a native copy starts to pay ({@link BulkCopy#copyThresholdFor}). Read once per process.
 *
 * @param vendor the first processor's {@code vendor_id}, or {@code ""} when the kernel names none
 *               (aarch64) or it cannot be read
 * @param family the first processor's {@code cpu family}, or -1 when it is missing or not a number
 */
record CpuId(String vendor, int family) {

    static final CpuId UNKNOWN = new CpuId("", -1);

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** {@return this machine's CPU, or {@link #UNKNOWN} when {@code /proc/cpuinfo} cannot be read} */
    static CpuId current() {
        try (BufferedReader in = Files.newBufferedReader(CPUINFO, StandardCharsets.US_ASCII)) {
            return parse(in);
        } catch (IOException | RuntimeException e) {
            // A CPU we cannot name keeps the default threshold: the choice is about speed only.
            return UNKNOWN;
        }
    }

    /** {@return the vendor and family of the first processor's block of a {@code /proc/cpuinfo} text} */
    static CpuId parse(BufferedReader cpuinfo) throws IOException {
        String vendor = "";
        int family = -1;
        for (String line; (line = cpuinfo.readLine()) != null && !line.isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("vendor_id")) {
                vendor = value;
            } else if (key.equals("cpu family")) {
                try {
                    family = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    family = -1;
                }
            }
        }
        return new CpuId(vendor, family);
    }
}
