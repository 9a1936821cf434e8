package dev.jshm;

import static dev.jshm.TestShm.existsNoFollow;
import static dev.jshm.TestShm.shmPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * jshm and other programs share POSIX objects by name, both ways: Python's
 * {@code multiprocessing.shared_memory} and a C program ({@code src/test/c/posix_peer.c}) that
 * uses the system's {@code shm_open} and {@code mmap}. The layout: a string at 0, a native-order
 * long at 64, a reply string at 128.
 */
class PosixInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long JAVA_MARKER = 0x0102030405060708L;
    private static final long PEER_MARKER = 0x1122334455667788L;

    @TempDir
    static Path buildDir;

    private static Path peer;

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @BeforeAll
    static void compilePeer() throws Exception {
        Path source = TestProcesses.basedir().resolve("src/test/c/posix_peer.c");
        assertTrue(Files.isRegularFile(source), source + " is missing");
        peer = buildDir.resolve("posix_peer");
        // -lrt is empty on glibc 2.34+ (shm_open moved into libc) and needed before.
        TestProcesses.run(TIMEOUT, buildDir, null, List.of("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c11",
                "-o", peer.toString(), source.toString(), "-lrt")).assertSuccess();
    }

    // ---- Python -------------------------------------------------------------------------------

    @Test
    void pythonOpensAnObjectJavaCreated() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            segment.putString(0, "hello from java");
            segment.putLong(64, JAVA_MARKER);
            String script = String.join("\n",
                    "import sys",
                    "from multiprocessing import resource_tracker, shared_memory",
                    "shm = shared_memory.SharedMemory(name=sys.argv[1])",
                    // Before Python 3.13 the tracker also registers objects it only opens, and
                    // would unlink Java's object when this interpreter exits.
                    "resource_tracker.unregister(shm._name, 'shared_memory')",
                    "buf = shm.buf",
                    "end = bytes(buf[:64]).index(0)",
                    "print('name=' + shm._name)",
                    "print('size=%d' % shm.size)",
                    "print('text=' + bytes(buf[:end]).decode())",
                    "print('long=%016x' % int.from_bytes(buf[64:72], sys.byteorder))",
                    "buf[128:140] = b'from python\\0'",
                    "del buf",
                    "shm.close()");
            // Python's names have no leading slash: it adds one.
            TestProcesses.Result result = TestProcesses.run(TIMEOUT, null, null,
                    List.of("python3", "-c", script, name.substring(1))).assertSuccess();
            assertEquals(List.of("name=" + name, "size=4096", "text=hello from java", "long=0102030405060708"),
                    result.out().lines().toList(), result::describe);
            assertEquals("", result.err(), "no resource_tracker warning: " + result.err());
            assertEquals("from python", segment.getString(128));
            assertTrue(existsNoFollow(shmPath(name)), "Python must not have unlinked Java's object");
            segment.unlink();
        }
    }

    @Test
    void javaOpensAnObjectPythonCreated() throws Exception {
        String name = shm.newName();
        String script = String.join("\n",
                "import sys",
                "from multiprocessing import shared_memory",
                "shm = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=int(sys.argv[2]))",
                "shm.buf[:18] = b'hello from python\\0'",
                "shm.buf[64:72] = (0x1122334455667788).to_bytes(8, sys.byteorder)",
                "print('ready', flush=True)",
                "sys.stdin.readline()",
                "end = bytes(shm.buf[128:256]).index(0)",
                "print('reply=' + bytes(shm.buf[128:128 + end]).decode(), flush=True)",
                "shm.close()",
                "shm.unlink()");
        // Python stays alive (its tracker would unlink the object at exit) until Java is done.
        try (TestProcesses.Child python = TestProcesses.start(List.of("python3", "-c", script, name.substring(1), "10000"))) {
            python.expectLine("ready", TIMEOUT);

            try (PosixSegment segment = PosixSegment.open(name)) {
                assertFalse(segment.createdHere());
                assertEquals(10000, segment.size(), "the size Python gave, from fstat");
                assertEquals(0600, segment.stat().mode(), "Python creates with 0600 too");
                assertEquals(Native.geteuid(), segment.stat().uid());
                assertEquals("hello from python", segment.getString(0));
                assertEquals(PEER_MARKER, segment.getLong(64));
                segment.putString(128, "from java");
            }
            python.send("go");
            python.closeInput();
            String reply = python.nextLine(TIMEOUT);
            assertEquals("reply=from java", reply);
            assertEquals(0, python.waitFor(TIMEOUT), python::stderr);
            assertEquals("", python.stderr());
            assertFalse(existsNoFollow(shmPath(name)), "Python unlinked its object");
        }
    }

    // ---- C ----------------------------------------------------------------------------------------

    @Test
    void cProgramOpensAnObjectJavaCreated() throws Exception {
        String name = shm.newName();
        try (PosixSegment segment = PosixSegment.create(name, 8192)) {
            segment.putString(0, "hello from java");
            segment.putLong(64, JAVA_MARKER);
            TestProcesses.Result dump = peer("dump", name);
            assertEquals(List.of("size=8192", "mode=0600", "text=hello from java", "long=0102030405060708", "reply="),
                    dump.out().lines().toList(), dump::describe);

            peer("write", name, "128", "from C");
            assertEquals("from C", segment.getString(128), "C's write is seen through Java's mapping");
            segment.unlink();
        }
    }

    @Test
    void javaOpensAnObjectACProgramCreated() throws Exception {
        String name = shm.newName();
        peer("create", name, "10000", "hello from C");
        try (PosixSegment segment = PosixSegment.open(name)) {
            assertFalse(segment.createdHere());
            assertEquals(10000, segment.size());
            assertEquals(0600, segment.stat().mode());
            assertEquals("hello from C", segment.getString(0));
            assertEquals(PEER_MARKER, segment.getLong(64));
            segment.putString(128, "from java");
            TestProcesses.Result dump = peer("dump", name);
            assertTrue(dump.out().contains("reply=from java\n"), dump::describe);

            peer("unlink", name);
            assertFalse(existsNoFollow(shmPath(name)), "C unlinked the object");
            assertEquals("hello from C", segment.getString(0), "the mapping outlives the name");
        }
    }

    private static TestProcesses.Result peer(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(peer.toString());
        command.addAll(List.of(args));
        return TestProcesses.run(TIMEOUT, null, null, command).assertSuccess();
    }
}
