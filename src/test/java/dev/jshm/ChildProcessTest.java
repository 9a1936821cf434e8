package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented hand-off to a child process: the parent creates a segment and passes its
 * locator ({@link SegmentLocator#passTo}); the child ({@link LocatorChild}, or python) finds it
 * in its environment, reads what the parent wrote and replies through the same memory.
 */
class ChildProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @Test
    void posixObject() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, 8192)) {
            handOff(segment, "posix:" + name, "POSIX", "PosixSegment");
            segment.unlink();
        }
    }

    @Test
    void privateSysVSegmentById() throws Exception {
        SysVSegment segment = SysVSegment.createPrivate(8192);
        try {
            handOff(segment, "sysv:id=" + segment.shmid(), "SYSV_ID", "SysVSegment");
        } finally {
            segment.remove();
            segment.close();
        }
        int shmid = segment.shmid();
        assertThrows(ShmException.class, () -> SysVSegment.statById(shmid), "the segment is gone");
    }

    /**
     * A child handed the locator of a segment removed since gets what
     * {@link SysVSegment#openById} documents: SegmentNotFoundException, although Linux answers
     * IPC_STAT of a removed id with EINVAL.
     */
    @Test
    void locatorOfARemovedSysVSegmentIsNotFound() {
        SysVSegment segment = SysVSegment.createPrivate(4096);
        SegmentLocator locator = segment.locator();
        segment.remove();
        segment.close();
        ShmException e = assertThrows(ShmException.class, () -> locator.open(Access.READ_WRITE).close());
        assertTrue(e.getMessage().contains("shmid=" + segment.shmid()), e.getMessage());
        assertInstanceOf(SegmentNotFoundException.class, e, e.getMessage());
    }

    @Test
    void sysVSegmentByKey() throws Exception {
        SysVSegment segment = null;
        for (int attempt = 0; segment == null; attempt++) {
            int key = ThreadLocalRandom.current().nextInt(0x10000, Integer.MAX_VALUE);
            try {
                segment = SysVSegment.create(key, 8192);
            } catch (SegmentExistsException taken) {
                assertTrue(attempt < 10, "ten random keys taken");
            }
        }
        try {
            handOff(segment, String.format("sysv:key=0x%08x", segment.key()), "SYSV_KEY", "SysVSegment");
        } finally {
            segment.remove();
            segment.close();
        }
    }

    @Test
    void mappedFileAtAnOffset() throws Exception {
        Path file = dir.resolve("shared-file");
        try (MappedFileSegment segment = MappedFileSegment.builder(file).offset(4096 + 7).size(8192).create()) {
            handOff(segment, "file:" + file + "?offset=4103&size=8192", "FILE", "MappedFileSegment");
        }
    }

    @Test
    void pythonChildFindsThePosixObject() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, 8192)) {
            segment.putString(0, "hello python child");
            segment.putLong(512, 41);
            String script = String.join("\n",
                    "import os, sys",
                    "locator = os.environ['JSHM_SEGMENT']",
                    "kind, _, name = locator.partition(':')",
                    "assert kind == 'posix', locator",
                    "with open('/dev/shm' + name, 'r+b') as f:",
                    "    data = f.read()",
                    "    print('locator=' + locator)",
                    "    print('size=%d' % len(data))",
                    "    print('text=' + data[:data.index(0)].decode())",
                    "    print('long=%d' % int.from_bytes(data[512:520], sys.byteorder))",
                    "    f.seek(1024)",
                    "    f.write(b'reply from python\\0')");
            ProcessBuilder child = segment.locator().passTo(new ProcessBuilder("python3", "-c", script));
            TestProcesses.Result result = TestProcesses.run(TIMEOUT, child, null).assertSuccess();
            assertEquals(List.of("locator=posix:" + name, "size=8192", "text=hello python child", "long=41"),
                    result.out().lines().toList(), result::describe);
            assertEquals("reply from python", segment.getString(1024), "python's write is seen through the mapping");
            segment.unlink();
        }
    }

    @Test
    void passToSetsTheVariableAndFromEnvironmentNeedsIt() {
        ProcessBuilder builder = new ProcessBuilder("true");
        SegmentLocator locator = SegmentLocator.posix("/jshm-test-not-created");
        assertSame(builder, locator.passTo(builder));
        assertEquals("posix:/jshm-test-not-created", builder.environment().get(SegmentLocator.ENVIRONMENT_VARIABLE));

        assumeTrue(System.getenv(SegmentLocator.ENVIRONMENT_VARIABLE) == null, "JSHM_SEGMENT is set in the test JVM");
        IllegalStateException unset = assertThrows(IllegalStateException.class, SegmentLocator::fromEnvironment);
        assertTrue(unset.getMessage().contains("JSHM_SEGMENT"), unset.getMessage());
    }

    /** Starts a LocatorChild on the segment and checks both directions. */
    private void handOff(Segment segment, String expectedLocator, String kind, String segmentClass) throws Exception {
        segment.putString(0, "hello " + kind + " child");
        segment.putLong(512, 41);
        assertEquals(expectedLocator, segment.locator().toString());

        ProcessBuilder child = new ProcessBuilder(TestProcesses.javaCommand(dir, LocatorChild.class)).directory(dir.toFile());
        segment.locator().passTo(child);
        assertEquals(expectedLocator, child.environment().get(SegmentLocator.ENVIRONMENT_VARIABLE));
        TestProcesses.Result result = TestProcesses.run(TIMEOUT, child, null).assertSuccess();

        assertEquals(List.of("locator=" + expectedLocator, "kind=" + kind, "class=" + segmentClass, "size=" + segment.size(),
                "text=hello " + kind + " child", "long=41"), result.out().lines().toList(), result::describe);
        assertEquals("", result.err(), "the child JVM printed warnings (-Xcheck:jni):\n" + result.describe());
        assertEquals(List.of(), TestProcesses.crashLogs(dir));
        assertEquals("reply from the " + kind + " child", segment.getString(1024));
        assertEquals(42, segment.getLong(1536));
    }
}
