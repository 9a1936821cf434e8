package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code jshm pingpong}, in process: it starts its echo JVM, measures for a second, reports, and cleans up. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PingPongCommandTest {

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] command = new String[args.length + 1];
        command[0] = "pingpong";
        System.arraycopy(args, 0, command, 1, args.length);
        int status = Main.run(command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static double value(String out, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+([0-9.]+) us").matcher(out);
        assertTrue(m.find(), () -> "no \"" + label + "\" line in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    // Not "spin": two spinning processes on a shared, busy 2-core machine can wait whole
    // scheduler slices for each other; yield and futex give the processor back.
    @ParameterizedTest
    @ValueSource(strings = {"yield", "futex"})
    void runsForOneSecondAndPrintsThePercentiles(String idle) {
        Run run = run("--seconds", "1", "--size", "64", "--idle", idle);
        System.out.print(run.out());
        assertEquals(0, run.status(), () -> "stderr: " + run.err());
        assertEquals("", run.err());
        double p50 = value(run.out(), "rtt p50:");
        double p99 = value(run.out(), "rtt p99:");
        double p999 = value(run.out(), "rtt p99.9:");
        double max = value(run.out(), "rtt max:");
        assertTrue(0 < p50 && p50 <= p99 && p99 <= p999 && p999 <= max, run.out());
        Matcher rate = Pattern.compile("round trips: (\\d+) in ([0-9.]+) s: (\\d+) round trips/s, (\\d+) messages/s").matcher(run.out());
        assertTrue(rate.find(), run.out());
        long roundTrips = Long.parseLong(rate.group(1));
        assertTrue(roundTrips >= 1, "round trips in a second: " + roundTrips);
        assertEquals(2 * Long.parseLong(rate.group(3)), Long.parseLong(rate.group(4)), 2.0);
        String name = "jshm-pingpong-" + ProcessHandle.current().pid();
        assertFalse(Files.exists(Path.of("/dev/shm", name)), "the POSIX object is unlinked");
        assertTrue(run.out().contains("idle " + idle), run.out());
    }

    @Test
    void jsonPrintsOneObjectWithThePercentiles() {
        Run run = run("--seconds", "0.5", "--idle", "yield", "--json");
        assertEquals(0, run.status(), () -> "stderr: " + run.err());
        String out = run.out().trim();
        assertTrue(out.startsWith("{") && out.endsWith("}"), out);
        for (String field : new String[] {"\"roundTrips\": ", "\"rttNanos\": {", "\"p50\": ", "\"p99\": ", "\"idle\": \"yield\""}) {
            assertTrue(out.contains(field), field + " in " + out);
        }
        Matcher p50 = Pattern.compile("\"p50\": (\\d+)").matcher(out);
        assertTrue(p50.find() && Long.parseLong(p50.group(1)) > 0, out);
    }

    /** --size takes units, as every size the tool takes does. */
    @Test
    void sizeTakesUnits() {
        Run run = run("--seconds", "0.5", "--size", "1K", "--idle", "yield", "--json");
        assertEquals(0, run.status(), () -> "stderr: " + run.err());
        assertTrue(Pattern.compile("\"size\": 1024\\b").matcher(run.out()).find(), run.out());
        Run tooLarge = run("--size", "4G");
        assertEquals(2, tooLarge.status(), tooLarge::toString);
        assertTrue(tooLarge.err().startsWith("jshm: --size 4294967296 must be in [8, " + PingPong.MAX_SIZE + "]"), tooLarge.err());
    }

    @Test
    void badArgumentsExitWithStatus2AndUsage() {
        for (String[] args : new String[][] {{"--size", "4"}, {"--idle", "sleep"}, {"--seconds", "0"}, {"--bogus", "1"},
                {"--seconds"}, {"--size", "many"}, {"--size", "1.5X"}}) {
            Run run = run(args);
            assertEquals(2, run.status(), String.join(" ", args));
            assertTrue(run.err().startsWith("jshm: "), run.err());
            assertFalse(run.err().contains("pingpong: "), "no second prefix: " + run.err());
        }
    }

    @Test
    void percentilesAreNearestRank() {
        long[] samples = LongStream.rangeClosed(1, 1000).toArray();
        assertEquals(500, PingPong.percentile(samples, 0.50));
        assertEquals(990, PingPong.percentile(samples, 0.99));
        assertEquals(999, PingPong.percentile(samples, 0.999));
        assertEquals(7, PingPong.percentile(new long[] {7}, 0.999));
        assertEquals(0, PingPong.percentile(new long[0], 0.5));
    }
}
