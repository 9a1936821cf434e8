package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.internal.RegularFileOpener;
import dev.jshm.internal.Secrets;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RegularFileOpener}, how the command-line tool opens the user's files: only a regular
 * file is opened, at once (a FIFO, socket, device or directory is refused with ENODEV and never
 * waited on, also for writing, where an open of a FIFO without a reader would wait), no link is
 * followed, a new file is 0600, and nothing is truncated before the open knows it has a regular file.
 */
class RegularFileOpenerTest {

    private static final Duration AT_ONCE = Duration.ofSeconds(5);
    private static final RegularFileOpener OPENER = Secrets.regularFileOpener();

    @TempDir
    Path dir;

    @Test
    void specialFilesAreRefusedAtOnceForReadingAndWriting() throws Exception {
        Path fifo = dir.resolve("fifo");
        TestProcesses.run(Duration.ofSeconds(30), null, null, List.of("mkfifo", "-m", "600", fifo.toString())).assertSuccess();
        Path directory = Files.createDirectory(dir.resolve("directory"));
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            for (Path special : List.of(fifo, directory, socket, Path.of("/dev/null"))) {
                String what = special == fifo ? "a FIFO" : special == directory ? "a directory"
                        : special == socket ? "a socket" : "a character device";
                assertRefused(() -> OPENER.openForReading(special).close(), special, what);
                assertRefused(() -> OPENER.openForWriting(special).close(), special, what);
            }
        }
        // A FIFO with a reader: an O_WRONLY|O_NONBLOCK open would succeed; the look refuses it first.
        try (RandomAccessFile peer = new RandomAccessFile(fifo.toFile(), "rw")) {
            assertRefused(() -> OPENER.openForWriting(fifo).close(), fifo, "a FIFO");
            assertRefused(() -> OPENER.openForReading(fifo).close(), fifo, "a FIFO");
        }
        assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS), "the FIFO is left alone");
    }

    @Test
    void aSymbolicLinkIsNeverFollowed() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "kept");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        for (Executable open : List.<Executable>of(() -> OPENER.openForReading(link).close(),
                () -> OPENER.openForWriting(link).close())) {
            ShmPermissionException e = assertThrows(ShmPermissionException.class, open);
            assertEquals("ELOOP", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().startsWith("open(path=" + link + ", flags=O_"), e.getMessage());
            assertTrue(e.getMessage().contains(link + " is a symbolic link; jshm never follows one"), e.getMessage());
        }
        assertEquals("kept", Files.readString(target), "nothing was truncated through the link");
    }

    @Test
    void aMissingFileIsNotFoundForReadingAndCreatedOwnerOnlyForWriting() throws Exception {
        Path missing = dir.resolve("missing");
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, () -> OPENER.openForReading(missing));
        assertEquals("open(path=" + missing + ", flags=O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK) failed: ENOENT (No such file"
                + " or directory)", e.getMessage());
        try (FileChannel out = OPENER.openForWriting(missing)) {
            out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals("new", Files.readString(missing));
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(missing);
        assertTrue(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE).containsAll(permissions),
                permissions::toString);
    }

    @Test
    void aRegularFileIsReadWholeAndTruncatedForWriting() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "a longer old content");
        try (FileChannel in = OPENER.openForReading(file)) {
            assertEquals(0, in.position());
            ByteBuffer all = ByteBuffer.allocate(64);
            while (in.read(all) > 0) {
                // Until the end.
            }
            assertEquals("a longer old content", new String(all.array(), 0, all.position(), StandardCharsets.US_ASCII));
            assertThrows(java.nio.channels.NonWritableChannelException.class, () -> in.write(ByteBuffer.allocate(1)));
        }
        try (FileChannel out = OPENER.openForWriting(file)) {
            assertEquals(0, out.size(), "truncated");
            out.write(ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)));
            assertThrows(java.nio.channels.NonReadableChannelException.class, () -> out.read(ByteBuffer.allocate(1)));
        }
        assertEquals("ab", Files.readString(file));
        // Each open closed its own descriptor: only the channel, now closed, held the file.
        assertFalse(openDescriptorsOf(file), "no descriptor of " + file + " is left open");
    }

    private static boolean openDescriptorsOf(Path file) throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (Exception e) {
                    return false; // closed while listed
                }
            });
        }
    }

    private static void assertRefused(Executable open, Path path, String what) {
        ShmInvalidArgumentException e = assertTimeoutPreemptively(AT_ONCE,
                () -> assertThrows(ShmInvalidArgumentException.class, open));
        assertEquals("ENODEV", e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().startsWith("open(path=" + path + ", flags=O_"), e.getMessage());
        assertTrue(e.getMessage().contains(path + " is " + what + ", not a regular file"), e.getMessage());
    }
}
