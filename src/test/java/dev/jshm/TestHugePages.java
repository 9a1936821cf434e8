package dev.jshm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Huge pages for a test class, reserved for real and given back: raises {@code vm.nr_hugepages}
 * by what the class needs and mounts a hugetlbfs on a fresh directory; {@link #close()} unmounts
 * it and restores the setting, also after a failure. Needs root; {@link #unavailable()} says why
 * a machine cannot, so the caller can skip with that reason.
 *
 * <p>The setting is machine-wide: the class holds the pages only for the seconds its tests run.
 */
final class TestHugePages implements AutoCloseable {

    static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");

    /** The default huge page size, in bytes. */
    final long size;
    /** The hugetlbfs mount, or null when none could be made. */
    final Path mount;
    private final long previous;
    private final String unavailable;

    private TestHugePages(long size, Path mount, long previous, String unavailable) {
        this.size = size;
        this.mount = mount;
        this.previous = previous;
        this.unavailable = unavailable;
    }

    /** Reserves {@code pages} more huge pages of the default size and mounts a hugetlbfs. */
    static TestHugePages reserve(int pages) throws IOException, InterruptedException {
        long size = KernelLimits.hugePageSize();
        if (Native.geteuid() != 0) {
            return new TestHugePages(size, null, -1, "reserving huge pages (vm.nr_hugepages) and mounting hugetlbfs need root;"
                    + " this runs as uid " + Native.geteuid());
        }
        if (!Files.isWritable(NR_HUGEPAGES)) {
            return new TestHugePages(size, null, -1, NR_HUGEPAGES + " is not writable here (a container without it?)");
        }
        long previous = Long.parseLong(Files.readString(NR_HUGEPAGES).trim());
        long freeBefore = meminfo("HugePages_Free");
        Files.writeString(NR_HUGEPAGES, Long.toString(previous + pages));
        long gained = meminfo("HugePages_Free") - freeBefore;
        TestHugePages partial = new TestHugePages(size, null, previous, null);
        if (gained < pages) {
            partial.close();
            return new TestHugePages(size, null, -1, "the kernel reserved only " + gained + " of " + pages
                    + " huge pages of " + size + " bytes (memory too short or too fragmented)");
        }
        Path mount = Files.createTempDirectory("jshm-hugetlbfs-");
        TestHugePages reserved = new TestHugePages(size, mount, previous, null);
        String failure = run("mount", "-t", "hugetlbfs", "-o", "mode=0700,pagesize=" + (size >> 10) + "K", "none", mount.toString());
        if (failure != null) {
            Files.deleteIfExists(mount);
            partial.close();
            return new TestHugePages(size, null, -1, "mount -t hugetlbfs failed: " + failure);
        }
        return reserved;
    }

    /** Why huge pages cannot be tested here, or null when they can. */
    String unavailable() {
        return unavailable;
    }

    /** {@code HugePages_Free} (or another count) from /proc/meminfo. */
    static long meminfo(String field) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        }
        throw new IOException("no " + field + " in /proc/meminfo");
    }

    /**
     * The mapping of this process that holds {@code address}, as /proc/self/smaps shows it: its
     * range, its name and its {@code KernelPageSize} in bytes.
     */
    record Vma(long start, long end, String name, long kernelPageSize) {
    }

    static Vma vmaOf(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"), StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            String[] head = lines.get(i).split("\\s+", 6);
            if (head.length < 5 || !head[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                continue;
            }
            String[] range = head[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, start) < 0 || Long.compareUnsigned(address, end) >= 0) {
                continue;
            }
            for (int j = i + 1; j < lines.size() && !lines.get(j).matches("^[0-9a-f]+-[0-9a-f]+ .*"); j++) {
                if (lines.get(j).startsWith("KernelPageSize:")) {
                    long kib = Long.parseLong(lines.get(j).replaceAll("[^0-9]", ""));
                    return new Vma(start, end, head.length > 5 ? head[5].trim() : "", kib * 1024);
                }
            }
        }
        throw new IOException("no mapping holds 0x" + Long.toHexString(address));
    }

    /** Unmounts the hugetlbfs and restores vm.nr_hugepages; throws if the mount is still busy. */
    @Override
    public void close() throws IOException, InterruptedException {
        String failure = null;
        if (mount != null) {
            failure = run("umount", mount.toString());
            if (failure != null) {
                // Leave nothing mounted behind: detach it now, the kernel frees it when the holder goes.
                run("umount", "-l", mount.toString());
            }
            Files.deleteIfExists(mount);
        }
        if (previous >= 0) {
            Files.writeString(NR_HUGEPAGES, Long.toString(previous));
        }
        if (failure != null) {
            throw new IOException("umount " + mount + " failed (a mapping or descriptor still holds it?): " + failure);
        }
    }

    /** Runs a command; null when it succeeded, else its exit status and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timed out";
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output;
    }
}
