package dev.jshm;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What several tests need: segments that clean up after themselves, snapshots, {@code ipcs}. */
final class TestSegments {

    private TestSegments() {
    }

    /**
     * A new private segment already marked for removal, so it vanishes when it is closed (or
     * when the test JVM dies). Its bytes follow {@link #patternByte(long)}.
     */
    static SysVSegment patterned(long size) {
        SysVSegment segment = SysVSegment.createPrivate(size);
        try {
            segment.remove();
            byte[] bytes = new byte[(int) size];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = patternByte(i);
            }
            segment.write(0, bytes);
            return segment;
        } catch (RuntimeException | Error e) {
            segment.close();
            throw e;
        }
    }

    /** 'A'..'Z' over and over: never NUL, plain ASCII, so strings read from it are predictable. */
    static byte patternByte(long index) {
        return (byte) ('A' + index % 26);
    }

    /** The pattern bytes {@code [from, to)} as a string. */
    static String patternString(long from, long to) {
        byte[] bytes = new byte[(int) (to - from)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = patternByte(from + i);
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Every byte of the segment, read with one copy. */
    static byte[] snapshot(Segment segment) {
        byte[] bytes = new byte[(int) segment.size()];
        segment.read(0, bytes);
        return bytes;
    }

    /** {@code bytes} little- or big-endian as the platform is: what a typed access reads. */
    static long nativeOrderBits(byte[] bytes, int offset, int width) {
        long bits = 0;
        for (int i = 0; i < width; i++) {
            long b = bytes[offset + i] & 0xffL;
            int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            bits |= b << shift;
        }
        return bits;
    }

    /** A key no segment uses right now, for tests that need a segment reachable by key. */
    static SysVSegment createWithFreshKey(long size) {
        for (int attempt = 0; ; attempt++) {
            // Keys with a recognisable top byte, away from 0 (IPC_PRIVATE) and from -1.
            int key = 0x7e000000 | ThreadLocalRandom.current().nextInt(1, 0x00ffffff);
            try {
                return SysVSegment.create(key, size);
            } catch (SegmentExistsException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** Removes a segment by id, ignoring that it is already gone. */
    static void removeQuietly(int shmid) {
        try {
            SysVSegment.removeById(shmid);
        } catch (SegmentNotFoundException | ShmInvalidArgumentException e) {
            // already gone
        }
    }

    /** The shmids that {@code ipcs -m} lists now (every user's). */
    static Set<Integer> ipcsShmids() throws IOException, InterruptedException {
        Process ipcs = new ProcessBuilder("ipcs", "-m").redirectErrorStream(true).start();
        String out = new String(ipcs.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ipcs.waitFor(30, TimeUnit.SECONDS) || ipcs.exitValue() != 0) {
            throw new IOException("ipcs -m failed: " + out);
        }
        Set<Integer> ids = new HashSet<>();
        Pattern row = Pattern.compile("^0x[0-9a-fA-F]+\\s+(\\d+)\\s.*");
        for (String line : out.split("\n")) {
            var m = row.matcher(line.trim());
            if (m.matches()) {
                ids.add(Integer.parseInt(m.group(1)));
            }
        }
        return ids;
    }

    /** The {@code hs_err_pid*.log} files in {@code dir}. */
    static Set<Path> crashLogs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).collect(Collectors.toSet());
        }
    }

    /** The Maven {@code target/} directory this test run writes to. */
    static Path targetDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    }
}
