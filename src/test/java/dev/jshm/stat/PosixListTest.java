package dev.jshm.stat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.stat.SysVStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PosixSegment#list()} and {@link PosixObjectInfo#of}: the regular files of {@code /dev/shm}
 * as objects, checked against {@code ls -ln} and against the objects' own {@code fstat}.
 */
class PosixListTest {

    private final String prefix = "jshm-list-test-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
    private final List<Segment> open = new ArrayList<>();
    private final List<Path> made = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void removeObjects() throws IOException {
        for (Segment segment : open) {
            segment.close();
        }
        try (var entries = Files.newDirectoryStream(PosixObjectInfo.DIRECTORY, prefix + "*")) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        }
        for (Path path : made) {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void onlyRegularFilesAreObjectsAndLinksAreNotFollowed() throws IOException {
        Files.write(dir.resolve("b"), new byte[10]);
        Files.write(dir.resolve("a"), new byte[3]);
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a"));
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));

        List<PosixObjectInfo> list = PosixObjectInfo.list(dir);

        assertEquals(List.of("/a", "/b"), list.stream().map(PosixObjectInfo::name).toList());
        assertEquals(3, list.get(0).stat().size());
        assertEquals(10, list.get(1).stat().size());
        assertEquals(1, list.get(0).stat().links());
    }

    @Test
    void anUnreadableDirectoryIsAShmException() {
        ShmException e = assertThrows(ShmException.class, () -> PosixObjectInfo.list(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("cannot read " + dir.resolve("missing")), e.getMessage());
    }

    @Test
    void objectsRemovedDuringTheListingAreLeftOut() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            files.add(Files.write(dir.resolve("f" + i), new byte[1]));
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread remover = new Thread(() -> {
            for (Path file : files) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
            done.set(true);
        });
        remover.start();
        int listings = 0;
        while (!done.get() || listings == 0) {
            for (PosixObjectInfo object : PosixObjectInfo.list(dir)) {
                assertTrue(object.name().matches("/f\\d+"), object.name());
            }
            listings++;
        }
        remover.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(List.of(), PosixObjectInfo.list(dir));
    }

    /** The real /dev/shm: this test's objects appear as ls -ln shows them and as fstat sees them. */
    @Test
    void listAgreesWithLsAndFstat() throws Exception {
        PosixSegment small = track(PosixSegment.create("/" + prefix + "small", 100));
        PosixSegment shared = track(PosixSegment.builder("/" + prefix + "shared").size(3 * 4096 + 5).mode(0644).create());
        PosixSegment.unlink("/" + prefix + "shared"); // unlinked while mapped: gone from the directory
        PosixSegment big = track(PosixSegment.builder("/" + prefix + "big").size(1 << 20).mode(0640).create());
        Path link = PosixObjectInfo.DIRECTORY.resolve(prefix + "link");
        made.add(Files.createSymbolicLink(link, Path.of("/dev/shm" + big.name())));

        Map<String, PosixObjectInfo> listed = new HashMap<>();
        for (PosixObjectInfo object : PosixSegment.list()) {
            listed.put(object.name(), object);
        }
        Map<String, String[]> ls = lsRows();

        assertFalse(listed.containsKey(shared.name()), "unlinked");
        assertFalse(listed.containsKey("/" + prefix + "link"), "a symbolic link is no object");
        assertTrue(ls.containsKey(prefix + "link"), "ls shows the link");
        for (PosixSegment segment : List.of(small, big)) {
            PosixObjectInfo object = listed.get(segment.name());
            assertNotNull(object, segment.name() + " in " + listed.keySet());
            assertEquals(segment.stat(), object.stat(), segment.name());
            assertEquals(object, PosixObjectInfo.of(segment.name()));
            assertEquals(Path.of("/dev/shm" + segment.name()), object.path());
            String[] row = ls.get(segment.name().substring(1));
            assertEquals('-', row[0].charAt(0), "a regular file: " + String.join(" ", row));
            assertEquals(permissions(object.stat().mode()), row[0].substring(1, 10), segment.name());
            assertEquals(Long.toString(object.stat().uid()), row[2], segment.name());
            assertEquals(Long.toString(object.stat().gid()), row[3], segment.name());
            assertEquals(Long.toString(object.stat().size()), row[4], segment.name());
        }
        assertEquals(100, listed.get(small.name()).stat().size());
        assertEquals(0600, listed.get(small.name()).stat().mode());
        assertEquals(0640, listed.get(big.name()).stat().mode());
    }

    @Test
    void ofAMissingNameOrALinkIsNotFound() throws IOException {
        SegmentNotFoundException missing = assertThrows(SegmentNotFoundException.class,
                () -> PosixObjectInfo.of("/" + prefix + "missing"));
        assertTrue(missing.getMessage().contains("ENOENT"), missing.getMessage());
        Path target = Files.write(PosixObjectInfo.DIRECTORY.resolve(prefix + "target"), new byte[8]);
        made.add(target);
        made.add(Files.createSymbolicLink(PosixObjectInfo.DIRECTORY.resolve(prefix + "alias"), target));
        assertThrows(SegmentNotFoundException.class, () -> PosixObjectInfo.of("/" + prefix + "alias"));
        assertEquals(8, PosixObjectInfo.of("/" + prefix + "target").stat().size());
        // Python's spelling of the same name, without the slash.
        assertEquals(8, PosixObjectInfo.of(prefix + "target").stat().size());
        assertEquals("/" + prefix + "target", PosixObjectInfo.of(prefix + "target").name(), "reported with its slash");
        assertThrows(IllegalArgumentException.class, () -> PosixObjectInfo.of("two/parts"));
    }

    private PosixSegment track(PosixSegment segment) {
        open.add(segment);
        return segment;
    }

    private static String permissions(int mode) {
        return new SysVStat(0, 0, 0, mode, 0, 0, 0, 0, 0, 0, 0, null, null, null, false, false).permissions();
    }

    /** {@code ls -ln /dev/shm} rows by file name: mode, links, uid, gid, size, ... */
    private static Map<String, String[]> lsRows() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("ls", "-ln", "--time-style=+%s", PosixObjectInfo.DIRECTORY.toString())
                .redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ls did not finish");
        Map<String, String[]> rows = new HashMap<>();
        for (String line : output.lines().toList()) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 7) {
                // mode links uid gid size mtime name [-> target]
                rows.put(columns[6], columns);
            }
        }
        return rows;
    }
}
