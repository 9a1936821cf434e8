package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import dev.jshm.SysVSegment;
import dev.jshm.SysVStat;

/**
 * Runs the packaged jar as users do ({@code java -jar jshm.jar ...} in a process of its own, from
 * an empty working directory) for the command-line ITs, and removes every segment, object and
 * file a test made, also when it failed: System V keys, shmids (only while they still have the
 * creator they had), POSIX names and files. Keys are random in {@code 0x4a55xxxx}; POSIX names
 * start with {@code jshm-cli-it-PID-}.
 */
final class JshmRunner implements AutoCloseable {

    static final Path JAR = Path.of(Objects.requireNonNull(System.getProperty("jshm.jar"),
            "system property jshm.jar (set by failsafe)"));
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final long TIMEOUT_SECONDS = 120;
    private static final int KEY_BASE = 0x4a550000;

    /** What one run of a process left behind. */
    record Run(List<String> command, long pid, int exit, String out, String err) {
        @Override
        public String toString() {
            return String.join(" ", command) + "\n-> exit " + exit + "\n-- stdout:\n" + out + "-- stderr:\n" + err;
        }
    }

    private final Path workDir;
    private final Path scratch;
    private final String namePrefix = "jshm-cli-it-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24)) + "-";
    private final List<Integer> keys = new ArrayList<>();
    private final Map<Integer, Long> shmids = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();
    private int runs;

    /** Runs in the empty directory {@code workDir}; its own files go to {@code scratch}. */
    JshmRunner(Path workDir, Path scratch) {
        this.workDir = workDir;
        this.scratch = scratch;
    }

    // ---- running --------------------------------------------------------------------------------

    Run jshm(String... args) {
        return jshmWithInput("", args);
    }

    Run jshmWithInput(String stdin, String... args) {
        return jshmWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    Run jshmWithInput(byte[] stdin, String... args) {
        Run run = run(javaJar(args), stdin, workDir, Map.of());
        try (var left = Files.list(workDir)) {
            assertEquals(List.of(), left.toList(), "files left in the working directory by " + run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run;
    }

    static List<String> javaJar(String... args) {
        List<String> all = new ArrayList<>(List.of(JAVA, "-Xcheck:jni", "-jar", JAR.toString()));
        all.addAll(Arrays.asList(args));
        return all;
    }

    /** Runs {@code command} to its end; the streams go through files, so no pipe can fill up. */
    Run run(List<String> command, byte[] stdin, Path cwd, Map<String, String> env) {
        int n = ++runs;
        Path in = scratch.resolve("in-" + n);
        Path out = scratch.resolve("out-" + n);
        Path err = scratch.resolve("err-" + n);
        try {
            Files.write(in, stdin);
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            // Lenient decoding: read --raw writes bytes that are not UTF-8 (see lastStdoutBytes).
            return new Run(command, process.pid(), process.exitValue(),
                    new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** The raw bytes a run wrote to standard output (for read --raw). */
    byte[] lastStdoutBytes() {
        try {
            return Files.readAllBytes(scratch.resolve("out-" + runs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code name: value} lines of {@code stat} up to the blank line before its dump; checks
     * that the values start in one column.
     */
    static Map<String, String> statFields(String stat) {
        Map<String, String> fields = new LinkedHashMap<>();
        int column = -1;
        for (String line : stat.lines().takeWhile(l -> !l.isEmpty()).toList()) {
            Matcher field = Pattern.compile("([a-zA-Z]+): +(\\S.*)").matcher(line);
            assertTrue(field.matches(), () -> "'" + line + "' in\n" + stat);
            column = column < 0 ? field.start(2) : column;
            assertEquals(column, field.start(2), () -> "alignment of '" + line + "' in\n" + stat);
            fields.put(field.group(1), field.group(2));
        }
        return fields;
    }

    // ---- assertions -----------------------------------------------------------------------------

    static void assertSuccess(Run run, String expectedOut) {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertEquals(expectedOut, run.out(), run::toString);
    }

    /** Exit 0, nothing on stderr; answers stdout. */
    static String assertOk(Run run) {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        return run.out();
    }

    /** Exit status {@code exit}, nothing on stdout, one {@code jshm:} line on stderr naming every fragment. */
    static void assertFailure(Run run, int exit, String... fragments) {
        assertEquals(exit, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertOneErrorLine(run, fragments);
    }

    static void assertOneErrorLine(Run run, String... fragments) {
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run::toString);
        assertTrue(lines.get(0).startsWith("jshm: "), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
        for (String fragment : fragments) {
            assertTrue(lines.get(0).contains(fragment), () -> "'" + fragment + "' in " + run);
        }
    }

    // ---- what tests make --------------------------------------------------------------------------

    /** A fresh random key with no segment, removed after the test. */
    int newKey() {
        while (true) {
            int key = KEY_BASE | ThreadLocalRandom.current().nextInt(1, 0x10000);
            if (!keys.contains(key) && !keyExists(key)) {
                keys.add(key);
                return key;
            }
        }
    }

    private static boolean keyExists(int key) {
        try {
            SysVSegment.idOf(key);
            return true;
        } catch (SegmentNotFoundException e) {
            return false;
        }
    }

    /** Registers a segment the test made by other means, removed after it while it keeps its creator. */
    void addShmid(int shmid) {
        shmids.putIfAbsent(shmid, SysVSegment.statById(shmid).cpid());
    }

    /** A fresh POSIX name ({@code /jshm-cli-it-...}), unlinked after the test. */
    String newName(String suffix) {
        String name = "/" + namePrefix + suffix;
        names.add(name);
        return name;
    }

    static String hex(int key) {
        return String.format("0x%08x", key);
    }

    /** A System V segment made by {@code ipcmk}, whose creator has ended by the time this returns. */
    int ipcmk(long size, String mode) {
        Run made = run(List.of("ipcmk", "-M", Long.toString(size), "-p", mode), new byte[0], scratch, Map.of("LC_ALL", "C"));
        assertEquals(0, made.exit(), made::toString);
        Matcher id = Pattern.compile("Shared memory id: (\\d+)").matcher(made.out());
        assertTrue(id.find(), made::toString);
        int shmid = Integer.parseInt(id.group(1));
        addShmid(shmid);
        return shmid;
    }

    /** The shmid {@code create} printed, after checking it printed only that. */
    int shmidOf(Run created) {
        assertEquals(0, created.exit(), created::toString);
        assertEquals("", created.err(), created::toString);
        assertTrue(created.out().matches("\\d+\n"), created::toString);
        int shmid = Integer.parseInt(created.out().trim());
        addShmid(shmid);
        return shmid;
    }

    // ---- the system's view ----------------------------------------------------------------------

    /** The data rows of {@code ipcs -m} by shmid: key, shmid, owner, perms, bytes, nattch[, status]. */
    Map<Integer, List<String>> ipcsRows() {
        Run run = run(List.of("ipcs", "-m"), new byte[0], scratch, Map.of("LC_ALL", "C"));
        assertEquals(0, run.exit(), run::toString);
        Map<Integer, List<String>> rows = new LinkedHashMap<>();
        run.out().lines().map(String::trim).filter(l -> l.startsWith("0x"))
                .forEach(l -> rows.put(Integer.parseInt(l.split("\\s+")[1]), List.of(l.split("\\s+"))));
        return rows;
    }

    /** {@code ls -l /dev/shm} rows by file name: mode, links, owner, group, size, ... */
    Map<String, List<String>> lsDevShm() {
        Run run = run(List.of("ls", "-l", "--time-style=+%s", "/dev/shm"), new byte[0], scratch, Map.of("LC_ALL", "C"));
        assertEquals(0, run.exit(), run::toString);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        run.out().lines().map(l -> List.of(l.trim().split("\\s+"))).filter(row -> row.size() >= 7)
                .forEach(row -> rows.put(row.get(6), row));
        return rows;
    }

    // ---- cleanup --------------------------------------------------------------------------------

    /** Removes what the test made that is still there. */
    @Override
    public void close() {
        for (int key : keys) {
            try {
                SysVSegment.removeById(SysVSegment.idOf(key));
            } catch (ShmException e) {
                // Removed by the test itself, as it should be.
            }
        }
        for (Map.Entry<Integer, Long> entry : shmids.entrySet()) {
            try {
                SysVStat stat = SysVSegment.statById(entry.getKey());
                if (stat.cpid() == entry.getValue() && !stat.removed()) {
                    SysVSegment.removeById(entry.getKey());
                }
            } catch (ShmException e) {
                // Gone already.
            }
        }
        for (String name : names) {
            try {
                PosixSegment.unlink(name);
            } catch (ShmException e) {
                // Gone already.
            }
        }
    }
}
