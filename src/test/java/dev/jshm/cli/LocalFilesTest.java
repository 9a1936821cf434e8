package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.PosixSegment;

/**
 * The tool's opens of the user's files decide on what they opened, not on what {@code lstat}
 * saw earlier: a regular file that passes the commands' look and is swapped for a FIFO before
 * the open is refused at once (Java's own open of a FIFO would block until a peer came), and
 * nothing is read from or written to it. The swap happens in {@link LocalFiles#beforeOpen},
 * deterministically between the look and the open.
 */
class LocalFilesTest {

    /** Far above a non-blocking open; a blocked one never returns on its own. */
    private static final long AT_ONCE_SECONDS = 10;

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "local-files-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void reset() {
        LocalFiles.beforeOpen = () -> { };
        executor.shutdownNow();
    }

    @Test
    void aFifoSwappedInAfterTheLookIsRefusedAtOnceForReading() throws Exception {
        Path file = Files.writeString(dir.resolve("input"), "bytes");
        LocalFiles.requireRegular("write --from-file", file);
        LocalFiles.beforeOpen = () -> swapForFifo(file);
        LocalFileException refused = atOnce(file, () -> assertThrows(LocalFileException.class,
                () -> LocalFiles.readAtMost("write --from-file", file, 100)));
        assertEquals(ExitStatus.USAGE, refused.exitStatus(), refused::toString);
        assertTrue(refused.getMessage().startsWith("write --from-file " + file + ": is a FIFO (named pipe), not a regular"
                + " file"), refused.getMessage());
    }

    @Test
    void aFifoSwappedInAfterTheLookIsRefusedAtOnceForWriting() throws Exception {
        Path file = Files.writeString(dir.resolve("output"), "old");
        LocalFiles.requireRegularOrAbsent("read --to-file", file);
        LocalFiles.beforeOpen = () -> swapForFifo(file);
        LocalFileException refused = atOnce(file, () -> assertThrows(LocalFileException.class,
                () -> LocalFiles.create("read --to-file", file).close()));
        assertEquals(ExitStatus.USAGE, refused.exitStatus(), refused::toString);
        assertTrue(refused.getMessage().startsWith("read --to-file " + file + ": is a FIFO (named pipe), not a regular"
                + " file"), refused.getMessage());
    }

    /** The whole command, in process: the segment is left as it was, and the command ends at once. */
    @Test
    void writeAndReadCommandsRefuseAFifoSwappedInAfterTheirLook() throws Exception {
        String name = "/jshm-local-files-" + ProcessHandle.current().pid();
        try (PosixSegment segment = PosixSegment.create(name, 64)) {
            try {
                segment.putString(0, "before");
                Path input = Files.writeString(dir.resolve("input"), "after");
                LocalFiles.beforeOpen = () -> swapForFifo(input);
                String[] written = atOnce(input, () -> run("write", "--name", name, "--from-file", input.toString()));
                assertEquals("2", written[0], () -> String.join("\n", written));
                assertTrue(written[1].contains("write --from-file " + input + ": is a FIFO (named pipe)"), written[1]);
                assertEquals("before", segment.getString(0), "nothing was written");

                Path output = Files.writeString(dir.resolve("output"), "old");
                LocalFiles.beforeOpen = () -> swapForFifo(output);
                String[] read = atOnce(output, () -> run("read", "--name", name, "--to-file", output.toString()));
                assertEquals("2", read[0], () -> String.join("\n", read));
                assertTrue(read[1].contains("read --to-file " + output + ": is a FIFO (named pipe)"), read[1]);
                assertTrue(Files.exists(output), "the FIFO is left where it was");
            } finally {
                segment.unlink();
            }
        }
    }

    @Test
    void aNewFileIsCreatedOwnerOnlyAndAnOldOneIsTruncated() throws IOException {
        Path created = dir.resolve("created");
        try (OutputStream out = LocalFiles.create("read --to-file", created)) {
            out.write("new".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals("new", Files.readString(created));
        // 0600 asked of open(2): the umask can only take bits away.
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(created);
        assertTrue(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE).containsAll(permissions),
                permissions::toString);

        Path old = Files.writeString(dir.resolve("old"), "a longer old content");
        try (OutputStream out = LocalFiles.create("read --to-file", old)) {
            out.write("ab".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals("ab", Files.readString(old));
        assertEquals("ab", new String(LocalFiles.readAtMost("write --from-file", old, 100), StandardCharsets.US_ASCII));
    }

    @Test
    void aSymbolicLinkSwappedInIsNeverFollowed() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "kept");
        Path file = Files.writeString(dir.resolve("output"), "old");
        LocalFiles.beforeOpen = () -> {
            try {
                Files.delete(file);
                Files.createSymbolicLink(file, target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        LocalFileException refused = assertThrows(LocalFileException.class, () -> LocalFiles.create("read --to-file", file));
        assertEquals(ExitStatus.PERMISSION, refused.exitStatus(), refused::toString);
        assertTrue(refused.getMessage().startsWith("read --to-file " + file + ": is a symbolic link"), refused.getMessage());
        assertEquals("kept", Files.readString(target), "nothing was truncated through the link");
        assertFalse(Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aFileGoneAfterTheLookIsNotFoundNamingTheCall() throws IOException {
        Path file = Files.writeString(dir.resolve("input"), "bytes");
        LocalFiles.requireRegular("write --from-file", file);
        LocalFiles.beforeOpen = () -> {
            try {
                Files.delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        LocalFileException gone = assertThrows(LocalFileException.class,
                () -> LocalFiles.readAtMost("write --from-file", file, 100));
        assertEquals(ExitStatus.NOT_FOUND, gone.exitStatus(), gone::toString);
        assertEquals("write --from-file " + file + ": no such file or directory (open(path=" + file + ", flags=O_RDONLY"
                + "|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK) failed: ENOENT (No such file or directory))", gone.getMessage());
    }

    @Test
    void aReadOnlyFileSystemIsPermissionNamingTheCall() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly.toString())
                .redirectErrorStream(true).start();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here");
        try {
            Path out = readOnly.resolve("out");
            LocalFileException refused = assertThrows(LocalFileException.class, () -> LocalFiles.create("read --to-file", out));
            assertEquals(ExitStatus.PERMISSION, refused.exitStatus(), refused::toString);
            assertTrue(refused.getMessage().startsWith("read --to-file " + out + ": open(path=" + out + ", flags=O_WRONLY"
                    + "|O_CREAT|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK, mode=0600) failed: EROFS"), refused.getMessage());
        } finally {
            Process umount = new ProcessBuilder("umount", readOnly.toString()).redirectErrorStream(true).start();
            assertTrue(umount.waitFor(30, TimeUnit.SECONDS) && umount.exitValue() == 0, "umount " + readOnly);
        }
    }

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]));
        return new String[] {Integer.toString(status), err.toString(StandardCharsets.UTF_8)};
    }

    private static void swapForFifo(Path file) {
        try {
            Files.delete(file);
            Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", file.toString()).inheritIO().start();
            if (!mkfifo.waitFor(30, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
                mkfifo.destroyForcibly();
                throw new IllegalStateException("mkfifo " + file + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code call} on another thread and fails if it has not returned within
     * {@link #AT_ONCE_SECONDS}: then it is blocked in the open of {@code fifo}, which this releases
     * (an {@code O_RDWR} open of a FIFO is both its reader and its writer) so no thread is left hanging.
     */
    private <T> T atOnce(Path fifo, Callable<T> call) throws Exception {
        Future<T> result = executor.submit(call);
        try {
            return result.get(AT_ONCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try {
                new RandomAccessFile(fifo.toFile(), "rw").close();
            } catch (IOException ignored) {
                // Released or not, the test fails below.
            }
            return fail("the open of " + fifo + " blocked for " + AT_ONCE_SECONDS + " s instead of refusing the FIFO", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
