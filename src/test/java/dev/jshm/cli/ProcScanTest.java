package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.PosixSegment;
import dev.jshm.stat.FileStat;
import dev.jshm.stat.PosixObjectInfo;

/**
 * {@link ProcScan} on a made-up {@code /proc}: maps lines and descriptor links that point at files
 * of a made-up {@code /dev/shm}, told apart by device and inode; then on the real one.
 */
class ProcScanTest {

    @TempDir
    Path proc;

    @TempDir
    Path shm;

    @Test
    void mapsAndDescriptorsAreMatchedByDeviceAndInode() throws IOException {
        Path a = Files.write(shm.resolve("a"), new byte[4096]);
        Path b = Files.write(shm.resolve("b"), new byte[4096]);
        Path other = Files.write(proc.resolve("elsewhere"), new byte[1]);
        FileStat statA = stat(a);
        FileStat statB = stat(b);

        process(10, List.of(
                line(statA, a.toString()),
                line(statA, a.toString()), // two mappings of one object count once
                "7f0000000000-7f0000001000 r-xp 00000000 08:01 1234      /usr/lib/libc.so.6",
                "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0         [stack]"));
        process(11, List.of(line(statB, b + " (deleted)")));
        process(12, List.of());
        Files.createSymbolicLink(proc.resolve("12/fd/3"), a);
        Files.createSymbolicLink(proc.resolve("12/fd/4"), other);
        process(99, List.of(line(statA, a.toString()))); // this process: left out
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("sys"));

        ProcScan scan = ProcScan.scan(proc, shm, 99);

        assertTrue(scan.complete());
        assertEquals(3, scan.read());
        assertEquals(Set.of(10L), scan.mappers(statA));
        assertEquals(Set.of(10L, 12L), scan.users(statA));
        // An unlinked file someone still maps is matched by its inode, whatever its name shows.
        assertEquals(Set.of(11L), scan.mappers(statB));
        assertEquals(Set.of(), scan.mappers(stat(other)));
    }

    @Test
    void unreadableProcessesMakeTheScanIncomplete() throws IOException {
        assertTrue(ProcScan.scan(proc, shm, 1).complete(), "nothing to read, nothing missed");
        process(20, List.of());
        Path maps = proc.resolve("20/maps");
        Files.delete(maps);
        Files.createDirectory(maps); // reading a directory as a file fails like a refused read
        process(21, List.of());

        ProcScan scan = ProcScan.scan(proc, shm, 1);

        assertFalse(scan.complete());
        assertEquals(1, scan.unreadable());
        assertEquals(1, scan.read());
        ProcScan none = ProcScan.scan(proc.resolve("missing"), shm, 1);
        assertFalse(none.complete());
        assertEquals(0, none.read());
    }

    /** list's ATTACH for POSIX, as its help says: N, 'N+' (at least N) when some processes could not be read, '?' when none could. */
    @Test
    void attachCountsFromAnIncompleteScanAreShownAsLowerBounds() throws IOException {
        Path object = Files.write(shm.resolve("object"), new byte[4096]);
        FileStat stat = stat(object);
        PosixObjectInfo info = new PosixObjectInfo("/object", stat);
        process(30, List.of(line(stat, object.toString())));
        ProcScan complete = ProcScan.scan(proc, shm, 1);
        Inventory.Item exact = new Inventory.Item(null, info, complete.mappers(stat), complete.users(stat), complete, null);
        assertEquals("1", exact.attachmentsText());
        assertTrue(exact.attachmentsExact());

        process(31, List.of());
        Path maps = proc.resolve("31/maps");
        Files.delete(maps);
        Files.createDirectory(maps); // unreadable, as another user's process is
        ProcScan partial = ProcScan.scan(proc, shm, 1);
        Inventory.Item atLeast = new Inventory.Item(null, info, partial.mappers(stat), partial.users(stat), partial, null);
        assertEquals("1+", atLeast.attachmentsText());
        assertFalse(atLeast.attachmentsExact());

        ProcScan none = ProcScan.scan(proc.resolve("missing"), shm, 1);
        assertEquals("?", new Inventory.Item(null, info, none.mappers(stat), none.users(stat), none, null).attachmentsText());
    }

    @Test
    void deviceNumbersSplitAsGlibcDoes() {
        assertEquals(8, ProcScan.major(0x801));
        assertEquals(1, ProcScan.minor(0x801));
        for (long[] pair : new long[][] {{0, 0}, {8, 1}, {259, 3}, {0xfff, 0xff}, {0x1000, 0x100}, {0xfffff, 0xfffff},
            {0xabcde, 0x12345}}) {
            long dev = makedev(pair[0], pair[1]);
            assertEquals(pair[0], ProcScan.major(dev), Long.toHexString(dev));
            assertEquals(pair[1], ProcScan.minor(dev), Long.toHexString(dev));
        }
    }

    /** glibc's {@code makedev}. */
    private static long makedev(long major, long minor) {
        return ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
    }

    /** The real /proc: an object this JVM maps is seen in another process's scan... of this one. */
    @Test
    void theRealProcSeesThisProcessMapping() {
        String name = "/jshm-procscan-test-" + ProcessHandle.current().pid();
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            try {
                FileStat stat = PosixObjectInfo.of(name).stat();
                ProcScan scan = ProcScan.system();
                assertTrue(scan.read() > 0);
                // system() leaves this process out: look from a made-up other pid instead.
                ProcScan asOther = ProcScan.scan(Path.of("/proc"), Path.of("/dev/shm"), -1);
                assertTrue(asOther.mappers(stat).contains(ProcessHandle.current().pid()), asOther.mappers(stat).toString());
                assertFalse(scan.mappers(stat).contains(ProcessHandle.current().pid()));
            } finally {
                segment.unlink();
            }
        }
    }

    private void process(long pid, List<String> maps) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.write(dir.resolve("maps"), maps);
        Files.createDirectories(dir.resolve("fd"));
    }

    private static String line(FileStat stat, String path) {
        return String.format("7f1234560000-7f1234561000 rw-s 00000000 %02x:%02x %d                    %s",
                ProcScan.major(stat.device()), ProcScan.minor(stat.device()), stat.inode(), path);
    }

    private static FileStat stat(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino");
        return new FileStat(0, 0600, 0, 0, ((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(), 1,
                Instant.EPOCH);
    }
}
