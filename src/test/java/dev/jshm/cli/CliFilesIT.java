package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.cli.JshmRunner.Run;

/**
 * The files the user names to the packaged jar ({@code --file}, {@code --from-file},
 * {@code --to-file}, {@code rm file:}): special files are refused by type before anything opens
 * them (a FIFO's open would block: the runner's timeout catches that), input is read whole and
 * checked before the first byte lands, and every failure names the operation, the path and gets
 * the exit status of the table.
 */
class CliFilesIT extends CliItBase {

    @TempDir
    Path files;

    /** A blocked open would hang a run: fail it quickly instead. */
    @Override
    long timeoutSeconds() {
        return 30;
    }

    private Path fifo() {
        Path fifo = files.resolve("fifo");
        Run made = jshm.run(List.of("mkfifo", fifo.toString()), new byte[0], files, Map.of());
        assertEquals(0, made.exit(), made::toString);
        return fifo;
    }

    @Test
    void specialFilesAreRefusedByTypeBeforeAnyOpen() throws IOException {
        String name = jshm.newName("special");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "64"), name + "\n");
        Path fifo = fifo();
        Path link = Files.createSymbolicLink(files.resolve("link"), files.resolve("target"));
        Files.writeString(files.resolve("target"), "x");
        Map<Path, String> special = Map.of(fifo, "is a FIFO (named pipe), not a regular file",
                files, "is a directory, not a regular file",
                Path.of("/dev/null"), "is a character device, not a regular file");
        for (Map.Entry<Path, String> file : special.entrySet()) {
            String path = file.getKey().toString();
            assertFailure(jshm.jshm("stat", "--file", path), 2, "stat --file " + path + ": " + file.getValue());
            assertFailure(jshm.jshm("read", "--file", path), 2, "read --file " + path + ": " + file.getValue());
            assertFailure(jshm.jshm("write", "--name", name, "--from-file", path), 2,
                    "write --from-file " + path + ": " + file.getValue());
            assertFailure(jshm.jshm("read", "--name", name, "--to-file", path), 2,
                    "read --to-file " + path + ": " + file.getValue());
        }
        assertFailure(jshm.jshm("write", "--name", name, "--from-file", link.toString()), 4,
                "write --from-file " + link + ": is a symbolic link");
        assertFailure(jshm.jshm("read", "--name", name, "--to-file", link.toString()), 4,
                "read --to-file " + link + ": is a symbolic link");
        assertEquals("x", Files.readString(files.resolve("target")), "nothing was written through the link");
        assertFailure(jshm.jshm("rm", "--file", fifo.toString()), 2, "rm file:" + fifo + ": unlink " + fifo + ": is a FIFO");
        assertTrue(Files.exists(fifo));
    }

    @Test
    void inputIsReadWholeAndCheckedBeforeTheFirstByteIsWritten() {
        String name = jshm.newName("whole");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "4K", "--fill", "0x55"), name + "\n");
        String before = assertOk(jshm.jshm("read", "--name", name, "--hex"));
        // /proc files say their size is 0; this one is longer than 4017 bytes on any JVM.
        assertFailure(jshm.jshm("write", "--name", name, "--offset", "79", "--from-file", "/proc/self/maps"), 2,
                "write to posix:" + name + ": does not fit: more than 4017 bytes at offset 79 exceed the segment's 4096"
                        + " bytes; nothing was written");
        assertFailure(jshm.jshmWithInput("y".repeat(5000), "write", "--name", name, "--from-file", "-"), 2,
                "does not fit: more than 4096 bytes at offset 0");
        assertFailure(jshm.jshm("write", "--name", name, "--offset", "4090", "--hex", "01 02 03 04 05 06 07"), 2,
                "does not fit: 7 bytes at offset 4090 exceed the segment's 4096 bytes");
        assertEquals(before, assertOk(jshm.jshm("read", "--name", name, "--hex")), "nothing was written");
        assertSuccess(jshm.jshm("write", "--name", name, "--offset", "4090", "--hex", "01 02 03 04 05 06"), "");
    }

    @Test
    void doesNotFitSaysHowManyBytesAtWhichOffsetExceedWhichSize() {
        String name = jshm.newName("fit");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "32"), name + "\n");
        assertFailure(jshm.jshm("write", "--name", name, "--offset", "30", "toolong"), 2,
                "write to posix:" + name + ": does not fit: 8 bytes at offset 30 exceed the segment's 32 bytes;"
                        + " nothing was written");
        assertFailure(jshm.jshm("write", "--name", name, "--offset", "33", "x"), 2,
                "offset 33 is outside the segment's 32 bytes");
        assertFailure(jshm.jshm("read", "--name", name, "--offset", "16", "--length", "17", "--raw"), 2,
                "read from posix:" + name + ": does not fit: 17 bytes at offset 16 exceed the segment's 32 bytes");
    }

    @Test
    void fileFailuresNameTheOperationAndThePathWithTheirExitStatus() {
        String name = jshm.newName("status");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "1K"), name + "\n");
        // EPERM from unlink: permission (4), even for root.
        assertFailure(jshm.jshm("rm", "--file", "/proc/version"), 4, "rm file:/proc/version: unlink /proc/version:"
                + " Operation not permitted");
        Path missing = files.resolve("missing");
        assertFailure(jshm.jshm("write", "--name", name, "--from-file", missing.toString()), 3,
                "write --from-file " + missing + ": no such file or directory");
        Path inMissingDir = files.resolve("no-dir/out");
        assertFailure(jshm.jshm("read", "--name", name, "--to-file", inMissingDir.toString()), 3,
                "read --to-file " + inMissingDir + ": no such file or directory");
        assertFalse(Files.exists(inMissingDir.getParent()));
    }

    @Test
    void aFullFileSystemIsASystemLimit() throws IOException {
        // A 64 KiB tmpfs of its own, where root may mount one: a write past it fails with ENOSPC.
        Path tiny = Files.createDirectory(files.resolve("tiny"));
        Run mounted = jshm.run(List.of("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tiny.toString()), new byte[0],
                files, Map.of());
        assumeTrue(mounted.exit() == 0, () -> "cannot mount a tmpfs here: " + mounted);
        try {
            String name = jshm.newName("full");
            assertSuccess(jshm.jshm("create", "--name", name, "--size", "1M"), name + "\n");
            Path out = tiny.resolve("out.bin");
            assertFailure(jshm.jshm("read", "--name", name, "--to-file", out.toString()), 6,
                    "read --to-file " + out + ": No space left on device");
            assertFalse(Files.exists(out), "the partial copy was removed");
        } finally {
            Run unmounted = jshm.run(List.of("umount", tiny.toString()), new byte[0], files, Map.of());
            assertEquals(0, unmounted.exit(), unmounted::toString);
        }
    }

    @Test
    void sizesTakeUnitsAndAreShownBackAsIpcsHumanDoes() {
        String name = jshm.newName("units");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "1.5M"), name + "\n");
        Map<String, String> stat = JshmRunner.statFields(assertOk(jshm.jshm("stat", "--name", name, "--bytes", "0")));
        assertEquals("1572864 (1.5M)", stat.get("size"));
        assertSuccess(jshm.jshm("write", "--name", name, "--offset", "1M", "--hex", "ab"), "");
        assertSuccess(jshm.jshm("read", "--name", name, "--offset", "1MiB", "--length", "1", "--hex"),
                "00100000: ab                                       .\n");
        assertFailure(jshm.jshm("create", "--name", jshm.newName("bad"), "--size", "1.5X"), 2,
                "'1.5X' is not a size: give bytes, or with a binary unit: 64K, 1M, 2G, 1MiB, 1.5G");
    }
}
