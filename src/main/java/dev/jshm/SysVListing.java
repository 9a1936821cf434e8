package dev.jshm;

import dev.jshm.stat.SysVStat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the kernel's table of System V segments, {@code /proc/sysvipc/shm}, for
 * {@link SysVSegment#list()}. One header line, then one line per segment with the columns
 * {@code key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap}
 * (older kernels stop after {@code ctime}). Keys are signed decimal; perms are octal and carry
 * {@code SHM_DEST} and {@code SHM_LOCKED} as {@code IPC_STAT}'s mode does. Columns are found by
 * the header's names, not by position, so a kernel that adds columns still parses.
 */
final class SysVListing {

    static final Path PROC_SYSVIPC_SHM = Path.of("/proc/sysvipc/shm");

    private static final List<String> REQUIRED = List.of("key", "shmid", "perms", "size", "cpid", "lpid", "nattch",
            "uid", "gid", "cuid", "cgid", "atime", "dtime", "ctime");
    private static final int SHM_DEST = 01000;
    private static final int SHM_LOCKED = 02000;

    private SysVListing() {
    }

    /**
     * Every segment in {@code file}, by shmid.
     *
     * @throws ShmException if the file is missing (a kernel without {@code CONFIG_SYSVIPC}) or unreadable
     */
    static List<SysVStat> read(Path file) {
        List<String> lines = new ArrayList<>();
        // Not Files.readAllLines' size hint: /proc files report size 0.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (NoSuchFileException e) {
            throw new ShmException("list System V segments: " + file + " does not exist (a kernel without"
                    + " System V IPC, or /proc is not mounted)", "read(" + file + ")", 0, null);
        } catch (IOException e) {
            throw new ShmException("list System V segments: cannot read " + file + ": " + e, "read(" + file + ")", 0, null);
        }
        return parse(lines, file.toString());
    }

    /**
     * The segments that the lines of {@code /proc/sysvipc/shm} describe, by shmid.
     *
     * @throws IllegalStateException for text that is not that file's format
     */
    static List<SysVStat> parse(List<String> lines, String source) {
        if (lines.isEmpty()) {
            throw new IllegalStateException(source + " is empty: expected a header line");
        }
        List<String> header = List.of(lines.get(0).trim().split("\\s+"));
        int[] column = new int[REQUIRED.size()];
        for (int i = 0; i < column.length; i++) {
            column[i] = header.indexOf(REQUIRED.get(i));
            if (column[i] < 0) {
                throw new IllegalStateException(source + ": no column '" + REQUIRED.get(i) + "' in header " + header);
            }
        }
        List<SysVStat> segments = new ArrayList<>(lines.size() - 1);
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < header.size()) {
                throw new IllegalStateException(source + " line " + (n + 1) + " has " + f.length + " columns, the header "
                        + header.size() + ": " + line);
            }
            try {
                int perms = Integer.parseInt(f[column[2]], 8);
                segments.add(new SysVStat(Integer.parseInt(f[column[0]]), Integer.parseInt(f[column[1]]),
                        Long.parseLong(f[column[3]]), perms & 0777,
                        Long.parseLong(f[column[7]]), Long.parseLong(f[column[8]]),
                        Long.parseLong(f[column[9]]), Long.parseLong(f[column[10]]),
                        Long.parseLong(f[column[4]]), Long.parseLong(f[column[5]]), Long.parseLong(f[column[6]]),
                        Instant.ofEpochSecond(Long.parseLong(f[column[11]])),
                        Instant.ofEpochSecond(Long.parseLong(f[column[12]])),
                        Instant.ofEpochSecond(Long.parseLong(f[column[13]])),
                        (perms & SHM_DEST) != 0, (perms & SHM_LOCKED) != 0));
            } catch (NumberFormatException e) {
                throw new IllegalStateException(source + " line " + (n + 1) + " is not numeric where expected: " + line, e);
            }
        }
        segments.sort(Comparator.comparingInt(SysVStat::shmid));
        return segments;
    }
}
