package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jshm.PosixSegment;
import dev.jshm.cli.JshmRunner.Run;

/**
 * The jar on a real terminal, under tmux (a server of its own on a private socket): the question
 * {@code rm --all} asks and what each answer does, {@code watch} redrawing one screen in place
 * as the segment changes, until Ctrl-C, and the completion script at work in interactive bash
 * and zsh.
 */
class CliTerminalIT extends CliItBase {

    private static final long WAIT_SECONDS = 60;

    private final String socket = "jshm-cli-it-" + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));

    @BeforeEach
    void needsTmux() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tmux")), "needs tmux (.ci/run installs it)");
    }

    @AfterEach
    void stopTheServer() {
        tmux("kill-server");
    }

    private Run tmux(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        return jshm.run(command, new byte[0], workDir.getParent(), Map.of());
    }

    /** Runs the jar with {@code args} in a new 100x30 terminal; the shell then prints {@code EXIT=<status>}. */
    private void start(String session, String... args) {
        StringBuilder line = new StringBuilder();
        for (String word : JshmRunner.javaJar(args)) {
            line.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        line.append("; echo EXIT=$?; sleep ").append(WAIT_SECONDS * 2);
        Run started = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", line.toString());
        assertEquals(0, started.exit(), started::toString);
    }

    private String screen(String session) {
        Run shown = tmux("capture-pane", "-p", "-t", session);
        assertEquals(0, shown.exit(), shown::toString);
        return shown.out();
    }

    private String waitFor(String session, Predicate<String> ready, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        String text = screen(session);
        while (!ready.test(text)) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " on the terminal after " + WAIT_SECONDS + " s:\n" + text);
            }
            Thread.sleep(100);
            text = screen(session);
        }
        return text;
    }

    @Test
    void rmAllAsksOnATerminalAndOnlyYesRemoves() throws Exception {
        String name = jshm.newName("asked");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "4K"), name + "\n");
        // Owned by a uid nothing else uses, so --owner selects this object alone.
        int uid;
        do {
            uid = 3_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);
        } while (owned(uid));
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "needs root to give it away");
        Files.setAttribute(Path.of("/dev/shm" + name), "unix:uid", uid);

        start("no", "rm", "--all", "--owner", Integer.toString(uid));
        String asked = waitFor("no", s -> s.contains("[y/N]"), "question");
        assertTrue(asked.contains("rm --all would remove:\n  posix:" + name + "\nRemove this segment? [y/N]"), asked);
        tmux("send-keys", "-t", "no", "n", "Enter");
        String declined = waitFor("no", s -> s.contains("EXIT="), "exit");
        assertTrue(declined.contains("jshm: rm --all: not confirmed; nothing was removed\nEXIT=1"), declined);
        assertTrue(Files.exists(Path.of("/dev/shm" + name)), "still there");

        start("yes", "rm", "--all", "--owner", Integer.toString(uid));
        waitFor("yes", s -> s.contains("[y/N]"), "question");
        tmux("send-keys", "-t", "yes", "y", "Enter");
        String removed = waitFor("yes", s -> s.contains("EXIT="), "exit");
        assertTrue(removed.contains("removed posix:" + name + "\nEXIT=0"), removed);
        assertFalse(Files.exists(Path.of("/dev/shm" + name)), "removed");
    }

    private static boolean owned(long uid) {
        return PosixSegment.list().stream().anyMatch(o -> o.stat().uid() == uid);
    }

    @Test
    void watchRedrawsOneScreenAsTheSegmentChangesUntilInterrupted() throws Exception {
        String name = jshm.newName("watched");
        assertSuccess(jshm.jshm("create", "--name", name, "--size", "64"), name + "\n");
        start("watch", "watch", "--name", name, "--interval", "200", "--length", "32");
        waitFor("watch", s -> s.contains("00000000: 0000 0000"), "first dump");

        assertSuccess(jshm.jshm("write", "--name", name, "hello tmux"), "");
        String changed = waitFor("watch", s -> s.contains("hello tmux"), "new bytes");
        assertTrue(changed.contains("00000000: 6865 6c6c 6f20 746d 7578 0000"), changed);
        // The screen is cleared before each refresh: one header, whatever the refresh count.
        Matcher headers = Pattern.compile("jshm watch posix:" + Pattern.quote(name) + "  refresh (\\d+)").matcher(changed);
        assertTrue(headers.find(), changed);
        assertTrue(Integer.parseInt(headers.group(1)) > 1, changed);
        assertFalse(headers.find(), "a second header on one screen:\n" + changed);

        tmux("send-keys", "-t", "watch", "C-c");
        String stopped = waitFor("watch", s -> s.contains("EXIT="), "exit after Ctrl-C");
        assertTrue(stopped.contains("EXIT=130"), stopped);
    }

    @Test
    void completionCompletesCommandsAndOptionsInInteractiveBash() throws Exception {
        inShellWithCompletion("bash", dir -> "bash --noprofile --rcfile " + dir.resolve(".bashrc") + " -i");
    }

    @Test
    void completionCompletesCommandsAndOptionsInInteractiveZsh() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")), "needs zsh (.ci/run installs it)");
        inShellWithCompletion("zsh", dir -> "env ZDOTDIR=" + dir + " zsh -i");
    }

    /**
     * Starts the shell {@code command(dir)} on a terminal, with start-up files in {@code dir} that
     * load the script of {@code jshm completion} (zsh through its bashcompinit) for a {@code jshm}
     * function that runs the jar, then checks that Tab completes a command and an option.
     */
    private void inShellWithCompletion(String session, java.util.function.Function<Path, String> command) throws Exception {
        Path dir = Files.createTempDirectory(workDir.getParent(), "completion-");
        try {
            Path script = dir.resolve("jshm-completion");
            Run printed = jshm.jshm("completion", session);
            assertEquals(0, printed.exit(), printed::toString);
            Files.writeString(script, printed.out());
            StringBuilder jar = new StringBuilder();
            for (String word : JshmRunner.javaJar()) {
                jar.append('\'').append(word.replace("'", "'\\''")).append("' ");
            }
            String common = "jshm() { " + jar + "\"$@\"; }\nsource " + script + "\nPS1='READY> '\n";
            Files.writeString(dir.resolve(".bashrc"), common);
            Files.writeString(dir.resolve(".zshrc"), "autoload -U compinit && compinit -u\n"
                    + "autoload -U bashcompinit && bashcompinit\n" + common);
            Run started = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "10", command.apply(dir));
            assertEquals(0, started.exit(), started::toString);
            completes(session);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** In the shell of {@code session}: a command and an option, each completed by one Tab. */
    private void completes(String session) throws InterruptedException {
        waitFor(session, s -> s.contains("READY>"), session + "'s prompt");
        tmux("send-keys", "-t", session, "jshm li", "Tab");
        waitFor(session, s -> s.contains("READY> jshm list"), session + " completing 'li' to 'list'");
        tmux("send-keys", "-t", session, "C-u", "jshm list --so", "Tab");
        waitFor(session, s -> s.contains("READY> jshm list --sort"), session + " completing '--so' to '--sort'");
        tmux("send-keys", "-t", session, "C-u");
    }
}
