package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.KEY_BASE;
import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertOneErrorLine;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.jshm.Access;
import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;
import dev.jshm.stat.SysVStat;

/**
 * The packaged jar, run as users run it: {@code java -jar jshm.jar ...} in a process of its own,
 * from an empty working directory, with the test JVM's {@code java}. Every run's standard output,
 * standard error and exit status are checked, and the kernel's view ({@code ipcs -m}) where a
 * command changes it.
 *
 * <p>Keys are random ({@code 0x4a55xxxx}, and {@code 0xb5acxxxx} for keys with the high bit set),
 * so runs on one machine do not collide; every segment a test makes is removed after it, also
 * when it fails (see {@link JshmRunner}).
 */
class CliIT extends CliItBase {

    private static final int HIGH_KEY_BASE = 0xb5ac0000;
    private static final List<String> COMMANDS = List.of("list", "stat", "create", "write", "read", "rm", "reap", "watch",
            "doctor", "demo", "bench", "pingpong", "completion");

    /** Every run of the jar here is a quick one. */
    @Override
    long timeoutSeconds() {
        return 60;
    }

    // ---- create, write, read, stat, rm ----------------------------------------------------------

    @Test
    void roundTripByHexKey() throws IOException {
        int key = jshm.newKey();
        String hex = hex(key);

        int shmid = jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "4096"));
        assertEquals(List.of(hex, Integer.toString(shmid), System.getProperty("user.name"), "600", "4096", "0"),
                jshm.ipcsRow(key).subList(0, 6));

        assertSuccess(jshm.jshm("write", "--key", hex, "hello, shm"), "");
        assertSuccess(jshm.jshm("read", "--key", hex), "hello, shm\n");
        assertSuccess(jshm.jshm("read", "--key", hex, "--offset", "7"), "shm\n");
        assertSuccess(jshm.jshm("read", "--key", hex, "--length", "5"), "hello\n");

        // TEXT is written as given: "@file" is not replaced by the file's content.
        Path words = Files.writeString(scratch.resolve("words"), "expanded\n");
        assertSuccess(jshm.jshm("write", "--key", hex, "--offset", "100", "@" + words), "");
        assertSuccess(jshm.jshm("read", "--key", hex, "--offset", "100"), "@" + words + "\n");
        assertSuccess(jshm.jshm("read", "--key", hex), "hello, shm\n");

        assertSuccess(jshm.jshm("rm", "--key", hex), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
        assertFalse(jshm.ipcsListsKey(key), hex + " still in ipcs -m");
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
        assertFailure(jshm.jshm("read", "--key", hex), 3, "shmget(key=" + hex, "ENOENT");
    }

    @Test
    void keysAreDecimalHexOrNegativeDecimal() {
        int key = jshm.newKey(HIGH_KEY_BASE);
        String hex = hex(key);
        String unsigned = Integer.toUnsignedString(key);
        String negative = Integer.toString(key);
        assertTrue(key < 0, negative);

        int shmid = jshm.shmidOf(jshm.jshm("create", "--key", unsigned, "--size", "128"));
        assertEquals(Integer.toString(shmid), jshm.ipcsRow(key).get(1));

        assertSuccess(jshm.jshm("write", "--key", negative, "written by key " + negative), "");
        assertSuccess(jshm.jshm("read", "--key", hex), "written by key " + negative + "\n");
        assertSuccess(jshm.jshm("read", "--key", unsigned), "written by key " + negative + "\n");
        Map<String, String> stat = sysvStatFields(jshm.jshm("stat", "--key", negative));
        assertEquals(hex, stat.get("key"));
        assertEquals(Integer.toString(shmid), stat.get("shmid"));

        assertSuccess(jshm.jshm("rm", "--key", negative), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
        assertFalse(jshm.ipcsListsKey(key), hex + " still in ipcs -m");
    }

    @Test
    void privateSegmentRoundTripById() {
        Run created = jshm.jshm("create", "--key", "0", "--size", "256", "--mode", "0640");
        // Registered for removal as long as it is private and has the creator it has now.
        int shmid = jshm.shmidOf(created);
        List<String> row = jshm.ipcsRowOfShmid(shmid);
        assertEquals(List.of("0x00000000", "640", "256"), List.of(row.get(0), row.get(3), row.get(4)));

        String id = Integer.toString(shmid);
        assertSuccess(jshm.jshm("write", "--id", id, "private text"), "");
        assertSuccess(jshm.jshm("read", "--id", id), "private text\n");
        assertSuccess(jshm.jshm("read", "--id", id, "--offset", "8", "--length", "3"), "tex\n");
        Map<String, String> stat = sysvStatFields(jshm.jshm("stat", "--id", id));
        assertEquals("0x00000000", stat.get("key"));
        assertEquals(id, stat.get("shmid"));
        assertEquals("256", stat.get("size"));
        assertEquals("0640 rw-r-----", stat.get("mode"));

        assertSuccess(jshm.jshm("rm", "--id", id), "removed sysv:id=" + id + "\n");
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
        // The kernel answers EINVAL for an id it does not have; the library passes that on.
        Run gone = jshm.jshm("read", "--id", id);
        assertNotEquals(0, gone.exit(), gone::toString);
        assertOneErrorLine(gone, "shmctl(shmid=" + id + ", IPC_STAT) failed");
    }

    @Test
    void createIsExclusiveUnlessAskedToOpen() {
        int key = jshm.newKey();
        String hex = hex(key);
        int shmid = jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "512"));

        assertFailure(jshm.jshm("create", "--key", hex, "--size", "512"), 5, "shmget(key=" + hex, "IPC_EXCL", "EEXIST");
        assertEquals(shmid, jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "256", "--open-or-create")));
        // Larger than the segment that is there: the kernel refuses the size.
        assertFailure(jshm.jshm("create", "--key", hex, "--size", "1024", "--open-or-create"), 2, "EINVAL");
        assertEquals(Integer.toString(shmid), jshm.ipcsRow(key).get(1));
    }

    @Test
    void createRefusesBadModesAndSizes() {
        int key = jshm.newKey();
        String hex = hex(key);

        assertFailure(jshm.jshm("create", "--key", hex, "--size", "64", "--mode", "999"), 2,
                "Invalid value for option '--mode': '999' is not an octal mode");
        assertFailure(jshm.jshm("create", "--key", hex, "--size", "64", "--mode", "1777"), 2,
                "only the permission bits 0777");
        assertFailure(jshm.jshm("create", "--key", hex, "--size", "0"), 2, "the size must be at least 1 byte");
        assertFailure(jshm.jshm("create", "--key", hex, "--size", "-5"), 2, "'-5' is not a size");
        assertFailure(jshm.jshm("create", "--key", hex), 2, "Missing required option: '--size=SIZE'");
        assertFalse(jshm.ipcsListsKey(key), hex + " was created");
    }

    @Test
    void everyCommandSaysNotFoundForAMissingKey() {
        int key = jshm.newKey();
        String hex = hex(key);

        assertFailure(jshm.jshm("read", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm.jshm("write", "--key", hex, "text"), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm.jshm("stat", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFailure(jshm.jshm("rm", "--key", hex), 3, "key=" + hex, "ENOENT");
        assertFalse(jshm.ipcsListsKey(key), hex + " was created");
    }

    @Test
    void keysAtTheEndsOfTheRangeAreAccepted() {
        for (String[] text : new String[][] {{"4294967295", "0xffffffff"}, {"-2147483648", "0x80000000"},
            {"0x7FFFFFFF", "0x7fffffff"}}) {
            assumeFalse(jshm.ipcsLists(text[1]), "a segment with key " + text[1] + " exists on this machine");
            assertFailure(jshm.jshm("read", "--key", text[0]), 3, "key=" + text[1], "ENOENT");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0xZZ", "banana", "0x100000000", "4294967296", "-2147483649", "", "1.5"})
    void badKeyTextIsAUsageError(String text) {
        assertFailure(jshm.jshm("read", "--key", text), 2,
                "Invalid value for option '--key': '" + text + "' is not a 32-bit key", "(see 'jshm read --help')");
    }

    @Test
    void exactlyOneOfKeyAndIdSelectsTheSegment() {
        assertFailure(jshm.jshm("read", "--key", hex(KEY_BASE | 1), "--id", "1"), 2,
                "--key=KEY, --id=ID are mutually exclusive");
        assertFailure(jshm.jshm("read", "--name", "/x", "--file", "/tmp/x"), 2, "mutually exclusive");
        assertFailure(jshm.jshm("read", "--file-offset", "8"), 2, "Missing required argument", "--file=PATH");
        assertFailure(jshm.jshm("stat"), 2, "Missing required argument", "--key=KEY", "--id=ID", "--name=NAME", "--file=PATH");
        assertFailure(jshm.jshm("read", "--key", "0"), 2, "--key 0 is IPC_PRIVATE", "use --id");
        assertFailure(jshm.jshm("rm", "--id", "-1"), 2, "--id -1: a segment id is never negative");
    }

    @Test
    void offsetsAndLengthsOutsideTheSegmentAreUsageErrors() {
        int key = jshm.newKey();
        String hex = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "64"));

        assertFailure(jshm.jshm("write", "--key", hex, "--offset", "60", "abcdef"), 2,
                "does not fit: 7 bytes at offset 60 exceed the segment's 64 bytes");
        assertFailure(jshm.jshm("read", "--key", hex, "--length", "65"), 2, "offset=0 length=65 size=64");
        assertFailure(jshm.jshm("read", "--key", hex, "--offset", "-1"), 2, "'-1' is not a size");
        // Four bytes and the NUL end exactly at the end of the segment.
        assertSuccess(jshm.jshm("write", "--key", hex, "--offset", "59", "abcd"), "");
        assertSuccess(jshm.jshm("read", "--key", hex, "--offset", "59"), "abcd\n");
    }

    @Test
    void textIsUtf8InTheSegmentAndOnStdout() {
        int key = jshm.newKey();
        String hex = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "128"));
        String text = "grüße, 世界";

        // The JVM decodes arguments in the locale's charset: give it a UTF-8 one.
        assertSuccess(jshm.run(JshmRunner.javaJar("write", "--key", hex, text), "", workDir, Map.of("LC_ALL", "C.UTF-8")), "");
        try (SysVSegment segment = SysVSegment.open(key, Access.READ_ONLY)) {
            assertEquals(text, segment.getString(0));
            assertEquals(0, segment.getByte(text.getBytes(StandardCharsets.UTF_8).length));
        }
        assertSuccess(jshm.jshm("read", "--key", hex), text + "\n");
    }

    // ---- stat ------------------------------------------------------------------------------------

    @Test
    void statAgreesWithIpcs() {
        int key = jshm.newKey();
        String hex = hex(key);
        int shmid = jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "3000", "--mode", "640"));

        // An attachment held by this JVM, so that nattch, lpid and the attach time mean something.
        try (SysVSegment holder = SysVSegment.open(key, Access.READ_ONLY)) {
            // --bytes 0: no dump, so no attach of our own to change lpid and the attach time.
            Map<String, String> stat = sysvStatFields(jshm.jshm("stat", "--key", hex, "--bytes", "0"));
            Map<String, String> ipcs = jshm.ipcsDetails(shmid);

            assertEquals(hex, stat.get("key"));
            assertEquals(Integer.toString(shmid), stat.get("shmid"));
            assertEquals("3000 (2.9K)", stat.get("size"));
            assertEquals(ipcs.get("bytes") + " (2.9K)", stat.get("size"));
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
            assertFailure(jshm.jshm("rm", "--key", hex), 7, "rm sysv:key=" + hex + ": refused: shmid " + shmid
                    + " is still attached by 1 process", "use --force");
            assertTrue(jshm.ipcsListsKey(key));
            assertSuccess(jshm.jshm("rm", "--key", hex, "--force"), "removed sysv:key=" + hex + " (shmid " + shmid + ")\n");
            Map<String, String> removed = sysvStatFields(jshm.jshm("stat", "--id", Integer.toString(shmid)));
            assertEquals("true", removed.get("removed"));
            assertEquals("0x00000000", removed.get("key"));
            assertEquals("1", removed.get("attachments"));
            assertTrue(jshm.ipcsListsShmid(shmid));
        }
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void statSaysNeverForTimesThatNeverCame() {
        // ipcmk creates without attaching (the library always attaches what it creates).
        int shmid = jshm.ipcmk(100, "0600");

        Map<String, String> stat = sysvStatFields(jshm.jshm("stat", "--id", Integer.toString(shmid)));
        assertEquals("never", stat.get("attachTime"));
        assertEquals("never", stat.get("detachTime"));
        assertEquals("0", stat.get("attachments"));
        assertEquals("0600 rw-------", stat.get("mode"));
        assertEquals(SysVSegment.statById(shmid).changeTime(), OffsetDateTime.parse(stat.get("changeTime")).toInstant());

        assertSuccess(jshm.jshm("rm", "--id", Integer.toString(shmid)), "removed sysv:id=" + shmid + "\n");
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    // ---- demo ------------------------------------------------------------------------------------

    @Test
    void demoWalksTheSixStepsAndRemovesTheSegment() {
        Run run = jshm.jshmWithInput("hello from the seed\n", "demo");

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
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void demoWritesAnEmptyStringForEmptyInput() {
        Run run = jshm.jshmWithInput("", "demo", "--size", "64");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        int shmid = demoShmid(run, 64);
        List<String> lines = run.out().lines().toList();
        assertEquals(6, lines.size(), run::toString);
        assertEquals("3. standard input was empty, so an empty string: putString(0, \"\") -> wrote 0 bytes"
                + " and a NUL at offset 0", lines.get(2));
        assertEquals("4. getString(0) -> read back: ", lines.get(3));
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    @Test
    void demoRemovesTheSegmentWhenAStepFails() {
        // 19 bytes and a NUL do not fit in 8.
        Run run = jshm.jshmWithInput("hello from the seed\n", "demo", "--size", "8");

        int shmid = demoShmid(run, 8);
        assertEquals(2, run.exit(), run::toString);
        assertOneErrorLine(run, "offset=0 length=20 size=8");
        assertEquals(List.of(
                "1. shmget(IPC_PRIVATE, 8, IPC_CREAT|0600) -> shmid " + shmid,
                "2. shmat(" + shmid + ", NULL, 0) -> " + attachAddress(run, shmid) + " (8 bytes, nattch 1)",
                "6. shmctl(" + shmid + ", IPC_RMID) -> removed after the failure"), run.out().lines().toList());
        assertFalse(jshm.ipcsListsShmid(shmid), shmid + " still in ipcs -m");
    }

    // ---- help, version, usage and failures -------------------------------------------------------

    @Test
    void topHelpListsTheCommandsAndExitStatuses() {
        Run run = jshm.jshm("--help");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("Usage: jshm [-hV] [--verbose] COMMAND\n"), run::toString);
        for (String command : COMMANDS) {
            assertTrue(run.out().contains("\n  " + command + " "), command + " in\n" + run);
        }
        assertTrue(run.out().contains("\nExit status:\n  0   success\n"), run::toString);
        for (String status : List.of("  3   no such segment", "  4   permission denied", "  5   the segment already exists",
                "  6   a system limit", "  7   refused")) {
            assertTrue(run.out().contains(status), status + " in\n" + run);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "stat", "create", "write", "read", "rm", "reap", "watch", "doctor", "demo", "bench",
        "pingpong", "completion"})
    void everyCommandHasHelp(String command) {
        Run run = jshm.jshm(command, "--help");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        // A one-line summary (the command list's) heads every command's help but pingpong's.
        int usage = run.out().indexOf("Usage: jshm " + command + " ");
        assertTrue(usage == 0 || usage > 0 && run.out().substring(0, usage).endsWith(".\n"), run::toString);
        assertTrue(run.out().contains("-h, --help"), run::toString);
        if (List.of("stat", "write", "read", "watch", "rm").contains(command)) {
            String synopsis = run.out().substring(0, run.out().indexOf("\n\n") < 0 ? run.out().length()
                    : run.out().indexOf("\n\n")).replaceAll("\\s+", " ");
            assertTrue(synopsis.contains("--key=KEY | --id=ID | --name=NAME | [--file=PATH [--file-offset=BYTES]]"),
                    run::toString);
        }
        assertSuccess(jshm.jshm("help", command), run.out());
    }

    @Test
    void versionIsTheJarsVersion() throws IOException {
        String version;
        try (JarFile jar = new JarFile(JshmRunner.JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("META-INF/maven/dev.jshm/jshm/pom.properties"))) {
            Properties properties = new Properties();
            properties.load(in);
            version = properties.getProperty("version");
        }
        Run run = jshm.jshm("--version");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().startsWith("jshm " + version + "\nJava "), run::toString);
    }

    @Test
    void missingOrUnknownCommandsAreUsageErrors() {
        assertFailure(jshm.jshm(), 2, "Missing required command", "(see 'jshm --help')");
        assertFailure(jshm.jshm("frobnicate"), 2, "unknown command 'frobnicate'; the commands are list, stat, create");
        assertFailure(jshm.jshm("read", "--key", "1", "--bogus"), 2, "unknown option '--bogus'", "(see 'jshm read --help')");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheMessage() {
        int key = jshm.newKey();
        String hex = hex(key);
        Run run = jshm.jshm("--verbose", "read", "--key", hex);

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
        int key = jshm.newKey();
        String hex = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", hex, "--size", "64", "--mode", "644"));
        assertSuccess(jshm.jshm("write", "--key", hex, "the owner's text"), "");

        // nobody can read neither this build's directories nor @TempDirs: give it its own copy.
        Path open = Files.createTempDirectory("jshm-cli-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(JshmRunner.JAR, open.resolve("jshm.jar"));
        try {
            List<String> asNobody = List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups");
            assertFailure(jshm.run(concat(asNobody, JshmRunner.javaJar(jar, List.of(), "write", "--key", hex, "intruder")),
                    "", open, Map.of()), 4, "shmat(", "key=" + hex, "EACCES");
            assertFailure(jshm.run(concat(asNobody, JshmRunner.javaJar(jar, List.of(), "rm", "--key", hex)), "", open, Map.of()),
                    4, "IPC_RMID", "EPERM");
            assertSuccess(jshm.run(concat(asNobody, JshmRunner.javaJar(jar, List.of(), "read", "--key", hex)), "", open,
                    Map.of()), "the owner's text\n");
        } finally {
            Files.delete(jar);
            Files.delete(open);
        }
        assertSuccess(jshm.jshm("read", "--key", hex), "the owner's text\n");
    }

    @Test
    void nativeLibraryThatCannotLoadIsReportedWithExitOne() throws IOException {
        Path emptyDir = Files.createDirectory(scratch.resolve("no-libraries"));
        List<String> command = JshmRunner.javaJar(JshmRunner.JAR, List.of("-Djshm.native.workdir=/dev/null/not-a-directory",
                "-Djava.library.path=" + emptyDir), "read", "--key", hex(KEY_BASE | 1));
        Run run = jshm.run(command, "", workDir, Map.of());

        assertEquals(1, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertTrue(run.err().startsWith("jshm: jshm native library could not be loaded"), run::toString);
        assertTrue(run.err().contains("/dev/null/not-a-directory"), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    // ---- what only these tests need -------------------------------------------------------------

    private static List<String> concat(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all;
    }

    /** The shmid in the demo's first line; registers the segment for removal in case the demo left it. */
    private int demoShmid(Run run, long size) {
        Matcher first = Pattern.compile("1\\. shmget\\(IPC_PRIVATE, " + size + ", IPC_CREAT\\|0600\\) -> shmid (\\d+)\n")
                .matcher(run.out());
        assertTrue(first.lookingAt(), run::toString);
        int shmid = Integer.parseInt(first.group(1));
        jshm.addPrivateShmid(shmid, run.pid());
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
     * The {@code name: value} lines of a System V {@code stat} (exit 0, nothing on stderr) up to the
     * blank line before the dump, checked for alignment and for every field of {@link SysVStat}.
     */
    private static Map<String, String> sysvStatFields(Run run) {
        Map<String, String> fields = JshmRunner.statFields(assertOk(run));
        List<String> components = Arrays.stream(SysVStat.class.getRecordComponents()).map(RecordComponent::getName).toList();
        assertTrue(fields.keySet().containsAll(components), run::toString);
        assertEquals("sysv", fields.get("kind"), run::toString);
        return fields;
    }
}
