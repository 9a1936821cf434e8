package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * POSIX shared memory in the tests, and who this process is: unique object names under a
 * prefix of this test run, cleanup that works on whatever a test left at a name (object,
 * symlink, directory), the check that a test class left nothing in /dev/shm, and this
 * process's ids, root-ness and umask from {@code /proc/self/status}.
 *
 * <p>Public for the ring tests in {@code dev.jshm.ring}.
 */
public final class TestShm {

    static final Path SHM_DIR = Path.of("/dev/shm");
    /** Every name a test creates starts with this, so leftovers are easy to find. */
    static final String PREFIX = "jshm-test-";
    /**
     * This JVM's names also carry its pid: several suites (other checkouts) may run at once, and
     * the leak check must only blame this one for what it left.
     */
    static final String RUN_PREFIX = PREFIX + ProcessHandle.current().pid() + "-";

    private TestShm() {
    }

    // ---- names -------------------------------------------------------------------------------

    /** A fresh POSIX name, such as {@code /jshm-test-1234-5f3a9c0e1b2d}. */
    public static String uniqueName() {
        return "/" + RUN_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    static Path shmPath(String name) {
        return SHM_DIR.resolve(name.substring(1));
    }

    /** Removes whatever is at the name (object, symlink or empty directory), never following a link. */
    static void removeQuietly(String name) {
        Path path = shmPath(name);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cleanup of " + path + " failed", e);
        }
    }

    static boolean existsNoFollow(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** The entries of every test run in /dev/shm. */
    static List<String> leftovers() throws IOException {
        try (Stream<Path> entries = Files.list(SHM_DIR)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).sorted().toList();
        }
    }

    /**
     * Fails if this JVM left anything in /dev/shm. Entries of other suites running at the same
     * time (another pid in the name) are reported in the message but not blamed.
     */
    static void assertNothingLeftInDevShm() throws IOException {
        List<String> all = leftovers();
        List<String> ours = all.stream().filter(n -> n.startsWith(RUN_PREFIX)).toList();
        assertEquals(List.of(), ours, "this test run left objects in /dev/shm (all jshm-test- entries: " + all + ")");
    }

    /**
     * What the tests of a class make in shared memory, for a {@code static} field with
     * {@code @RegisterExtension}: the names it hands out (or is given) and the segments it
     * tracks. After each test it closes the segments, then removes whatever is at the names;
     * after the class it fails if this JVM left anything in /dev/shm.
     */
    public static final class Objects implements AfterEachCallback, AfterAllCallback {

        private final List<String> names = new ArrayList<>();
        private final List<Segment> segments = new ArrayList<>();

        public Objects() {
        }

        /** A fresh name, removed after the test. */
        public String newName() {
            return removeAfter(uniqueName());
        }

        /** Removes whatever is at {@code name} after the test; returns the name. */
        public String removeAfter(String name) {
            names.add(name);
            return name;
        }

        /** Closes the segment after the test; returns it. */
        public <S extends Segment> S track(S segment) {
            segments.add(segment);
            return segment;
        }

        /** A new POSIX object of {@code size} bytes with a fresh name, closed and removed after the test. */
        public PosixSegment create(long size) {
            return track(PosixSegment.create(newName(), size));
        }

        @Override
        public void afterEach(ExtensionContext context) {
            try {
                segments.forEach(Segment::close);
            } finally {
                segments.clear();
                try {
                    names.forEach(TestShm::removeQuietly);
                } finally {
                    names.clear();
                }
            }
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            assertNothingLeftInDevShm();
        }
    }

    // ---- this process --------------------------------------------------------------------------

    /** This process's effective user id, from {@code /proc/self/status}. */
    static long euid() {
        return idColumn(procStatus("Uid"));
    }

    /** This process's effective group id, from {@code /proc/self/status}. */
    static long egid() {
        return idColumn(procStatus("Gid"));
    }

    static boolean isRoot() {
        return euid() == 0;
    }

    /** The value of a {@code Name:  value kB} line of /proc/self/status, in kB. */
    static long procStatusKb(String field) {
        return Long.parseLong(procStatus(field).split("\\s+")[0]);
    }

    /** This process's umask, from /proc/self/status (0022 where the kernel does not show it). */
    static int umask() {
        String value = procStatusOrNull("Umask");
        return value == null ? 0022 : Integer.parseInt(value, 8);
    }

    /** "Uid:\treal\teffective\tsaved\tfilesystem": the effective one. */
    private static long idColumn(String value) {
        return Long.parseLong(value.split("\\s+")[1]);
    }

    private static String procStatus(String field) {
        String value = procStatusOrNull(field);
        if (value == null) {
            throw new IllegalStateException("no " + field + " line in /proc/self/status");
        }
        return value;
    }

    /** The value of the {@code field:} line of /proc/self/status, trimmed. */
    private static String procStatusOrNull(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
