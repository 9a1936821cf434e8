package dev.jshm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU's vendor as the kernel reports it ({@code vendor_id} in {@code /proc/cpuinfo}, such as
 * {@code GenuineIntel} or {@code AuthenticAMD}), which decides where a native copy starts to pay
 * ({@link BulkCopy#copyThresholdFor}). Read once per process.
 */
final class CpuVendor {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private CpuVendor() {
    }

    /** {@return this machine's CPU vendor, or {@code ""} when the kernel names none (aarch64) or cannot be read} */
    static String current() {
        try (BufferedReader in = Files.newBufferedReader(CPUINFO, StandardCharsets.US_ASCII)) {
            return vendorOf(in);
        } catch (IOException | RuntimeException e) {
            // A CPU we cannot name keeps the default threshold: the choice is about speed only.
            return "";
        }
    }

    /** {@return the value of the first {@code vendor_id} line of a {@code /proc/cpuinfo} text, or {@code ""}} */
    static String vendorOf(BufferedReader cpuinfo) throws IOException {
        for (String line; (line = cpuinfo.readLine()) != null; ) {
            if (line.isEmpty()) {
                return ""; // the first processor's block ended without one
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("vendor_id")) {
                return line.substring(colon + 1).strip();
            }
        }
        return "";
    }
}
