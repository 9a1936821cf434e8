package dev.jshm;

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
        try {
            return Files.readString(PROC.resolve(name), StandardCharsets.US_ASCII).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** A hint for a failed {@code shmget} create of {@code size} bytes, or null when none applies. */
    static String sysvCreateHint(long result, long size) {
        int errno = (int) -result;
        return switch (errno) {
            case Errors.EINVAL -> "the size " + size + " is below the minimum (1) or above kernel.shmmax (now "
                    + read("shmmax") + "), or a smaller segment already exists for this key; raise kernel.shmmax"
                    + " or remove the old segment";
            case Errors.ENOSPC -> "all shared memory ids are taken (kernel.shmmni, now " + read("shmmni")
                    + ") or the total would exceed kernel.shmall (now " + read("shmall")
                    + " pages); this does not mean you ran out of disk space";
            case Errors.ENOMEM -> "the kernel could not allocate " + size + " bytes for the segment"
                    + " (for huge pages, check vm.nr_hugepages); this does not mean you ran out of disk space";
            case Errors.EPERM -> "huge pages need CAP_IPC_LOCK or membership of vm.hugetlb_shm_group";
            default -> null;
        };
    }
}
