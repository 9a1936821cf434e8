package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jshm.TestProcesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import dev.jshm.SysVSegment;
import dev.jshm.stat.SysVStat;

/**
 * Runs the packaged jar as users do ({@code java -Xcheck:jni -jar jshm.jar ...} in a process of its
 * own, from an empty working directory) for the command-line ITs, and removes every segment,
 * object and file a test made, also when it failed: System V keys, shmids (only while they still
 * have the creator and the key they had), every System V segment a process this runner started
 * created (registered or not: a failed assertion may come before a test registers what a command
 * made), POSIX names and files. Keys are random in
 * {@code 0x4a55xxxx} unless a test asks for another base; POSIX names start with
 * {@code jshm-cli-it-PID-}. {@link CliItBase} makes one for each test.
 */
final class JshmRunner implements AutoCloseable {

    static final Path JAR = Path.of(Objects.requireNonNull(System.getProperty("jshm.jar"),
            "system property jshm.jar (set by failsafe)"));
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /** Any JNI warning the shim causes then shows up on stderr, which the tests check. */
    static final String CHECK_JNI = "-Xcheck:jni";
    static final long DEFAULT_TIMEOUT_SECONDS = 120;
    static final int KEY_BASE = 0x4a550000;

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
    private final long timeoutSeconds;
    private final List<Integer> keys = new ArrayList<>();
    /** Segments to remove by shmid: who made them, with what key (IPC_PRIVATE for private ones). */
    private final Map<Integer, Maker> shmids = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();
    /** Every process {@link #run} started: the creators whose System V segments {@link #close} removes. */
    private final Set<Long> startedPids = new HashSet<>();
    private int runs;

    private record Maker(long cpid, int key) {}

    /** Runs in the empty directory {@code workDir}; its own files go to {@code scratch}. */
    JshmRunner(Path workDir, Path scratch) {
        this(workDir, scratch, DEFAULT_TIMEOUT_SECONDS);
    }

    /** As {@link #JshmRunner(Path, Path)}, failing any process that runs longer than {@code timeoutSeconds}. */
    JshmRunner(Path workDir, Path scratch, long timeoutSeconds) {
        this.workDir = workDir;
        this.scratch = scratch;
        this.timeoutSeconds = timeoutSeconds;
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
        return javaJar(JAR, List.of(), args);
    }

    /** {@code java -Xcheck:jni OPTIONS -jar JAR ARGS}: every run of a jar checks JNI. */
    static List<String> javaJar(Path jar, List<String> jvmOptions, String... args) {
        List<String> all = new ArrayList<>(List.of(JAVA, CHECK_JNI));
        all.addAll(jvmOptions);
        all.addAll(List.of("-jar", jar.toString()));
        all.addAll(Arrays.asList(args));
        return all;
    }

    Run run(List<String> command, String stdin, Path cwd, Map<String, String> env) {
        return run(command, stdin.getBytes(StandardCharsets.UTF_8), cwd, env);
    }

    /** Runs {@code command} to its end; the streams go through files, so no pipe can fill up. */
    Run run(List<String> command, byte[] stdin, Path cwd, Map<String, String> env) {
        int n = ++runs;
        Path in = scratch.resolve("in-" + n);
        Path out = scratch.resolve("out-" + n);
        Path err = scratch.resolve("err-" + n);
        try {
            Files.write(in, stdin);
            // The JVM writes its own messages (-Xcheck:jni's) to stdout from its own threads, in the
            // middle of the tool's lines: log them apart instead.
            Path vmLog = scratch.resolve("vm-" + n + ".log");
            Path otherUsersLogDir = null;
            if (command.contains(CHECK_JNI)) {
                if (!command.get(0).equals(JAVA)) {
                    // Another user (setpriv) cannot write the scratch directory: its JVM logs into
                    // a directory of its own that anyone may write, removed after the run.
                    otherUsersLogDir = Files.createTempDirectory("jshm-cli-vm-");
                    Files.setPosixFilePermissions(otherUsersLogDir, PosixFilePermissions.fromString("rwxrwxrwx"));
                    vmLog = otherUsersLogDir.resolve("vm.log");
                }
                command = new ArrayList<>(command);
                command.addAll(command.indexOf(CHECK_JNI) + 1, TestProcesses.vmLogOptions(vmLog));
            }
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            // Their "Picked up ..." lines would land on the stderr the tests check.
            builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
            builder.environment().putAll(env);
            Process process = builder.start();
            startedPids.add(process.pid());
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            // Lenient decoding: read --raw writes bytes that are not UTF-8 (see lastStdoutBytes).
            return new Run(command, process.pid(), process.exitValue(),
                    new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    // The JVM's own messages (logged, see below) count as stderr, but for the
                    // report on jshm's SIGBUS handler, the one warning allowed.
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8) + vmOutputOnce(vmLog, otherUsersLogDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** The JVM's messages from {@code log}; removes {@code ownDir} (the log's own directory) if there is one. */
    private static String vmOutputOnce(Path log, Path ownDir) throws IOException {
        String text = TestProcesses.vmOutput(log);
        if (ownDir != null) {
            Files.deleteIfExists(log);
            Files.delete(ownDir);
        }
        return text;
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
        return newKey(KEY_BASE);
    }

    /** A fresh random key {@code base | 0x0001..0xffff} with no segment, removed after the test. */
    int newKey(int base) {
        while (true) {
            int key = base | ThreadLocalRandom.current().nextInt(1, 0x10000);
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

    /** Registers a segment the test made by other means, removed after it while it keeps its creator and key. */
    void addShmid(int shmid) {
        if (!shmids.containsKey(shmid)) {
            SysVStat stat = SysVSegment.statById(shmid);
            shmids.put(shmid, new Maker(stat.cpid(), stat.key()));
        }
    }

    /**
     * Registers a private segment process {@code cpid} made, which may be gone already: removed after
     * the test while it is still private and still has that creator (the id may be someone else's by then).
     */
    void addPrivateShmid(int shmid, long cpid) {
        shmids.putIfAbsent(shmid, new Maker(cpid, SysVSegment.IPC_PRIVATE));
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

    /** Whether {@code ipcs -m} lists a segment with the key {@code hexKey} ({@code 0x%08x}). */
    boolean ipcsLists(String hexKey) {
        return ipcsRows().values().stream().anyMatch(row -> row.get(0).equals(hexKey));
    }

    boolean ipcsListsKey(int key) {
        return ipcsLists(hex(key));
    }

    boolean ipcsListsShmid(int shmid) {
        return ipcsRows().containsKey(shmid);
    }

    /** The {@code ipcs -m} row of {@code key}, which must be there. */
    List<String> ipcsRow(int key) {
        return ipcsRows().values().stream().filter(row -> row.get(0).equals(hex(key))).findFirst()
                .orElseThrow(() -> new AssertionError(hex(key) + " not in ipcs -m"));
    }

    /** The {@code ipcs -m} row of {@code shmid}, which must be there. */
    List<String> ipcsRowOfShmid(int shmid) {
        List<String> row = ipcsRows().get(shmid);
        if (row == null) {
            throw new AssertionError("shmid " + shmid + " not in ipcs -m");
        }
        return row;
    }

    /** The {@code name=value} fields of {@code ipcs -m -i shmid} (the times' values are cut at a space). */
    Map<String, String> ipcsDetails(int shmid) {
        Run run = run(List.of("ipcs", "-m", "-i", Integer.toString(shmid)), new byte[0], scratch, Map.of("LC_ALL", "C"));
        assertEquals(0, run.exit(), run::toString);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : run.out().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        assertTrue(fields.keySet().containsAll(List.of("bytes", "access_perms", "nattch", "uid", "cpid", "lpid")),
                run::toString);
        return fields;
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
        ShmException failed = null;
        for (int key : keys) {
            try {
                SysVSegment.removeById(SysVSegment.idOf(key));
            } catch (SegmentNotFoundException e) {
                // Removed by the test itself, as it should be.
            } catch (ShmException e) {
                // Anything else is a failure, reported once the rest is cleaned up.
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        for (Map.Entry<Integer, Maker> entry : shmids.entrySet()) {
            try {
                SysVStat stat = SysVSegment.statById(entry.getKey());
                // Only a segment that process made: the id may belong to someone else by now.
                if (stat.cpid() == entry.getValue().cpid() && stat.key() == entry.getValue().key() && !stat.removed()) {
                    SysVSegment.removeById(entry.getKey());
                }
            } catch (ShmException e) {
                // Gone already.
            }
        }
        // What a process of this test made and the test never registered: a create whose output
        // failed an assertion before the test read the id from it. The creator's pid is this
        // test's own child's (pids are not reused within a test), so nobody else's segment goes.
        for (SysVStat stat : SysVSegment.list()) {
            if (startedPids.contains(stat.cpid()) && !stat.removed()) {
                try {
                    SysVSegment.removeById(stat.shmid());
                } catch (ShmException e) {
                    // Gone already.
                }
            }
        }
        for (String name : names) {
            try {
                PosixSegment.unlink(name);
            } catch (ShmException e) {
                // Gone already.
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
