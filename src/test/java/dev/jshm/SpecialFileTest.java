package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only regular files are mapped, and anything else is refused by its type before it is opened:
 * opening a FIFO for reading would block until a writer comes (forever), opening a device could
 * act on it. Each attempt must fail at once (a blocked open fails the time limit) with an
 * exception that names the call, the path and what the name is.
 */
class SpecialFileTest {

    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @TempDir
    Path dir;

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo"));
        for (Access access : Access.values()) {
            assertRefused(() -> MappedFileSegment.open(fifo, access), fifo.toString(), "a FIFO");
        }
        assertRefused(() -> MappedFileSegment.builder(fifo).size(4096).openOrCreate().create(), fifo.toString(), "a FIFO");
        assertTrue(Files.exists(fifo), "the FIFO is left alone");
    }

    @Test
    void socketDirectoryAndDeviceAreRefused() throws Exception {
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertRefused(() -> MappedFileSegment.open(socket, Access.READ_ONLY), socket.toString(), "a socket");
        }
        Path directory = Files.createDirectory(dir.resolve("directory"));
        for (Access access : Access.values()) {
            assertRefused(() -> MappedFileSegment.open(directory, access), directory.toString(), "a directory");
        }
        Path device = Path.of("/dev/null");
        assertRefused(() -> MappedFileSegment.builder(device).anyOwner().access(Access.READ_ONLY).open(), "/dev/null",
                "a character device");
    }

    @Test
    void posixNameThatIsAFifoIsRefusedWithoutBlocking() throws Exception {
        String name = shm.newName();
        Path fifo = mkfifo(TestShm.shmPath(name));
        try {
            for (Access access : Access.values()) {
                ShmInvalidArgumentException e = assertRefused(() -> PosixSegment.open(name, access), name, "a FIFO");
                assertTrue(e.getMessage().startsWith("shm_open(name=" + name), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(fifo);
        }
        assertFalse(Files.exists(fifo));
    }

    private static ShmInvalidArgumentException assertRefused(Supplier<Segment> attempt, String path, String what) {
        ShmInvalidArgumentException e = assertTimeoutPreemptively(AT_ONCE,
                () -> assertThrows(ShmInvalidArgumentException.class, () -> attempt.get().close()));
        String message = e.getMessage();
        assertTrue(message.contains(path) && message.contains(" is " + what + ", not a regular file"), message);
        assertTrue(message.contains("open(") || message.contains("shm_open("), message);
        assertEquals("ENODEV", e.errnoName(), message);
        return e;
    }

    private static Path mkfifo(Path path) throws Exception {
        TestProcesses.Result result = TestProcesses.run(Duration.ofSeconds(30), null, null, List.of("mkfifo", "-m", "600", path.toString()));
        result.assertSuccess();
        return path;
    }
}
