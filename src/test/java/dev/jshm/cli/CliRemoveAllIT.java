package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;
import dev.jshm.stat.SysVStat;

/**
 * {@code rm --all}, as {@code ipcrm -a}: every segment of one owner, of one kind if asked,
 * refusing attached ones unless {@code --force}, and never removing anything without {@code --yes}
 * when there is no terminal to ask on. The segments belong to a uid that nothing else on the
 * machine uses (made by the jar run under {@code setpriv}), so {@code --owner} that uid can touch
 * nothing but this test's. The question itself is asked in {@link CliTerminalIT}.
 */
class CliRemoveAllIT extends CliItBase {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private int uid;
    private Path openDir;
    private Path jar;
    private Process attacher;

    @BeforeEach
    void aUidOfItsOwn() throws IOException {
        assumeTrue(Files.isExecutable(SETPRIV), "needs setpriv to run as another user");
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "needs root to switch users");
        do {
            uid = 3_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);
        } while (owns(uid));
        // The other user can read neither this build's directories nor @TempDirs: give it its own copy.
        openDir = Files.createTempDirectory("jshm-cli-it-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        jar = Files.copy(JshmRunner.JAR, openDir.resolve("jshm.jar"));
    }

    @AfterEach
    void stopAndDelete() throws IOException, InterruptedException {
        if (attacher != null) {
            attacher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (jar != null) {
            Files.deleteIfExists(jar);
            Files.deleteIfExists(openDir);
        }
    }

    private static boolean owns(long uid) {
        return SysVSegment.list().stream().anyMatch(s -> s.uid() == uid)
                || PosixSegment.list().stream().anyMatch(o -> o.stat().uid() == uid);
    }

    private List<String> asUid(String... args) {
        List<String> command = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups"));
        command.addAll(JshmRunner.javaJar(jar, List.of(), args));
        return command;
    }

    private int createAsUid(int key) {
        Run made = jshm.run(asUid("create", "--key", hex(key), "--size", "4K"), new byte[0], openDir, java.util.Map.of());
        return jshm.shmidOf(made);
    }

    @Test
    void removesOneOwnersSegmentsOfAKindRefusingAttachedOnesAndNeverWithoutYes() throws Exception {
        int idle = createAsUid(jshm.newKey());
        int attachedKey = jshm.newKey();
        int attached = createAsUid(attachedKey);
        String name = jshm.newName("all");
        assertSuccess(jshm.run(asUid("create", "--name", name, "--size", "4K"), new byte[0], openDir, java.util.Map.of()),
                name + "\n");
        // A process of that uid keeps one segment attached while the test runs.
        attacher = new ProcessBuilder(asUid("watch", "--key", hex(attachedKey), "--interval", "200", "--count", "600"))
                .directory(openDir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (SysVSegment.statById(attached).attachments() == 0) {
            assertTrue(System.nanoTime() < deadline && attacher.isAlive(), "the watcher never attached");
            Thread.sleep(50);
        }
        String owner = Integer.toString(uid);

        // No terminal on standard input: nothing is asked and nothing goes.
        assertFailure(jshm.jshm("rm", "--all", "--owner", owner), 2,
                "rm --all would remove 3 segments, but standard input is not a terminal to ask on: pass --yes");
        assertFailure(jshm.jshm("rm", "--all", "--key", hex(attachedKey)), 2, "name no segments with it");
        assertFailure(jshm.jshm("rm", "--kind", "posix", "--yes", "--key", hex(attachedKey)), 2, "go with --all");
        assertEquals(3, count(owner), "nothing removed");

        assertSuccess(jshm.jshm("rm", "--all", "--owner", owner, "--kind", "posix", "--yes"), "removed posix:" + name + "\n");
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));

        Run mine = jshm.jshm("rm", "--all", "--owner", owner, "--yes");
        assertEquals(7, mine.exit(), mine::toString);
        assertEquals("removed sysv:id=" + idle + "\n", mine.out(), mine::toString);
        JshmRunner.assertOneErrorLine(mine, "rm sysv:id=" + attached + ": refused: shmid " + attached
                + " is still attached by 1 process", "--force");
        SysVStat still = SysVSegment.statById(attached);
        assertFalse(still.removed(), still::toString);

        String json = assertOk(jshm.jshm("rm", "--all", "--owner", owner, "--yes", "--force", "--json"));
        assertEquals(List.of("sysv:id=" + attached), JsonParser.object(json).get("removed") instanceof List<?> removed
                ? removed.stream().map(o -> ((java.util.Map<?, ?>) o).get("target")).toList() : null, json);
        assertTrue(gone(attached), "marked for removal, gone at the last detach");
        assertSuccess(jshm.jshm("rm", "--all", "--owner", owner, "--yes"), "no segments to remove\n");
    }

    private static long count(String owner) {
        long uid = Long.parseLong(owner);
        return SysVSegment.list().stream().filter(s -> s.uid() == uid && !s.removed()).count()
                + PosixSegment.list().stream().filter(o -> o.stat().uid() == uid).count();
    }

    private static boolean gone(int shmid) {
        try {
            return SysVSegment.statById(shmid).removed();
        } catch (SegmentNotFoundException e) {
            return true;
        }
    }
}
