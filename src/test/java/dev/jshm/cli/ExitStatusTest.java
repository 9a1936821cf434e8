package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.jshm.NativeUnavailableException;
import dev.jshm.ReadOnlySegmentException;
import dev.jshm.SegmentExistsException;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import dev.jshm.ShmInvalidArgumentException;
import dev.jshm.ShmLimitException;
import dev.jshm.ShmPermissionException;
import picocli.CommandLine.ParameterException;

/** Which failure gets which exit status, and that the help documents every status. */
class ExitStatusTest {

    @Test
    void eachLibraryFailureHasItsStatus() {
        assertEquals(3, ExitStatus.of(new SegmentNotFoundException("m", "shmget", 2, "ENOENT")));
        assertEquals(3, ExitStatus.of(new SegmentNotFoundException("m", "shmat", 43, "EIDRM")));
        assertEquals(4, ExitStatus.of(new ShmPermissionException("m", "shmat", 13, "EACCES")));
        assertEquals(5, ExitStatus.of(new SegmentExistsException("m", "shmget", 17, "EEXIST")));
        assertEquals(6, ExitStatus.of(new ShmLimitException("m", "shmget", 28, "ENOSPC")));
        assertEquals(2, ExitStatus.of(new ShmInvalidArgumentException("m", "shmget", 22, "EINVAL")));
        assertEquals(1, ExitStatus.of(new ShmException("m", "shmget", 4, "EINTR")));
        assertEquals(1, ExitStatus.of(new ReadOnlySegmentException("putInt(offset=0, length=4)", "segment")));
    }

    @Test
    void badInputIsUsageAndEverythingElseIsFailure() {
        assertEquals(2, ExitStatus.of(new IllegalArgumentException("size")));
        assertEquals(2, ExitStatus.of(new NumberFormatException("x")));
        assertEquals(2, ExitStatus.of(new IndexOutOfBoundsException("offset=9 length=1 size=8")));
        assertEquals(2, ExitStatus.of(new ParameterException(Main.commandLine(emptyInput()), "bad")));
        assertEquals(1, ExitStatus.of(new NativeUnavailableException("no library")));
        assertEquals(1, ExitStatus.of(new IllegalStateException("Already closed")));
        assertEquals(1, ExitStatus.of(new java.io.IOException("stdin")));
        assertEquals(1, ExitStatus.of(new UnsupportedOperationException("pingpong is not available in this build")));
    }

    @Test
    void fileFailuresAndRefusalsHaveTheirStatus() {
        assertEquals(3, ExitStatus.of(new NoSuchFileException("/x")));
        assertEquals(4, ExitStatus.of(new AccessDeniedException("/x")));
        assertEquals(5, ExitStatus.of(new FileAlreadyExistsException("/x")));
        assertEquals(7, ExitStatus.of(new RefusedException("still attached")));
    }

    @Test
    void failureMessagesAreOneWholeLine() {
        assertEquals("/x: no such file or directory", FailureHandler.message(new NoSuchFileException("/x")));
        assertEquals("/x: permission denied", FailureHandler.message(new AccessDeniedException("/x")));
        assertEquals("/x: already exists", FailureHandler.message(new FileAlreadyExistsException("/x")));
        assertEquals("/x: Read-only file system", FailureHandler.message(new FileSystemException("/x", null,
                "Read-only file system")));
        assertEquals("tried: - a - b", FailureHandler.message(new IllegalStateException("tried:\n  - a\r\n  - b\n")));
        assertEquals("java.lang.IllegalStateException", FailureHandler.message(new IllegalStateException()));
    }

    @Test
    void topHelpListsEveryExitStatusOnce() throws IllegalAccessException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), emptyInput());
        String help = out.toString(StandardCharsets.UTF_8);

        assertEquals(0, status);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        List<Integer> statuses = new ArrayList<>();
        for (Field field : ExitStatus.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                statuses.add(field.getInt(null));
            }
        }
        assertEquals(8, statuses.size(), "statuses " + statuses);
        for (int code : statuses) {
            long lines = help.lines().filter(Pattern.compile("^  " + code + " +\\S.*").asPredicate()).count();
            assertEquals(1, lines, "exit status " + code + " in:\n" + help);
        }
        assertTrue(help.contains("Exit status:"), help);
    }

    private static ByteArrayInputStream emptyInput() {
        return new ByteArrayInputStream(new byte[0]);
    }
}
