package dev.jshm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's System V shared memory limits, read from {@code /proc/sys/kernel/shm*} when an
 * error needs explaining (never on a success path). The hints follow PostgreSQL's: say which
 * limit, its current value, and what to change.
 */
final class KernelLimits {

    private static final Path PROC = Path.of("/proc/sys/kernel");

    private KernelLimits() {
    }

    /** The value of {@code /proc/sys/kernel/<name>}, or null when it cannot be read. */
    static String read(String name) {
        return firstLine(PROC.resolve(name));
    }

    /**
     * The first line of a {@code /proc} file. Not {@code Files.readString}: {@code /proc} files
     * report size 0, and JDK 17 then reads a single byte.
     */
    static String firstLine(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line = reader.readLine();
            return line == null ? null : line.trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The default huge page size in bytes ({@code Hugepagesize} in /proc/meminfo), or 2 MiB if unknown. */
    static long hugePageSize() {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("Hugepagesize:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the x86_64 default
        }
        return 2L << 20;
    }

    /**
     * Every huge page size the kernel supports, smallest first (from
     * {@code /sys/kernel/mm/hugepages/hugepages-<n>kB}); the default size alone if that cannot
     * be read. Only asked when the kernel refuses to split a mapping, never on a success path.
     */
    static long[] hugePageSizes() {
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/sys/kernel/mm/hugepages"))) {
            long[] sizes = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("hugepages-") && n.endsWith("kB"))
                    .mapToLong(n -> Long.parseLong(n.substring("hugepages-".length(), n.length() - 2)) * 1024)
                    .sorted().toArray();
            if (sizes.length > 0) {
                return sizes;
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the default size
        }
        return new long[] {hugePageSize()};
    }

    /**
     * A hint for a failed {@code shmget} create of {@code size} bytes, with huge pages if
     * {@code hugePages}, or null when none applies. Each hint speaks only of what was asked for.
     */
    static String sysvCreateHint(long result, long size, boolean hugePages) {
        int errno = (int) -result;
        return switch (errno) {
            case Errors.EINVAL -> "the size " + size + " is below the minimum (1) or above kernel.shmmax (now "
                    + read("shmmax") + "), or a smaller segment already exists for this key; raise kernel.shmmax"
                    + " or remove the old segment";
            case Errors.ENOSPC -> "all shared memory ids are taken (kernel.shmmni, now " + read("shmmni")
                    + ") or the total would exceed kernel.shmall (now " + read("shmall")
                    + " pages); this does not mean you ran out of disk space";
            case Errors.ENOMEM -> hugePages
                    ? "the kernel could not reserve " + size + " bytes of huge pages: vm.nr_hugepages is now "
                            + firstLine(Path.of("/proc/sys/vm/nr_hugepages")) + " (pages of " + hugePageSize()
                            + " bytes), and the free ones must cover the segment; this does not mean you ran out of"
                            + " disk space"
                    : "the kernel could not commit " + size + " bytes for the segment: more than the memory and swap"
                            + " it may promise (vm.overcommit_memory is now "
                            + firstLine(Path.of("/proc/sys/vm/overcommit_memory")) + "); this does not mean you ran out"
                            + " of disk space";
            case Errors.EPERM -> hugePages ? "huge pages need CAP_IPC_LOCK or membership of vm.hugetlb_shm_group" : null;
            default -> null;
        };
    }
}
