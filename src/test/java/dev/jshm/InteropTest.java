package dev.jshm;

import static dev.jshm.TestSysV.hexKey;
import static dev.jshm.TestSysV.unusedKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jshm.stat.SysVStat;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments shared with processes that are not this JVM: a C program that uses plain
 * {@code shmget}/{@code shmat} ({@code src/test/c/sysv_peer.c}, compiled here with gcc), and a
 * second JVM that runs jshm under {@code -Xcheck:jni} ({@link SecondJvmPeer}).
 */
class InteropTest {

    private static final Path PEER_SOURCE = TestProcesses.basedir().resolve("src/test/c/sysv_peer.c");
    private static final Path PEER = TestProcesses.targetDir().resolve("test-bin/sysv_peer");
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @TempDir
    static Path outputs;

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    @BeforeAll
    static void compilePeer() throws IOException, InterruptedException {
        Files.createDirectories(PEER.getParent());
        List<String> gcc = List.of("gcc", "-O2", "-Wall", "-Werror", "-o", PEER.toString(), PEER_SOURCE.toString());
        TestProcesses.Result run;
        try {
            run = TestProcesses.run(Duration.ofSeconds(120), null, null, gcc);
        } catch (IOException e) {
            throw new AssertionError("cannot run gcc, which InteropTest needs to build " + PEER_SOURCE
                    + " (install gcc, e.g. apt-get install gcc): " + e.getMessage(), e);
        }
        if (run.exit() != 0) {
            fail("gcc could not build the C peer:\n" + run.describe());
        }
        assertTrue(Files.isExecutable(PEER), PEER + " was not built");
    }

    @Test
    void javaWritesCReads() throws IOException, InterruptedException {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        String text = "from Java: Grüße, 世界 ✓";
        segment.putString(0, text);
        segment.putLong(512, 0x0123456789abcdefL);
        segment.putInt(520, -123456789);
        segment.putShort(524, (short) 0xfedc);
        segment.putByte(526, (byte) 0xab);
        segment.putDouble(528, Math.PI);
        segment.putFloat(536, 0.1f);
        segment.putLong(1001, -2L); // unaligned
        segment.putLong(4088, Long.MIN_VALUE); // the last valid offset

        assertEquals("shmid=" + segment.shmid() + " size=4096\n", peerOk("info", hexKey(key)));
        assertEquals(text + "\n", peerOk("read", hexKey(key), "0"));
        assertEquals(0x0123456789abcdefL, Long.parseUnsignedLong(peerOk("get", hexKey(key), "512", "u64").trim()));
        assertEquals(hex(ByteBuffer.allocate(8).order(NATIVE).putLong(0x0123456789abcdefL).array()) + "\n",
                peerOk("dump", hexKey(key), "512", "8"));
        assertEquals("-123456789\n", peerOk("get", hexKey(key), "520", "i32"));
        assertEquals("65244\n", peerOk("get", hexKey(key), "524", "u16"));
        assertEquals("171\n", peerOk("get", hexKey(key), "526", "u8"));
        assertEquals(Math.PI, Double.parseDouble(peerOk("get", hexKey(key), "528", "f64").trim()));
        assertEquals(0.1f, Float.parseFloat(peerOk("get", hexKey(key), "536", "f32").trim()));
        assertEquals("-2\n", peerOk("get", hexKey(key), "1001", "i64"));
        assertEquals(Long.toString(Long.MIN_VALUE) + "\n", peerOk("get", hexKey(key), "4088", "i64"));
        // The NUL putString wrote: the C string stops there.
        assertEquals(hex(Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8).length + 1)) + "\n",
                peerOk("dump", hexKey(key), "0", Integer.toString(text.getBytes(StandardCharsets.UTF_8).length + 1)));

        // Each peer attached and detached: one attachment left (ours), the last pid was a peer's.
        TestProcesses.Result last = peer("get", hexKey(key), "0", "u8");
        assertEquals(0, last.exit(), last.describe());
        SysVStat stat = segment.stat();
        assertEquals(1, stat.attachments());
        assertEquals(last.pid(), stat.lpid());
    }

    @Test
    void cWritesJavaReads() throws IOException, InterruptedException {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        segment.fill(0, 4096, (byte) 0xff); // so that the NUL the peer writes is visible
        SysVSegment reader = cleanup.add(SysVSegment.open(key, Access.READ_ONLY));

        peerOk("write", hexKey(key), "100", "written by C", "200", "0xfedcba9876543210");
        assertEquals("written by C", segment.getString(100));
        assertEquals(0, segment.getByte(100 + "written by C".length()), "the C string's NUL");
        assertEquals(0xfedcba9876543210L, segment.getLong(200), "uint64_t written by C");
        assertEquals("written by C", reader.getString(100));
        assertEquals(0xfedcba9876543210L, reader.getLong(200));

        String unicode = "C sagt: Grüße 🚀";
        peerOk("writex", hexKey(key), "300", hex(unicode.getBytes(StandardCharsets.UTF_8)));
        assertEquals(unicode, segment.getString(300));

        peerOk("put", hexKey(key), "400", "u32", "4000000000");
        peerOk("put", hexKey(key), "404", "i32", "-7");
        peerOk("put", hexKey(key), "408", "u16", "65535");
        peerOk("put", hexKey(key), "410", "u8", "200");
        peerOk("put", hexKey(key), "416", "f64", "2.718281828459045");
        peerOk("put", hexKey(key), "424", "f32", "1.5");
        peerOk("put", hexKey(key), "432", "i64", "-9223372036854775808");
        peerOk("put", hexKey(key), "443", "u64", "0x8000000000000001"); // unaligned
        peerOk("put", hexKey(key), "4088", "u64", "0x1122334455667788"); // the last valid offset
        assertEquals((int) 4000000000L, segment.getInt(400));
        assertEquals(-7, segment.getInt(404));
        assertEquals((short) -1, segment.getShort(408));
        assertEquals((byte) 200, segment.getByte(410));
        assertEquals(Math.E, segment.getDouble(416));
        assertEquals(1.5f, segment.getFloat(424));
        assertEquals(Long.MIN_VALUE, segment.getLong(432));
        assertEquals(0x8000000000000001L, segment.getLong(443));
        assertEquals(0x1122334455667788L, segment.getLong(4088));
        assertEquals(0x1122334455667788L, reader.getLong(4088));
        byte[] bytes = new byte[8];
        segment.read(4088, bytes);
        assertEquals(hex(ByteBuffer.allocate(8).order(NATIVE).putLong(0x1122334455667788L).array()), hex(bytes));
        assertEquals(2, segment.stat().attachments(), "the peers detached");
    }

    @Test
    void peerFailsLoudlyOnAMissingKeyOrARangeOutsideTheSegment() throws IOException, InterruptedException {
        int missing = unusedKey();
        TestProcesses.Result read = peer("read", hexKey(missing), "0");
        assertEquals(1, read.exit(), read.describe());
        assertTrue(read.err().contains("shmget(key=" + hexKey(missing) + ")"), read.describe());
        assertTrue(read.err().contains("No such file or directory"), read.describe());

        int key = unusedKey();
        cleanup.add(SysVSegment.create(key, 100));
        TestProcesses.Result outside = peer("get", hexKey(key), "93", "u64");
        assertEquals(2, outside.exit(), outside.describe());
        assertTrue(outside.err().contains("outside the segment (size 100)"), outside.describe());
        assertEquals("", outside.out());
    }

    @Test
    void secondJvmReadsAndReplies() throws IOException, InterruptedException {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 4096));
        String text = "from the first JVM: Grüße ✓";
        long value = 0x7766554433221100L;
        segment.putString(0, text);
        segment.putLong(512, value);

        String classPath = TestProcesses.classPath();
        assertTrue(Arrays.stream(classPath.split(File.pathSeparator)).anyMatch(entry -> entry.endsWith("test-classes")),
                "the child's class path does not hold the test classes: " + classPath);
        List<String> command = TestProcesses.javaCommand(outputs, SecondJvmPeer.class, hexKey(key), "0", "512", "1024", "1536");
        TestProcesses.Result child = TestProcesses.run(Duration.ofSeconds(180), null, null, command);

        assertEquals(0, child.exit(), child.describe());
        List<String> lines = child.out().lines().toList();
        assertTrue(lines.contains("read=" + text), child.describe());
        assertTrue(lines.contains("long=" + Long.toHexString(value)), child.describe());
        assertTrue(lines.contains("shmid=" + segment.shmid()), child.describe());
        assertTrue(lines.contains("attachments=2"), child.describe());
        assertFalse(child.out().contains("WARNING"), "JNI check warnings on stdout: " + child.describe());
        assertFalse(child.err().contains("WARNING"), "JNI check warnings on stderr: " + child.describe());

        assertEquals(SecondJvmPeer.reply(text), segment.getString(1024));
        assertEquals(~value, segment.getLong(1536));
        SysVStat stat = segment.stat();
        assertEquals(1, stat.attachments(), "the second JVM detached");
        assertEquals(child.pid(), stat.lpid(), "the second JVM was the last to detach");
    }

    // ---- processes -----------------------------------------------------------------------------

    private static TestProcesses.Result peer(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PEER.toString());
        command.addAll(List.of(args));
        return TestProcesses.run(Duration.ofSeconds(60), null, null, command);
    }

    /** Runs the peer and requires success; returns its stdout. */
    private static String peerOk(String... args) throws IOException, InterruptedException {
        TestProcesses.Result run = peer(args);
        assertEquals(0, run.exit(), run.describe());
        assertEquals("", run.err(), run.describe());
        return run.out();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
