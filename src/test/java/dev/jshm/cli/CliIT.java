package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.jshm.Access;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import dev.jshm.SysVSegment;
import dev.jshm.SysVStat;

/**
 * The packaged jar, run as users run it: {@code java -jar jshm.jar ...} in a process of its own,
 * from an empty working directory, with the test JVM's {@code java}. Every run's standard output,
 * standard error and exit status are checked, and the kernel's view ({@code ipcs -m}) where a
 * command changes it.
 *
 * <p>Keys are random ({@code 0x4a53xxxx}, and {@code 0xb5acxxxx} for keys with the high bit set),
 * so runs on one machine do not collide; every segment a test makes is removed after it, also
 * when it fails.
 */
class CliIT {

    private static final Path JAR = Path.of(Objects.requireNonNull(System.getProperty("jshm.jar"),
            "system property jshm.jar (set by failsafe)"));
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /** Any JNI warning the shim causes then shows up on stderr, which the tests check. */
    private static final String CHECK_JNI = "-Xcheck:jni";
    private static final long TIMEOUT_SECONDS = 60;

    private static final int KEY_BASE = 0x4a530000;
    private static final int HIGH_KEY_BASE = 0xb5ac0000;
    private static final List<String> COMMANDS = List.of("list", "stat", "create", "write", "read", "rm", "reap", "watch",
            "doctor", "demo", "bench", "pingpong");
    private static final Pattern SHMID = Pattern.compile("(\\d+)\n");

    @TempDir
    Path workDir;

    @TempDir
    Path scratch;

    private int runs;
    private final List<Integer> keys = new ArrayList<>();
    /** Private segments a test may have made: shmid and the pid of the process that made it. */
    private final List<long[]> privateSegments = new ArrayList<>();

    /** What one run of a process left behind. */
    record Run(List<String> command, long pid, int exit, String out, String err) {
        @Override
        public String toString() {
            return String.join(" ", command) + "\n-> exit " + exit + "\n-- stdout:\n" + out + "-- stderr:\n" + err;
        }
    }

    @AfterEach
    void removeWhatTheTestMade() {
        for (int key : keys) {
            try {
                SysVSegment.removeById(SysVSegment.idOf(key));
            } catch (SegmentNotFoundException e) {
                // Removed by the test itself, as it should be.
            }
        }
        for (long[] segment : privateSegments) {
            try {
                SysVStat stat = SysVSegment.statById((int) segment[0]);
                // Only a segment that process made: the id may belong to someone else by now.
                if (stat.key() == SysVSegment.IPC_PRIVATE && stat.cpid() == segment[1]) {
                    SysVSegment.removeById((int) segment[0]);
                }
            } catch (ShmException e) {
                // Gone already.
            }
        }
    }

    // ---- create, write, read, stat, rm ----------------------------------------------------------

    @Test
    void roundTripByHexKey() throws IOException {
        int key = newKey(KEY_BASE);
        String hex = hex(key);

        int shmid = shmidOf(jshm("create", "--key", hex, "--size", "4096"));
        assertEquals(List.of(hex, Integer.toString(shmid), System.getProperty("user.name"), "600", "4096", "0"),
                ipcsRow(key).subList(0, 6));

        assertSuccess(jshm("write", "--key", hex, "hello, shm"), "");
        assertSuccess(jshm("read", "--key", hex), "hello, shm\n");
        assertSuccess(jshm("read", "--key", hex, "--offset", "7"), "shm\n");
        assertSuccess(jshm("read", "--key", hex, "--length", "5"), "hello\n");

        // TEXT is written as given: "@file" is not replaced by the file's content.
        Path words = Files.writeString(scratch.resolve("words"), "expanded\n");
        assertSuccess(jshm("write", "--key", hex, "--offset", "100", "@" + words), "");
        assertSuccess(jshm("read", "--key", hex, "--offset", "100"), "@" + words + "\n");
        assertSuccess(jshm("read", "--key", hex), "hello, shm\n");

        assertSuccess(jshm("rm", "--key", hex), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
        assertFalse(ipcsListsKey(key), hex + " still in ipcs -m");
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
        assertFailure(jshm("read", "--key", hex), 3, "shmget(key=" + hex, "ENOENT");
    }

    @Test
    void keysAreDecimalHexOrNegativeDecimal() {
        int key = newKey(HIGH_KEY_BASE);
        String hex = hex(key);
        String unsigned = Integer.toUnsignedString(key);
        String negative = Integer.toString(key);
        assertTrue(key < 0, negative);

        int shmid = shmidOf(jshm("create", "--key", unsigned, "--size", "128"));
        assertEquals(Integer.toString(shmid), ipcsRow(key).get(1));

        assertSuccess(jshm("write", "--key", negative, "written by key " + negative), "");
        assertSuccess(jshm("read", "--key", hex), "written by key " + negative + "\n");
        assertSuccess(jshm("read", "--key", unsigned), "written by key " + negative + "\n");
        Map<String, String> stat = statFields(jshm("stat", "--key", negative));
        assertEquals(hex, stat.get("key"));
        assertEquals(Integer.toString(shmid), stat.get("shmid"));

        assertSuccess(jshm("rm", "--key", negative), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
        assertFalse(ipcsListsKey(key), hex + " still in ipcs -m");
    }

    @Test
    void privateSegmentRoundTripById() {
        Run created = jshm("create", "--key", "0", "--size", "256", "--mode", "0640");
        int shmid = shmidOf(created);
        privateSegments.add(new long[] {shmid, created.pid()});
        List<String> row = ipcsRowOfShmid(shmid);
        assertEquals(List.of("0x00000000", "640", "256"), List.of(row.get(0), row.get(3), row.get(4)));

        String id = Integer.toString(shmid);
        assertSuccess(jshm("write", "--id", id, "private text"), "");
        assertSuccess(jshm("read", "--id", id), "private text\n");
        assertSuccess(jshm("read", "--id", id, "--offset", "8", "--length", "3"), "tex\n");
        Map<String, String> stat = statFields(jshm("stat", "--id", id));
        assertEquals("0x00000000", stat.get("key"));
        assertEquals(id, stat.get("shmid"));
        assertEquals("256", stat.get("size"));
        assertEquals("0640 rw-r-----", stat.get("mode"));

        assertSuccess(jshm("rm", "--id", id), "removed sysv:id=" + id + "\n");
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
        // The kernel answers EINVAL for an id it does not have; the library passes that on.
        Run gone = jshm("read", "--id", id);
        assertNotEquals(0, gone.exit(), gone::toString);
        assertOneErrorLine(gone, "shmctl(shmid=" + id + ", IPC_STAT) failed");
    }

    @Test
    void createIsExclusiveUnlessAskedToOpen() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        int shmid = shmidOf(jshm("create", "--key", hex, "--size", "512"));

        assertFailure(jshm("create", "--key", hex, "--size", "512"), 5, "shmget(key=" + hex, "IPC_EXCL", "EEXIST");
        assertEquals(shmid, shmidOf(jshm("create", "--key", hex, "--size", "256", "--open-or-create")));
        // Larger than the segment that is there: the kernel refuses the size.
        assertFailure(jshm("create", "--key", hex, "--size", "1024", "--open-or-create"), 2, "EINVAL");
        assertEquals(Integer.toString(shmid), ipcsRow(key).get(1));
    }

    @Test
    void createRefusesBadModesAndSizes() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);

        assertFailure(jshm("create", "--key", hex, "--size", "64", "--mode", "999"), 2,
                "Invalid value for option '--mode': '999' is not an octal mode");
        assertFailure(jshm("create", "--key", hex, "--size", "64", "--mode", "1777"), 2,
                "only the permission bits 0777");
        assertFailure(jshm("create", "--key", hex, "--size", "0"), 2, "the size must be at least 1 byte");
        assertFailure(jshm("create", "--key", hex, "--size", "-5"), 2, "the size must be at least 1 byte");
        assertFailure(jshm("create", "--key", hex), 2, "Missing required option: '--size=BYTES'");
        assertFalse(ipcsListsKey(key), hex + " was created");
    }

    @Test
    void everyCommandSaysNotFoundForAMissingKey() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);

        assertFailure(jshm("read", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm("write", "--key", hex, "text"), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm("stat", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm("rm", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFalse(ipcsListsKey(key), hex + " was created");
    }

    @Test
    void keysAtTheEndsOfTheRangeAreAccepted() {
        for (String[] text : new String[][] {{"4294967295", "0xffffffff"}, {"-2147483648", "0x80000000"},
            {"0x7FFFFFFF", "0x7fffffff"}}) {
            assumeFalse(ipcsLists(text[1]), "a segment with key " + text[1] + " exists on this machine");
            assertFailure(jshm("read", "--key", text[0]), 3, "key=" + text[1], "ENOENT");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0xZZ", "banana", "0x100000000", "4294967296", "-2147483649", "", "1.5"})
    void badKeyTextIsAUsageError(String text) {
        assertFailure(jshm("read", "--key", text), 2,
                "Invalid value for option '--key': '" + text + "' is not a 32-bit key", "(see 'jshm read --help')");
    }

    @Test
    void exactlyOneOfKeyAndIdSelectsTheSegment() {
        assertFailure(jshm("read", "--key", hex(KEY_BASE | 1), "--id", "1"), 2,
                "--key=KEY, --id=ID are mutually exclusive");
        assertFailure(jshm("read", "--name", "/x", "--file", "/tmp/x"), 2, "mutually exclusive");
        assertFailure(jshm("read", "--file-offset", "8"), 2, "Missing required argument", "--file=PATH");
        assertFailure(jshm("stat"), 2, "Missing required argument", "--key=KEY", "--id=ID", "--name=NAME", "--file=PATH");
        assertFailure(jshm("read", "--key", "0"), 2, "--key 0 is IPC_PRIVATE", "use --id");
        assertFailure(jshm("rm", "--id", "-1"), 2, "--id -1: a segment id is never negative");
    }

    @Test
    void offsetsAndLengthsOutsideTheSegmentAreUsageErrors() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        shmidOf(jshm("create", "--key", hex, "--size", "64"));

        assertFailure(jshm("write", "--key", hex, "--offset", "60", "abcdef"), 2, "offset=60 length=7 size=64");
        assertFailure(jshm("read", "--key", hex, "--length", "65"), 2, "offset=0 length=65 size=64");
        assertFailure(jshm("read", "--key", hex, "--offset", "-1"), 2, "offset=-1");
        // Four bytes and the NUL end exactly at the end of the segment.
        assertSuccess(jshm("write", "--key", hex, "--offset", "59", "abcd"), "");
        assertSuccess(jshm("read", "--key", hex, "--offset", "59"), "abcd\n");
    }

    @Test
    void textIsUtf8InTheSegmentAndOnStdout() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        shmidOf(jshm("create", "--key", hex, "--size", "128"));
        String text = "grüße, 世界";

        // The JVM decodes arguments in the locale's charset: give it a UTF-8 one.
        assertSuccess(run(javaJar("write", "--key", hex, text), "", workDir, Map.of("LC_ALL", "C.UTF-8")), "");
        try (SysVSegment segment = SysVSegment.open(key, Access.READ_ONLY)) {
            assertEquals(text, segment.getString(0));
            assertEquals(0, segment.getByte(text.getBytes(StandardCharsets.UTF_8).length));
        }
        assertSuccess(jshm("read", "--key", hex), text + "\n");
    }

    // ---- stat ------------------------------------------------------------------------------------

    @Test
    void statAgreesWithIpcs() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        int shmid = shmidOf(jshm("create", "--key", hex, "--size", "3000", "--mode", "640"));

        // An attachment held by this JVM, so that nattch, lpid and the attach time mean something.
        try (SysVSegment holder = SysVSegment.open(key, Access.READ_ONLY)) {
            // --bytes 0: no dump, so no attach of our own to change lpid and the attach time.
            Map<String, String> stat = statFields(jshm("stat", "--key", hex, "--bytes", "0"));
            Map<String, String> ipcs = ipcsDetails(shmid);

            assertEquals(hex, stat.get("key"));
            assertEquals(Integer.toString(shmid), stat.get("shmid"));
            assertEquals("3000 (2.9 KiB)", stat.get("size"));
            assertEquals(ipcs.get("bytes") + " (2.9 KiB)", stat.get("size"));
            assertEquals("0640 rw-r-----", stat.get("mode"));
            assertEquals(ipcs.get("access_perms"), stat.get("mode").split(" ")[0]);
            assertEquals("1", stat.get("attachments"));
            assertEquals(ipcs.get("nattch"), stat.get("attachments"));
            for (String id : List.of("uid", "gid", "cuid", "cgid", "cpid", "lpid")) {
                assertEquals(ipcs.get(id), stat.get(id), id);
            }
            assertEquals(Long.toString(ProcessHandle.current().pid()), stat.get("lpid"));
            SysVStat own = holder.stat();
            assertEquals(own.attachTime(), statTime(stat.get("attachTime")));
            // create is a bare shmget: nothing has detached yet.
            assertEquals(Instant.EPOCH, own.detachTime());
            assertEquals("never", stat.get("detachTime"));
            assertEquals(own.changeTime(), statTime(stat.get("changeTime")));
            assertEquals("false", stat.get("removed"));
            assertEquals("false", stat.get("locked"));

            // Removed while attached: the segment stays, marked, without its key, until we detach.
            assertFailure(jshm("rm", "--key", hex), 7, "rm sysv:key=" + hex + ": refused: shmid " + shmid
                    + " is still attached by 1 process", "use --force");
            assertTrue(ipcsListsKey(key));
            assertSuccess(jshm("rm", "--key", hex, "--force"), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
            Map<String, String> removed = statFields(jshm("stat", "--id", Integer.toString(shmid)));
            assertEquals("true", removed.get("removed"));
            assertEquals("0x00000000", removed.get("key"));
            assertEquals("1", removed.get("attachments"));
            assertTrue(ipcsListsShmid(shmid));
        }
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void statSaysNeverForTimesThatNeverCame() {
        // ipcmk creates without attaching (the library always attaches what it creates).
        Run made = run(List.of("ipcmk", "-M", "100", "-p", "0600"), "", workDir, Map.of());
        assertEquals(0, made.exit(), made::toString);
        Matcher id = Pattern.compile("Shared memory id: (\\d+)").matcher(made.out());
        assertTrue(id.find(), made::toString);
        int shmid = Integer.parseInt(id.group(1));
        keys.add(SysVSegment.statById(shmid).key());

        Map<String, String> stat = statFields(jshm("stat", "--id", Integer.toString(shmid)));
        assertEquals("never", stat.get("attachTime"));
        assertEquals("never", stat.get("detachTime"));
        assertEquals("0", stat.get("attachments"));
        assertEquals("0600 rw-------", stat.get("mode"));
        assertEquals(SysVSegment.statById(shmid).changeTime(), OffsetDateTime.parse(stat.get("changeTime")).toInstant());

        assertSuccess(jshm("rm", "--id", Integer.toString(shmid)), "removed sysv:id=" + shmid + "\n");
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    // ---- demo ------------------------------------------------------------------------------------

    @Test
    void demoWalksTheSixStepsAndRemovesTheSegment() {
        Run run = jshmWithInput("hello from the seed\n", "demo");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        List<String> lines = run.out().lines().toList();
        int shmid = demoShmid(run, 1024);
        String address = attachAddress(run, shmid);
        assertEquals(List.of(
                "1. shmget(IPC_PRIVATE, 1024, IPC_CREAT|0600) -> shmid " + shmid,
                "2. shmat(" + shmid + ", NULL, 0) -> " + address + " (1024 bytes, nattch 1)",
                "3. putString(0, \"hello from the seed\") -> wrote 19 bytes and a NUL at offset 0",
                "4. getString(0) -> read back: hello from the seed",
                "5. shmdt(" + address + ") -> detached, nattch 0",
                "6. shmctl(" + shmid + ", IPC_RMID) -> removed"), lines, run::toString);
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void demoWritesAnEmptyStringForEmptyInput() {
        Run run = jshmWithInput("", "demo", "--size", "64");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        int shmid = demoShmid(run, 64);
        List<String> lines = run.out().lines().toList();
        assertEquals(6, lines.size(), run::toString);
        assertEquals("3. standard input was empty, so an empty string: putString(0, \"\") -> wrote 0 bytes"
                + " and a NUL at offset 0", lines.get(2));
        assertEquals("4. getString(0) -> read back: ", lines.get(3));
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void demoRemovesTheSegmentWhenAStepFails() {
        // 19 bytes and a NUL do not fit in 8.
        Run run = jshmWithInput("hello from the seed\n", "demo", "--size", "8");

        int shmid = demoShmid(run, 8);
        assertEquals(2, run.exit(), run::toString);
        assertOneErrorLine(run, "offset=0 length=20 size=8");
        assertEquals(List.of(
                "1. shmget(IPC_PRIVATE, 8, IPC_CREAT|0600) -> shmid " + shmid,
                "2. shmat(" + shmid + ", NULL, 0) -> " + attachAddress(run, shmid) + " (8 bytes, nattch 1)",
                "6. shmctl(" + shmid + ", IPC_RMID) -> removed after the failure"), run.out().lines().toList());
        assertFalse(ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    // ---- help, version, usage and failures -------------------------------------------------------

    @Test
    void topHelpListsTheCommandsAndExitStatuses() {
        Run run = jshm("--help");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("Usage: jshm [-hV] [--verbose] COMMAND\n"), run::toString);
        for (String command : COMMANDS) {
            assertTrue(run.out().contains("\n  " + command + " "), command + " in\n" + run);
        }
        assertTrue(run.out().contains("\nExit status:\n  0  success\n"), run::toString);
        for (String status : List.of("  3  no such segment", "  4  permission denied", "  5  the segment already exists",
                "  6  a system limit")) {
            assertTrue(run.out().contains(status), status + " in\n" + run);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "stat", "create", "write", "read", "rm", "reap", "watch", "doctor", "demo", "bench",
        "pingpong"})
    void everyCommandHasHelp(String command) {
        Run run = jshm(command, "--help");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("Usage: jshm " + command + " "), run::toString);
        assertTrue(run.out().contains("-h, --help"), run::toString);
        if (List.of("stat", "write", "read", "watch", "rm").contains(command)) {
            String synopsis = run.out().substring(0, run.out().indexOf("\n\n") < 0 ? run.out().length()
                    : run.out().indexOf("\n\n")).replaceAll("\\s+", " ");
            assertTrue(synopsis.contains("--key=KEY | --id=ID | --name=NAME | [--file=PATH [--file-offset=BYTES]]"),
                    run::toString);
        }
        assertSuccess(jshm("help", command), run.out());
    }

    @Test
    void versionIsTheJarsVersion() throws IOException {
        String version;
        try (JarFile jar = new JarFile(JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("META-INF/maven/dev.jshm/jshm/pom.properties"))) {
            Properties properties = new Properties();
            properties.load(in);
            version = properties.getProperty("version");
        }
        Run run = jshm("--version");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("jshm " + version + "\nJava "), run::toString);
    }

    @Test
    void missingOrUnknownCommandsAreUsageErrors() {
        assertFailure(jshm(), 2, "Missing required command", "(see 'jshm --help')");
        assertFailure(jshm("frobnicate"), 2, "Unmatched argument", "'frobnicate'");
        assertFailure(jshm("read", "--key", "1", "--bogus"), 2, "Unknown option: '--bogus'", "(see 'jshm read --help')");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheMessage() {
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        Run run = jshm("--verbose", "read", "--key", hex);

        assertEquals(3, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.get(0).startsWith("jshm: shmget(key=" + hex), run::toString);
        assertTrue(lines.get(1).startsWith("dev.jshm.SegmentNotFoundException: "), run::toString);
        assertTrue(run.err().contains("\tat dev.jshm.cli.ReadCommand.call("), run::toString);
    }

    @Test
    void anotherUserIsRefusedWithPermissionDenied() throws IOException {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "needs setpriv to run as another user");
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "needs root to switch users");
        int key = newKey(KEY_BASE);
        String hex = hex(key);
        shmidOf(jshm("create", "--key", hex, "--size", "64", "--mode", "644"));
        assertSuccess(jshm("write", "--key", hex, "the owner's text"), "");

        // nobody can read neither this build's directories nor @TempDirs: give it its own copy.
        Path open = Files.createTempDirectory("jshm-cli-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(JAR, open.resolve("jshm.jar"));
        try {
            List<String> asNobody = List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                    JAVA, CHECK_JNI, "-jar", jar.toString());
            assertFailure(run(concat(asNobody, "write", "--key", hex, "intruder"), "", open, Map.of()), 4,
                    "shmat(", "key=" + hex, "EACCES");
            assertFailure(run(concat(asNobody, "rm", "--key", hex), "", open, Map.of()), 4, "IPC_RMID", "EPERM");
            assertSuccess(run(concat(asNobody, "read", "--key", hex), "", open, Map.of()), "the owner's text\n");
        } finally {
            Files.delete(jar);
            Files.delete(open);
        }
        assertSuccess(jshm("read", "--key", hex), "the owner's text\n");
    }

    @Test
    void nativeLibraryThatCannotLoadIsReportedWithExitOne() throws IOException {
        Path emptyDir = Files.createDirectory(scratch.resolve("no-libraries"));
        List<String> command = List.of(JAVA, "-Djshm.native.workdir=/dev/null/not-a-directory",
                "-Djava.library.path=" + emptyDir, "-jar", JAR.toString(), "read", "--key", hex(KEY_BASE | 1));
        Run run = run(command, "", workDir, Map.of());

        assertEquals(1, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertTrue(run.err().startsWith("jshm: jshm native library could not be loaded"), run::toString);
        assertTrue(run.err().contains("/dev/null/not-a-directory"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    // ---- running the jar ------------------------------------------------------------------------

    private Run jshm(String... args) {
        return jshmWithInput("", args);
    }

    private Run jshmWithInput(String stdin, String... args) {
        Run run = run(javaJar(args), stdin, workDir, Map.of());
        try (Stream<Path> left = Files.list(workDir)) {
            assertEquals(List.of(), left.toList(), "files left in the working directory by " + run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run;
    }

    private static List<String> javaJar(String... args) {
        return concat(List.of(JAVA, CHECK_JNI, "-jar", JAR.toString()), args);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(tail));
        return all;
    }

    /** Runs {@code command} to its end; the streams go through files, so no pipe can fill up. */
    private Run run(List<String> command, String stdin, Path cwd, Map<String, String> env) {
        int n = ++runs;
        Path in = scratch.resolve("in-" + n);
        Path out = scratch.resolve("out-" + n);
        Path err = scratch.resolve("err-" + n);
        try {
            Files.writeString(in, stdin, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            // Their "Picked up ..." lines would land on the stderr the tests check.
            builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Run(command, process.pid(), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    // ---- assertions on runs ---------------------------------------------------------------------

    private static void assertSuccess(Run run, String expectedOut) {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertEquals(expectedOut, run.out(), run::toString);
    }

    /** Exit status {@code exit}, nothing on stdout, one {@code jshm:} line on stderr naming every fragment. */
    private static void assertFailure(Run run, int exit, String... fragments) {
        assertEquals(exit, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertOneErrorLine(run, fragments);
    }

    private static void assertOneErrorLine(Run run, String... fragments) {
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run::toString);
        assertTrue(lines.get(0).startsWith("jshm: "), run::toString);
        for (String fragment : fragments) {
            assertTrue(lines.get(0).contains(fragment), () -> "'" + fragment + "' in " + run);
        }
    }

    /** The shmid that {@code create} printed, after checking that it printed only that. */
    private static int shmidOf(Run created) {
        assertEquals(0, created.exit(), created::toString);
        assertEquals("", created.err(), created::toString);
        Matcher shmid = SHMID.matcher(created.out());
        assertTrue(shmid.matches(), created::toString);
        return Integer.parseInt(shmid.group(1));
    }

    /** The shmid in the demo's first line; registers the segment for removal in case the demo left it. */
    private int demoShmid(Run run, long size) {
        Matcher first = Pattern.compile("1\\. shmget\\(IPC_PRIVATE, " + size + ", IPC_CREAT\\|0600\\) -> shmid (\\d+)\n")
                .matcher(run.out());
        assertTrue(first.lookingAt(), run::toString);
        int shmid = Integer.parseInt(first.group(1));
        privateSegments.add(new long[] {shmid, run.pid()});
        return shmid;
    }

    /** The address the demo's second line reports, as {@code 0x...}. */
    private static String attachAddress(Run run, int shmid) {
        Matcher second = Pattern.compile("2\\. shmat\\(" + shmid + ", NULL, 0\\) -> (0x[0-9a-f]+) ").matcher(run.out());
        assertTrue(second.find(), run::toString);
        return second.group(1);
    }

    /** A time as {@code stat} prints it: ISO-8601, or "never" for the epoch. */
    private static Instant statTime(String text) {
        return text.equals("never") ? Instant.EPOCH : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * The {@code name: value} lines of {@code stat} up to the blank line before the dump, checked
     * for alignment and for every field of {@link SysVStat}.
     */
    private static Map<String, String> statFields(Run run) {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        Map<String, String> fields = new LinkedHashMap<>();
        int valueColumn = -1;
        Pattern line = Pattern.compile("([a-zA-Z]+): +(\\S.*)");
        for (String text : run.out().lines().takeWhile(l -> !l.isEmpty()).toList()) {
            Matcher field = line.matcher(text);
            assertTrue(field.matches(), () -> "'" + text + "' in " + run);
            if (valueColumn < 0) {
                valueColumn = field.start(2);
            }
            assertEquals(valueColumn, field.start(2), () -> "alignment of '" + text + "' in " + run);
            fields.put(field.group(1), field.group(2));
        }
        List<String> components = Arrays.stream(SysVStat.class.getRecordComponents()).map(RecordComponent::getName).toList();
        assertTrue(fields.keySet().containsAll(components), run::toString);
        assertEquals("sysv", fields.get("kind"), run::toString);
        return fields;
    }

    // ---- the kernel's view ----------------------------------------------------------------------

    /** A fresh random key with no segment, removed after the test. */
    private int newKey(int base) {
        while (true) {
            int key = base | ThreadLocalRandom.current().nextInt(1, 0x10000);
            if (!keys.contains(key) && !ipcsListsKey(key)) {
                keys.add(key);
                return key;
            }
        }
    }

    private static String hex(int key) {
        return String.format("0x%08x", key);
    }

    /** The data rows of {@code ipcs -m}: key, shmid, owner, perms, bytes, nattch[, status]. */
    private List<List<String>> ipcsRows() {
        Run run = run(List.of("ipcs", "-m"), "", scratch, Map.of());
        assertEquals(0, run.exit(), run::toString);
        return run.out().lines().map(String::trim).filter(l -> l.startsWith("0x"))
                .map(l -> List.of(l.split("\\s+"))).toList();
    }

    private boolean ipcsLists(String hexKey) {
        return ipcsRows().stream().anyMatch(row -> row.get(0).equals(hexKey));
    }

    private boolean ipcsListsKey(int key) {
        return ipcsLists(hex(key));
    }

    private boolean ipcsListsShmid(int shmid) {
        return ipcsRows().stream().anyMatch(row -> row.get(1).equals(Integer.toString(shmid)));
    }

    private List<String> ipcsRow(int key) {
        return ipcsRows().stream().filter(row -> row.get(0).equals(hex(key))).findFirst()
                .orElseThrow(() -> new AssertionError(hex(key) + " not in ipcs -m"));
    }

    private List<String> ipcsRowOfShmid(int shmid) {
        return ipcsRows().stream().filter(row -> row.get(1).equals(Integer.toString(shmid))).findFirst()
                .orElseThrow(() -> new AssertionError("shmid " + shmid + " not in ipcs -m"));
    }

    /** The {@code name=value} fields of {@code ipcs -m -i shmid} (the times' values are cut at a space). */
    private Map<String, String> ipcsDetails(int shmid) {
        Run run = run(List.of("ipcs", "-m", "-i", Integer.toString(shmid)), "", scratch, Map.of());
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
}
