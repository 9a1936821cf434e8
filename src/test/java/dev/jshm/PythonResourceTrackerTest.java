package dev.jshm;

import static dev.jshm.TestShm.existsNoFollow;
import static dev.jshm.TestShm.shmPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the README warns of about Python's {@code multiprocessing.shared_memory} as a POSIX peer:
 * its names have no leading slash, and its resource tracker unlinks an object the Python process
 * merely attached to when that process exits. {@code PosixInteropTest} shows the remedy
 * ({@code resource_tracker.unregister}) keeping the object.
 */
class PythonResourceTrackerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @Test
    void pythonUnlinksAnObjectItOnlyAttachedToWhenItExits() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            segment.putString(0, "java's");
            String script = String.join("\n",
                    "import sys",
                    "from multiprocessing import shared_memory",
                    "shm = shared_memory.SharedMemory(name=sys.argv[1])",
                    "print('name=' + shm.name)",
                    "print('text=' + bytes(shm.buf[:6]).decode())",
                    "shm.close()");
            TestProcesses.Result result = TestProcesses.run(TIMEOUT, null, null,
                    List.of("python3", "-c", script, name.substring(1))).assertSuccess();
            assertEquals(List.of("name=" + name.substring(1), "text=java's"), result.out().lines().toList(), result::describe);
            assertTrue(result.err().contains("leaked shared_memory objects"), result::describe);
            assertFalse(existsNoFollow(shmPath(name)), "Python's tracker unlinked the object it attached to");
            assertEquals("java's", segment.getString(0), "the mapping outlives the name");
        }
    }
}
