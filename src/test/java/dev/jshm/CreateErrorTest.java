package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.stat.SysVStat;

/**
 * A create that fails with an {@link Error} after the kernel made the object leaves nothing
 * behind: no System V segment, no POSIX object. The child ({@link CreateErrorMain}) makes the
 * first mapping fail with one; this JVM then looks for what the child created.
 */
class CreateErrorTest {

    @Test
    void anErrorWhileMappingLeavesNoObject(@TempDir Path workDir) throws Exception {
        assumeTrue(Runtime.version().feature() < 24, "the Error is injected by a security manager, gone from JDK 24 on");
        List<String> options = Runtime.version().feature() >= 18 ? List.of("-Djava.security.manager=allow") : List.of();
        String name = TestShm.uniqueName();
        TestProcesses.Result child;
        List<SysVStat> left;
        boolean objectLeft;
        try {
            child = TestProcesses.run(Duration.ofSeconds(60), workDir, null,
                    TestProcesses.javaCommand(workDir, options, CreateErrorMain.class, name)).assertSuccess();
        } finally {
            objectLeft = Files.exists(TestShm.shmPath(name), LinkOption.NOFOLLOW_LINKS);
            TestShm.removeQuietly(name);
        }
        long childPid = child.pid();
        left = SysVSegment.list().stream().filter(s -> s.cpid() == childPid).toList();
        left.forEach(s -> SysVSegment.removeById(s.shmid()));

        // Both creates got as far as the kernel and then failed with an Error.
        assertTrue(child.out().contains("sysv: java.lang.AssertionError"), child::describe);
        assertTrue(child.out().contains("posix: java.lang.NoClassDefFoundError"), child::describe);
        assertEquals(List.of(), left, "segments the child created and left behind");
        assertFalse(objectLeft, "the child left " + name);
    }
}
