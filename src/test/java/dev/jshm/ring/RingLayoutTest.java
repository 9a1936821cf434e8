package dev.jshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.jshm.Access;
import dev.jshm.PosixSegment;
import dev.jshm.ShmException;
import dev.jshm.TestProcesses;
import dev.jshm.TestShm;

/**
 * The binary layout: what Java creates C attaches, and the reverse; what is not a valid ring
 * both refuse, naming what is wrong; and the Java constants match the C header.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingLayoutTest {

    private static final Path HEADER = TestProcesses.basedir().resolve("src/main/c/jshm_ring.h");
    private static final Path FORMAT = TestProcesses.basedir().resolve("docs/ring-format.md");

    @RegisterExtension
    static final TestShm.Objects objects = new TestShm.Objects();
    @RegisterExtension
    final RingPeers peers = new RingPeers();

    private String cAttach(PosixSegment segment, long offset) throws Exception {
        return peers.startC("attach", "name=" + segment.name(), "offset=" + offset).awaitSuccess(Duration.ofSeconds(30));
    }

    @Test
    void javaConstantsMatchTheCHeader() throws Exception {
        String header = Files.readString(HEADER);
        Map<String, Long> defines = new HashMap<>();
        Matcher d = Pattern.compile("#define (JSHM_RING_\\w+)\\s+(?:UINT64_C\\()?\\(?(-?(?:0x[0-9A-Fa-f]+|\\d+))u?(?: << (\\d+))?").matcher(header);
        while (d.find()) {
            long value = Long.decode(d.group(2));
            defines.put(d.group(1), d.group(3) == null ? value : value << Integer.parseInt(d.group(3)));
        }
        assertEquals(RingDescriptor.MAGIC, defines.get("JSHM_RING_MAGIC"));
        assertEquals(RingDescriptor.VERSION, defines.get("JSHM_RING_VERSION"));
        assertEquals(RingDescriptor.FLAG_MANY_PRODUCERS, defines.get("JSHM_RING_MANY_PRODUCERS"));
        assertEquals(RingDescriptor.HEADER_LENGTH, defines.get("JSHM_RING_HEADER_LENGTH"));
        assertEquals(RecordDescriptor.HEADER_LENGTH, defines.get("JSHM_RING_RECORD_HEADER_LENGTH"));
        assertEquals(RecordDescriptor.ALIGNMENT, defines.get("JSHM_RING_ALIGNMENT"));
        assertEquals(RecordDescriptor.PADDING_TYPE, defines.get("JSHM_RING_PADDING_TYPE"));
        assertEquals(RingDescriptor.MIN_CAPACITY, defines.get("JSHM_RING_MIN_CAPACITY"));
        assertEquals(RingDescriptor.MAX_CAPACITY, defines.get("JSHM_RING_MAX_CAPACITY"));
        // Not layout, but rules each side applies alike: the heartbeat interval, the claim pause,
        // the zeroing step.
        assertEquals(RingHeartbeats.BEAT_INTERVAL, defines.get("JSHM_RING_BEAT_INTERVAL"));
        assertEquals(RingHeartbeats.IDLE_BEAT_INTERVAL, defines.get("JSHM_RING_IDLE_BEAT_INTERVAL"));
        assertEquals(RingConsumer.CLAIM_PAUSE_SHIFT, defines.get("JSHM_RING_CLAIM_PAUSE_SHIFT"));
        assertEquals(RingConsumer.CLAIM_PAUSES_MAX, defines.get("JSHM_RING_CLAIM_PAUSES_MAX"));
        assertEquals(RingConsumer.ZERO_STEP, defines.get("JSHM_RING_ZERO_STEP"));

        // Every field of struct jshm_ring_header carries its offset in a comment: "/* 128: ...".
        Map<String, Integer> offsets = new HashMap<>();
        Matcher f = Pattern.compile("\\s(\\w+)(?:\\[\\d+])?;\\s+/\\*\\s*(\\d+):").matcher(header);
        while (f.find()) {
            offsets.put(f.group(1), Integer.parseInt(f.group(2)));
        }
        Map<String, Integer> java = Map.ofEntries(Map.entry("magic", RingDescriptor.MAGIC_OFFSET),
                Map.entry("version", RingDescriptor.VERSION_OFFSET), Map.entry("flags", RingDescriptor.FLAGS_OFFSET),
                Map.entry("capacity", RingDescriptor.CAPACITY_OFFSET),
                Map.entry("max_message_length", RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET),
                Map.entry("header_length", RingDescriptor.HEADER_LENGTH_OFFSET), Map.entry("tail", RingDescriptor.TAIL_OFFSET),
                Map.entry("head_cache", RingDescriptor.HEAD_CACHE_OFFSET),
                Map.entry("producer_heartbeat_ms", RingDescriptor.PRODUCER_HEARTBEAT_OFFSET),
                Map.entry("producer_pid", RingDescriptor.PRODUCER_PID_OFFSET), Map.entry("head", RingDescriptor.HEAD_OFFSET),
                Map.entry("consumer_heartbeat_ms", RingDescriptor.CONSUMER_HEARTBEAT_OFFSET),
                Map.entry("consumer_pid", RingDescriptor.CONSUMER_PID_OFFSET), Map.entry("futex", RingDescriptor.FUTEX_OFFSET),
                Map.entry("sleepers", RingDescriptor.SLEEPERS_OFFSET));
        for (Map.Entry<String, Integer> e : java.entrySet()) {
            assertEquals(e.getValue(), offsets.get(e.getKey()), "offset of " + e.getKey() + " in jshm_ring.h");
        }
    }

    /**
     * The promise of jshm_ring.h: jshm_ring.c is plain C11 and the header plain C++17, both
     * warning-free with -pedantic (-Werror makes a warning fail this test).
     */
    /** The layout document names the version Java and C write and attach accept, everywhere it names one. */
    @Test
    void theLayoutDocumentStatesTheVersion() throws Exception {
        String format = Files.readString(FORMAT);
        String version = Integer.toString(RingDescriptor.VERSION);
        assertTrue(format.startsWith("# The jshm message ring: binary layout and protocol, version " + version + "\n"),
                "title of " + FORMAT);
        Matcher field = Pattern.compile("\\| `version` +\\| create +\\| (\\d+)\\b").matcher(format);
        assertTrue(field.find(), "the version row of the header table in " + FORMAT);
        assertEquals(version, field.group(1), "the version row of the header table");
        Matcher check = Pattern.compile("\\| `version` is (\\d+) \\|").matcher(format);
        assertTrue(check.find(), "the version check of the attach table in " + FORMAT);
        assertEquals(version, check.group(1), "the version check of the attach table");
    }

    @Test
    void theRingBuildsAsPedanticC11AndItsHeaderAsCpp17() throws Exception {
        Path c = TestProcesses.basedir().resolve("src/main/c");
        Path object = Files.createTempFile("jshm_ring", ".o");
        try {
            for (ProcessBuilder build : new ProcessBuilder[] {
                new ProcessBuilder("gcc", "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", c.toString(), "-c",
                        "-o", object.toString(), c.resolve("jshm_ring.c").toString()),
                new ProcessBuilder("g++", "-std=c++17", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-x", "c++",
                        HEADER.toString())}) {
                TestProcesses.Result result = TestProcesses.run(Duration.ofSeconds(120), build.redirectErrorStream(true), null);
                assertEquals(0, result.exit(), () -> build.command() + "\n" + result.out());
                assertEquals("", result.out().trim(), () -> "no diagnostics from " + build.command());
            }
        } finally {
            Files.deleteIfExists(object);
        }
    }

    @Test
    void aRingJavaCreatesIsOneCAttaches() throws Exception {
        PosixSegment segment = objects.create(4096 + MessageRing.requiredSize(8192));
        MessageRing.create(segment, 0, 1024, ProducerMode.SINGLE);
        MessageRing.create(segment, 4096, 8192, ProducerMode.MANY);
        assertEquals("attach rc=0 error=none capacity=1024 max=128 flags=0", cAttach(segment, 0));
        assertEquals("attach rc=0 error=none capacity=8192 max=1024 flags=1", cAttach(segment, 4096));
    }

    @Test
    void aRingCCreatesIsOneJavaAttaches() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(16384));
        assertEquals("created capacity=16384 flags=1", peers.startC("create", "name=" + segment.name(), "capacity=16384",
                "flags=1").awaitSuccess(Duration.ofSeconds(30)));
        MessageRing ring = MessageRing.attach(segment);
        assertEquals(16384, ring.capacity());
        assertEquals(2048, ring.maxMessageLength());
        assertEquals(ProducerMode.MANY, ring.producerMode());
        assertEquals(RingDescriptor.MAGIC, segment.getLong(0));
        // And it works: C produces (less than fills the ring), Java consumes.
        peers.startC("produce", "name=" + segment.name(), "count=100").awaitSuccess(Duration.ofSeconds(30));
        RingTestMessages.Checker checker = new RingTestMessages.Checker(1, 0);
        assertEquals(100, ring.drain(checker));
    }

    private static RingFormatException refused(PosixSegment segment, long offset, RingFormatException.Reason reason, String text) {
        RingFormatException e = assertThrows(RingFormatException.class, () -> MessageRing.attach(segment, offset));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(text), () -> "\"" + text + "\" missing from: " + e.getMessage());
        assertTrue(e.getMessage().contains(segment.name()), "names the segment: " + e.getMessage());
        return e;
    }

    @Test
    void attachRefusesWhatIsNotAValidRingAndSaysWhy() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(4096));
        MessageRing.create(segment, 4096);
        assertEquals("attach rc=0 error=none capacity=4096 max=512 flags=0", cAttach(segment, 0));

        segment.putLong(0, 0x1234L);
        ShmException asShm = refused(segment, 0, RingFormatException.Reason.BAD_MAGIC, "magic number 0x1234 is not a jshm ring's");
        assertEquals(0, asShm.errno());
        assertTrue(cAttach(segment, 0).startsWith("attach rc=-74 error=EBADMSG"));

        segment.putLong(0, RingDescriptor.MAGIC);
        segment.putInt(RingDescriptor.VERSION_OFFSET, 1);
        refused(segment, 0, RingFormatException.Reason.UNSUPPORTED_VERSION, "layout version 1 is not supported (this code reads version " + RingDescriptor.VERSION + ")");
        assertTrue(cAttach(segment, 0).startsWith("attach rc=-93 error=EPROTONOSUPPORT"));

        segment.putInt(RingDescriptor.VERSION_OFFSET, RingDescriptor.VERSION);
        segment.putInt(RingDescriptor.CAPACITY_OFFSET, 3000);
        refused(segment, 0, RingFormatException.Reason.BAD_HEADER, "capacity 3000 is not a power of two");
        assertTrue(cAttach(segment, 0).startsWith("attach rc=-74 error=EBADMSG"));

        segment.putInt(RingDescriptor.CAPACITY_OFFSET, 8192);
        segment.putInt(RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 1024);
        refused(segment, 0, RingFormatException.Reason.TOO_SMALL, "its capacity 8192 needs 8704 bytes from offset 0 but the segment has only 4608");
        assertTrue(cAttach(segment, 0).startsWith("attach rc=-34 error=ERANGE"));

        segment.putInt(RingDescriptor.CAPACITY_OFFSET, 4096);
        segment.putInt(RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 512);
        segment.putInt(RingDescriptor.FLAGS_OFFSET, 0x10);
        refused(segment, 0, RingFormatException.Reason.BAD_HEADER, "flags 0x10 has unknown bits");
        segment.putInt(RingDescriptor.FLAGS_OFFSET, 0);
        segment.putInt(RingDescriptor.HEADER_LENGTH_OFFSET, 256);
        refused(segment, 0, RingFormatException.Reason.BAD_HEADER, "header length 256 is not 512");
        segment.putInt(RingDescriptor.HEADER_LENGTH_OFFSET, 512);
        MessageRing.attach(segment);

        refused(segment, 4104, RingFormatException.Reason.TOO_SMALL, "too few for a 512-byte ring header at offset 4104");
    }

    @Test
    void aHalfBuiltRingIsRefused() throws Exception {
        PosixSegment segment = objects.create(MessageRing.requiredSize(4096));
        // A creator that died before its last store: every field written, the magic still 0.
        MessageRing.create(segment, 4096);
        segment.putLong(0, 0);
        refused(segment, 0, RingFormatException.Reason.NOT_FORMATTED,
                "its magic number is 0, so no ring was created there, or its creator has not finished (or died) formatting it");
        assertTrue(cAttach(segment, 0).startsWith("attach rc=-61 error=ENODATA"));
        // Fresh, never formatted memory reads the same.
        PosixSegment fresh = objects.create(MessageRing.requiredSize(4096));
        refused(fresh, 0, RingFormatException.Reason.NOT_FORMATTED, "magic number is 0");
        // And a C creator re-formats over a broken ring.
        assertEquals("created capacity=4096 flags=0",
                peers.startC("create", "name=" + segment.name(), "capacity=4096").awaitSuccess(Duration.ofSeconds(30)));
        assertEquals(4096, MessageRing.attach(segment).capacity());
    }

    @Test
    void createAndAttachRefuseUnusableSegments() {
        PosixSegment segment = objects.create(MessageRing.requiredSize(1024));
        MessageRing.create(segment, 1024);
        try (PosixSegment readOnly = PosixSegment.open(segment.name(), Access.READ_ONLY)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessageRing.attach(readOnly));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MessageRing.create(segment, 0, 1000, ProducerMode.SINGLE));
        IndexOutOfBoundsException tooSmall = assertThrows(IndexOutOfBoundsException.class, () -> MessageRing.create(segment, 2048));
        assertTrue(tooSmall.getMessage().contains("length=2560"), tooSmall.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MessageRing.attach(segment, 4));
        refused(segment, -8, RingFormatException.Reason.TOO_SMALL, "offset -8");
    }
}
