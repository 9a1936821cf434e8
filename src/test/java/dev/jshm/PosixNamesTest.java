package dev.jshm;

import static dev.jshm.TestShm.existsNoFollow;
import static dev.jshm.TestShm.shmPath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jshm.stat.PosixObjectInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What POSIX names, sizes and objects jshm refuses, and that a refusal leaves /dev/shm (and
 * whatever was at the name) as it was.
 */
class PosixNamesTest {

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    Path tempDir;

    // ---- names --------------------------------------------------------------------------------

    /** Each bad name and the words of the rule it breaks. */
    private static Map<String, String> badNames() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "it is empty");
        bad.put("/", "nothing after the '/'");
        bad.put("/a/b", "contains a '/' after the first character (at index 2)");
        // Without the leading slash the rules are the same, and indexes are the caller's.
        bad.put("a/b", "contains a '/' after the first character (at index 1)");
        bad.put("..", "'.' and '..' are not names");
        bad.put("n".repeat(256), "256 bytes long after the '/'; at most 255");
        bad.put("/a\0b", "contains a NUL character");
        bad.put("/.", "'.' and '..' are not names");
        bad.put("/..", "'.' and '..' are not names");
        bad.put("/" + "n".repeat(256), "256 bytes long after the '/'; at most 255");
        // Bytes count, not characters: 128 two-byte characters are 256 bytes.
        bad.put("/" + "é".repeat(128), "256 bytes long after the '/'; at most 255");
        return bad;
    }

    @Test
    void badNamesAreRefusedNamingTheRule() throws IOException {
        Map<String, String> problemByRule = new LinkedHashMap<>();
        for (Map.Entry<String, String> bad : badNames().entrySet()) {
            String name = bad.getKey();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PosixSegment.validateName(name),
                    () -> "name \"" + name + "\"");
            String message = e.getMessage();
            assertTrue(message.contains(bad.getValue()), () -> "\"" + name + "\": " + message);
            assertTrue(message.startsWith("invalid POSIX shared memory name \"" + name.replace("\0", "\\0") + "\""), message);
            assertFalse(message.contains("\0"), "a NUL must not reach the message");
            String problem = message.substring(message.indexOf("\": ") + 3);
            String previous = problemByRule.putIfAbsent(bad.getValue(), problem);
            if (previous != null) {
                assertEquals(previous, problem, "one rule, one message");
            }

            // Every entry point checks the name before any system call.
            List<Consumer<String>> entryPoints = List.of(
                    n -> PosixSegment.create(n, 4096),
                    n -> PosixSegment.open(n),
                    n -> PosixSegment.open(n, Access.READ_ONLY),
                    n -> PosixSegment.builder(n),
                    PosixSegment::unlink,
                    SegmentLocator::posix,
                    n -> SegmentLocator.parse("posix:" + n));
            for (Consumer<String> entryPoint : entryPoints) {
                IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> entryPoint.accept(name));
                assertTrue(again.getMessage().contains(bad.getValue()), again.getMessage());
            }
        }
        // Each rule has its own words.
        Set<String> distinct = new HashSet<>(problemByRule.values());
        assertEquals(problemByRule.size(), distinct.size(), "messages per rule: " + problemByRule);
        assertEquals(7, problemByRule.size()); // six rules, the slash rule at two indexes
        // Refused names create nothing, not even what a C string or a path would make of them.
        for (String made : List.of("a", "b", "n".repeat(255), "é".repeat(127))) {
            assertFalse(TestShm.existsNoFollow(TestShm.SHM_DIR.resolve(made)), made);
        }
    }

    @Test
    void aNameWithoutItsSlashIsTheSameObject() {
        String name = TestShm.uniqueName();
        String bare = name.substring(1);
        assertEquals(name, PosixSegment.validateName(bare));
        assertEquals(name, SegmentLocator.posix(bare).target());
        assertEquals(name, SegmentLocator.parse("posix:" + bare).target());
        try (PosixSegment created = PosixSegment.create(shm.removeAfter(name), 4096)) {
            created.putLong(0, 42);
            // Python's multiprocessing.shared_memory reports this object as `bare`.
            try (PosixSegment opened = PosixSegment.open(bare)) {
                assertEquals(name, opened.name());
                assertEquals(42, opened.getLong(0));
            }
            assertEquals(4096, PosixObjectInfo.of(bare).stat().size());
            assertThrows(SegmentExistsException.class, () -> PosixSegment.create(bare, 4096));
            PosixSegment.unlink(bare);
        }
        assertFalse(existsNoFollow(shmPath(name)));
    }

    @Test
    void nullNameIsRefused() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> PosixSegment.validateName(null));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void nameOf255BytesWorks() {
        String prefix = TestShm.uniqueName();
        String name = shm.removeAfter(prefix + "x".repeat(256 - prefix.length()));
        assertEquals(255, name.getBytes(StandardCharsets.UTF_8).length - 1);
        assertEquals(name, PosixSegment.validateName(name));
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            segment.putLong(0, 255);
            assertTrue(existsNoFollow(shmPath(name)));
            try (PosixSegment again = PosixSegment.open(name)) {
                assertEquals(255, again.getLong(0));
            }
            segment.unlink();
        }
        assertFalse(existsNoFollow(shmPath(name)));

        // 255 bytes in two-byte characters.
        String wide = shm.removeAfter(
                prefix + "é".repeat((256 - prefix.length()) / 2) + ((256 - prefix.length()) % 2 == 1 ? "x" : ""));
        assertEquals(255, wide.getBytes(StandardCharsets.UTF_8).length - 1);
        try (PosixSegment segment = PosixSegment.create(wide, 4096)) {
            assertTrue(existsNoFollow(shmPath(wide)));
            segment.unlink();
        }
    }

    // ---- sizes ----------------------------------------------------------------------------------

    @Test
    void zeroAndNegativeSizesAreRefusedNamingTheSize() {
        String name = shm.newName();
        for (long size : new long[] {0, -1, -4096, Long.MIN_VALUE}) {
            IllegalArgumentException create = assertThrows(IllegalArgumentException.class, () -> PosixSegment.create(name, size));
            assertTrue(create.getMessage().contains("size") && create.getMessage().contains("got " + size), create.getMessage());
            assertTrue(create.getMessage().contains(name), create.getMessage());
            assertFalse(existsNoFollow(shmPath(name)), "a refused size creates nothing");
            IllegalArgumentException openOrCreate = assertThrows(IllegalArgumentException.class,
                    () -> PosixSegment.builder(name).size(size).openOrCreate().create());
            assertTrue(openOrCreate.getMessage().contains("got " + size), openOrCreate.getMessage());
            assertFalse(existsNoFollow(shmPath(name)));
        }
        try (PosixSegment existing = PosixSegment.create(name, 4096)) {
            for (long size : new long[] {0, -2}) {
                IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                        () -> PosixSegment.builder(name).size(size).open());
                assertTrue(open.getMessage().contains("got " + size), open.getMessage());
            }
            existing.unlink();
        }
    }

    @Test
    void sizeLargerThanDevShmFailsAtCreateAndLeavesNothing() throws IOException {
        FileStore store = Files.getFileStore(TestShm.SHM_DIR);
        // More than the whole file system, so tmpfs refuses at once without allocating a page.
        long asked = Math.max(store.getUsableSpace() * 2, store.getTotalSpace() + (1L << 30));
        for (boolean openOrCreate : new boolean[] {false, true}) {
            String name = shm.newName();
            PosixSegment.Builder builder = PosixSegment.builder(name).size(asked);
            if (openOrCreate) {
                builder.openOrCreate();
            }
            ShmLimitException e = assertThrows(ShmLimitException.class, builder::create);
            String message = e.getMessage();
            assertEquals(Errors.ENOSPC, e.errno(), message);
            assertTrue(message.contains("asked for " + asked + " bytes"), message);
            Matcher free = Pattern.compile("has (\\d+) bytes free").matcher(message);
            assertTrue(free.find(), message);
            assertTrue(Long.parseLong(free.group(1)) < asked, message);
            assertTrue(message.contains(name), message);
            assertFalse(existsNoFollow(shmPath(name)), "a failed create must remove the half-made object: " + message);
        }
    }

    // ---- what is at the name --------------------------------------------------------------------

    @Test
    void symbolicLinkIsNeverFollowed() throws IOException {
        String name = shm.newName();
        Path target = tempDir.resolve("target");
        byte[] content = "the link's target: must stay as it is".getBytes(StandardCharsets.UTF_8);
        Files.write(target, content);
        Path link = Files.createSymbolicLink(shmPath(name), target);

        List<Runnable> attempts = List.of(
                () -> PosixSegment.open(name),
                () -> PosixSegment.open(name, Access.READ_ONLY),
                () -> PosixSegment.builder(name).size(content.length).openOrCreate().create(),
                () -> PosixSegment.builder(name).anyOwner().open());
        for (Runnable attempt : attempts) {
            ShmPermissionException e = assertThrows(ShmPermissionException.class, attempt::run);
            assertEquals(Errors.ELOOP, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        // Exclusive create sees the name taken.
        assertThrows(SegmentExistsException.class, () -> PosixSegment.create(name, 4096));

        assertTrue(Files.isSymbolicLink(link), "the link is still there");
        assertEquals(target, Files.readSymbolicLink(link));
        assertArrayEquals(content, Files.readAllBytes(target), "the target is untouched");
    }

    @Test
    void objectOwnedBySomeoneElseIsRefusedUnlessAnyOwner() throws IOException {
        assumeTrue(TestShm.isRoot(), "giving a file to another user needs root");
        String name = shm.newName();
        Path path = shmPath(name);
        byte[] content = new byte[4096];
        content[0] = 17;
        Files.write(path, content);
        Files.setAttribute(path, "unix:uid", 65534);
        Files.setAttribute(path, "unix:gid", 65534);

        for (Runnable attempt : List.<Runnable>of(() -> PosixSegment.open(name), () -> PosixSegment.open(name, Access.READ_ONLY),
                () -> PosixSegment.builder(name).size(4096).openOrCreate().create())) {
            ShmPermissionException e = assertThrows(ShmPermissionException.class, attempt::run);
            assertTrue(e.getMessage().contains("uid 65534"), e.getMessage());
            assertTrue(e.getMessage().contains("anyOwner()"), e.getMessage());
        }
        assertTrue(existsNoFollow(path), "a refused open must not remove someone else's object");
        assertEquals(65534, Files.getAttribute(path, "unix:uid"));
        assertArrayEquals(content, Files.readAllBytes(path));

        try (PosixSegment accepted = PosixSegment.builder(name).anyOwner().open()) {
            assertEquals(4096, accepted.size());
            assertEquals(17, accepted.getByte(0));
            assertEquals(65534, accepted.stat().uid());
        }
    }

    @Test
    void directoryAtTheNameIsRefusedClearly() throws IOException {
        String name = shm.newName();
        Path dir = Files.createDirectory(shmPath(name));

        ShmException readWrite = assertThrows(ShmException.class, () -> PosixSegment.open(name));
        assertTrue(readWrite.getMessage().contains("EISDIR") || readWrite.getMessage().contains("not a regular file"),
                readWrite.getMessage());
        ShmException readOnly = assertThrows(ShmException.class, () -> PosixSegment.open(name, Access.READ_ONLY));
        assertInstanceOf(ShmInvalidArgumentException.class, readOnly, readOnly.getMessage());
        assertTrue(readOnly.getMessage().contains("not a regular file"), readOnly.getMessage());
        ShmException openOrCreate = assertThrows(ShmException.class,
                () -> PosixSegment.builder(name).size(4096).openOrCreate().create());
        assertTrue(openOrCreate.getMessage().contains("EISDIR") || openOrCreate.getMessage().contains("not a regular file"),
                openOrCreate.getMessage());
        assertThrows(SegmentExistsException.class, () -> PosixSegment.create(name, 4096));
        assertTrue(Files.isDirectory(dir), "the directory is untouched");
    }

    @Test
    void unlinkOfAMissingNameIsNotFound() {
        String name = shm.newName();
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, () -> PosixSegment.unlink(name));
        assertEquals(Errors.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains("shm_unlink(name=" + name + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());

        SegmentNotFoundException open = assertThrows(SegmentNotFoundException.class, () -> PosixSegment.open(name));
        assertEquals(Errors.ENOENT, open.errno());
        assertTrue(open.getMessage().contains("no object of that name"), open.getMessage());
    }
}
