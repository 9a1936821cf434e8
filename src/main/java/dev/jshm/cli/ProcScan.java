package dev.jshm.cli;

import dev.jshm.stat.FileStat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which processes use which POSIX shared memory objects, from {@code /proc}: a process maps an
 * object when a line of {@code /proc/PID/maps} names a file in {@code /dev/shm}, and holds it
 * open when a link in {@code /proc/PID/fd} points there. Files are told apart by device and
 * inode, not by name, so an object unlinked and created again under the same name is not
 * confused with the old one that someone still maps.
 *
 * <p>Best effort by nature: processes come and go during the scan, and another user's
 * processes cannot be read without privileges. {@link #complete()} says whether every process
 * was read; this process itself is left out (it only looks).
 */
final class ProcScan {

    /** {@code start-end perms offset major:minor inode path}; the path is the rest of the line. */
    private static final Pattern MAPS_LINE = Pattern.compile(
            "\\S+\\s+\\S+\\s+\\S+\\s+([0-9a-fA-F]+):([0-9a-fA-F]+)\\s+(\\d+)\\s+(.*)");

    private record FileId(long major, long minor, long inode) {
    }

    private final Map<FileId, Set<Long>> mappers = new HashMap<>();
    private final Map<FileId, Set<Long>> holders = new HashMap<>();
    private boolean complete = true;
    private int unreadable;
    private int deniedProcesses;
    private int read;

    private ProcScan() {
    }

    /** Scans the real {@code /proc} for users of {@code /dev/shm}. */
    static ProcScan system() {
        return scan(Path.of("/proc"), Path.of("/dev/shm"), ProcessHandle.current().pid());
    }

    /**
     * Scans every {@code PID} directory of {@code proc} for maps and descriptors of files under
     * {@code shmDirectory}, leaving out {@code selfPid}. A {@code proc} that cannot be listed
     * gives an incomplete, empty scan.
     */
    static ProcScan scan(Path proc, Path shmDirectory, long selfPid) {
        ProcScan scan = new ProcScan();
        String prefix = shmDirectory.toString() + "/";
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, entry -> entry.getFileName().toString()
                .matches("[0-9]+"))) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != selfPid) {
                    int before = scan.unreadable;
                    scan.readMaps(process, pid, prefix);
                    scan.readDescriptors(process, pid, prefix);
                    if (scan.unreadable == before) {
                        scan.read++;
                    } else {
                        scan.deniedProcesses++;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            scan.complete = false;
        }
        return scan;
    }

    private void readMaps(Path process, long pid, String prefix) {
        try (BufferedReader reader = Files.newBufferedReader(process.resolve("maps"), StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Matcher m = MAPS_LINE.matcher(line);
                if (m.matches() && m.group(4).startsWith(prefix)) {
                    FileId id = new FileId(Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16),
                            Long.parseLong(m.group(3)));
                    mappers.computeIfAbsent(id, k -> new TreeSet<>()).add(pid);
                }
            }
        } catch (NoSuchFileException gone) {
            // The process ended during the scan.
        } catch (IOException | RuntimeException e) {
            denied();
        }
    }

    private void readDescriptors(Path process, long pid, String prefix) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (!Files.readSymbolicLink(fd).toString().startsWith(prefix)) {
                        continue;
                    }
                    // Following the link reaches the open file itself, even one unlinked since.
                    Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
                    long dev = ((Number) a.get("dev")).longValue();
                    FileId id = new FileId(major(dev), minor(dev), ((Number) a.get("ino")).longValue());
                    holders.computeIfAbsent(id, k -> new TreeSet<>()).add(pid);
                } catch (NoSuchFileException closed) {
                    // Closed during the scan.
                }
            }
        } catch (NoSuchFileException gone) {
            // The process ended during the scan.
        } catch (IOException | RuntimeException e) {
            denied();
        }
    }

    private void denied() {
        complete = false;
        unreadable++;
    }

    /** Whether every process could be read: if not, an object may have users this scan did not see. */
    boolean complete() {
        return complete;
    }

    /** How many processes' maps or descriptors could not be read. */
    int unreadable() {
        return deniedProcesses;
    }

    /** How many processes were read whole; 0 means the scan knows nothing (no readable /proc). */
    int read() {
        return read;
    }

    /** The processes that map the file with this {@code lstat} (in ascending order). */
    Set<Long> mappers(FileStat stat) {
        return mappers.getOrDefault(id(stat), Set.of());
    }

    /** The processes that map the file or hold it open (in ascending order). */
    Set<Long> users(FileStat stat) {
        Set<Long> all = new TreeSet<>(mappers(stat));
        all.addAll(holders.getOrDefault(id(stat), Set.of()));
        return all;
    }

    private static FileId id(FileStat stat) {
        return new FileId(major(stat.device()), minor(stat.device()), stat.inode());
    }

    /** glibc's {@code major()}: the bits of a {@code dev_t} that hold the major number. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    /** glibc's {@code minor()}. */
    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }
}
