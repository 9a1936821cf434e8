package dev.jshm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal. Java has no {@code isatty}; on Linux the answer is
 * where {@code /proc/self/fd/N} points: a pseudo terminal ({@code /dev/pts/N}) or a console
 * ({@code /dev/ttyN}, {@code /dev/console}). Anything unreadable counts as "not a terminal",
 * which only turns off decoration (progress bars, screen clearing).
 */
final class Terminal {

    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;

    private Terminal() {
    }

    /** Whether file descriptor {@code fd} of this process is a terminal. */
    static boolean isTerminal(int fd) {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Whether {@code target}, where a descriptor's link points, is a terminal device. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.matches("/dev/tty[0-9]*|/dev/ttyS[0-9]+|/dev/console");
    }
}
