package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resize that runs out of space fails whole: the message names the call that failed
 * ({@code posix_fallocate}, not {@code ftruncate}) and the object keeps its old size and data, so
 * no process later touches pages that were never allocated.
 *
 * <p>A full {@code /dev/shm} is made, not waited for: the child JVM ({@link ResizeSpacePeer}) runs
 * in its own mount namespace ({@code unshare --mount}, as root) where a 1 MiB tmpfs is mounted over
 * {@code /dev/shm} and another in a temporary directory. The mounts exist only in that namespace
 * and vanish with the child: the machine's {@code /dev/shm} is never touched.
 */
class ResizeAllOrNothingTest {

    @TempDir
    Path workDir;

    @Test
    void resizePastTheFreeSpaceKeepsTheOldSizeAndNamesPosixFallocate() throws Exception {
        Assumptions.assumeTrue(TestShm.isRoot(),
                "mounting a small tmpfs in a private namespace needs root");
        Path small = Files.createDirectory(workDir.resolve("small"));
        List<String> java = TestProcesses.javaCommand(workDir, ResizeSpacePeer.class, small.toString());
        String script = "mount -t tmpfs -o size=1m,mode=1777 jshm-test /dev/shm && mount -t tmpfs -o size=1m jshm-test \"$0\""
                + " && exec \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                small.toString()));
        command.addAll(java);
        TestProcesses.Result result = TestProcesses.run(Duration.ofSeconds(60), workDir, null, command);
        result.assertSuccess();
        assertTrue(result.out().contains("\nDONE\n") || result.out().startsWith("DONE"), result::describe);
        for (String kind : List.of("posix", "file")) {
            String line = result.out().lines().filter(l -> l.startsWith("RESIZE " + kind + " ")).findFirst().orElse("missing");
            assertTrue(line.startsWith("RESIZE " + kind + " dev.jshm.ShmLimitException | posix_fallocate("), line + "\n" + result.describe());
            assertTrue(line.contains("ENOSPC") && line.contains("size=" + ResizeSpacePeer.TOO_LARGE), line);
            assertFalse(line.contains("ftruncate"), line);
            assertTrue(line.contains("bytes free"), "the message says how much is free: " + line);
            assertTrue(result.out().contains("AFTER " + kind + " size=" + ResizeSpacePeer.SIZE + " stat=" + ResizeSpacePeer.SIZE
                    + " data=ok\n"), () -> kind + " must keep its old size and data\n" + result.describe());
            assertTrue(result.out().contains("GROWN " + kind + " size=" + ResizeSpacePeer.FITS + " stat=" + ResizeSpacePeer.FITS + "\n"),
                    () -> kind + " must still grow where there is space\n" + result.describe());
        }
        assertEquals(List.of(), TestProcesses.crashLogs(workDir), result::describe);
    }
}
