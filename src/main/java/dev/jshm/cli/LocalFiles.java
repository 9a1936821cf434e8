package dev.jshm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import dev.jshm.ShmException;
import dev.jshm.internal.RegularFileOpener;
import dev.jshm.internal.Secrets;

/**
 * The files the user names for the tool to read, write or map. Only regular files are taken, and
 * no symbolic link is followed. The commands look at each with {@code lstat} first, to refuse a
 * FIFO, socket, device or directory before a segment is touched; the open that follows decides
 * again on what it opened ({@link RegularFileOpener}: a non-blocking open, then {@code fstat} on
 * the descriptor), so a name swapped for a FIFO after the look is refused at once, never waited on.
 *
 * <p>Every failure is a {@link LocalFileException} naming the operation and the path, with the
 * exit status of the table in {@code jshm --help}: no such file 3; permission denied, EPERM, a
 * read-only file system or a symbolic link 4; a file system out of room (ENOSPC, EFBIG, EDQUOT) 6;
 * the wrong type of file 2.
 */
final class LocalFiles {

    /**
     * Runs just before {@link #readAtMost} and {@link #create} open the file, after the commands'
     * {@code lstat}: a test replaces the file there to show that the open decides on what it opened.
     */
    static volatile Runnable beforeOpen = () -> { };

    private LocalFiles() {
    }

    /**
     * Checks that {@code path} is a regular file, not a link to one.
     *
     * @param operation what the tool was doing, as the message says it ({@code write --from-file})
     * @throws LocalFileException if it is missing, a symbolic link or not a regular file
     */
    static void requireRegular(String operation, Path path) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
        refuseUnlessRegular(operation, path, attributes);
    }

    /** As {@link #requireRegular}, but a missing file is fine: it is about to be created. */
    static void requireRegularOrAbsent(String operation, Path path) {
        try {
            refuseUnlessRegular(operation, path,
                    Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            // Created by the open that follows.
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
    }

    private static void refuseUnlessRegular(String operation, Path path, BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            throw new LocalFileException(operation + " " + path + ": is a symbolic link, which jshm never follows"
                    + " (name the file it points to)", ExitStatus.PERMISSION, null);
        }
        if (!attributes.isRegularFile()) {
            throw new LocalFileException(operation + " " + path + ": is " + typeOf(path, attributes)
                    + ", not a regular file", ExitStatus.USAGE, null);
        }
    }

    /** What kind of file it is, for a message: {@code a directory}, {@code a FIFO}, ... */
    static String typeOf(Path path, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & 0170000) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }

    /**
     * The whole of a regular file, at most {@code limit} bytes of it (the caller asks for one more
     * than it can take, to tell "too long" without reading on). Files under /proc say their size
     * is 0, so the length is what was read, never what {@code stat} said.
     */
    static byte[] readAtMost(String operation, Path path, int limit) {
        beforeOpen.run();
        try (FileChannel channel = open(operation, path, false); InputStream in = Channels.newInputStream(channel)) {
            return in.readNBytes(limit);
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
    }

    /**
     * Opens a regular file for writing, created (mode 0600 less the umask) or truncated; never
     * through a link, and nothing is truncated unless the opened file is a regular one.
     */
    static OutputStream create(String operation, Path path) {
        beforeOpen.run();
        try {
            return Channels.newOutputStream(open(operation, path, true));
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
    }

    private static FileChannel open(String operation, Path path, boolean write) throws IOException {
        RegularFileOpener opener = Secrets.regularFileOpener();
        try {
            return write ? opener.openForWriting(path) : opener.openForReading(path);
        } catch (ShmException e) {
            throw openFailure(operation, path, e);
        }
    }

    /** A failed open as the tool says it: the type of a special file, or the call and its errno. */
    private static LocalFileException openFailure(String operation, Path path, ShmException e) {
        String errno = e.errnoName() == null ? "" : e.errnoName();
        String prefix = operation + " " + path + ": ";
        return switch (errno) {
            case "ENODEV" -> new LocalFileException(prefix + notRegular(path) + "; nothing was read or written",
                    ExitStatus.USAGE, e);
            case "ELOOP" -> new LocalFileException(prefix + "is a symbolic link, which jshm never follows"
                    + " (name the file it points to)", ExitStatus.PERMISSION, e);
            case "ENOENT" -> new LocalFileException(prefix + "no such file or directory (" + e.getMessage() + ")",
                    ExitStatus.NOT_FOUND, e);
            case "EACCES" -> new LocalFileException(prefix + "permission denied (" + e.getMessage() + ")",
                    ExitStatus.PERMISSION, e);
            case "EROFS" -> new LocalFileException(prefix + e.getMessage(), ExitStatus.PERMISSION, e);
            case "EDQUOT" -> new LocalFileException(prefix + e.getMessage(), ExitStatus.LIMIT, e);
            default -> new LocalFileException(prefix + e.getMessage(), ExitStatus.of(e), e);
        };
    }

    /** What the name is now, for a message: {@code is a FIFO (named pipe), not a regular file}. */
    private static String notRegular(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() && !attributes.isSymbolicLink()) {
                return "is " + typeOf(path, attributes) + ", not a regular file";
            }
        } catch (IOException | RuntimeException e) {
            // Gone or unreadable since: say what the open found.
        }
        return "was not a regular file when it was opened";
    }

    /** {@code e}, which {@code operation} on {@code path} met, as the tool reports it. */
    static LocalFileException failure(String operation, Path path, IOException e) {
        String reason = FailureHandler.message(e);
        String shown = path.toString();
        // The JDK's file exceptions begin with the path: say it once.
        String text = reason.startsWith(shown + ": ") ? reason.substring(shown.length() + 2) : reason;
        return new LocalFileException(operation + " " + path + ": " + text, statusOf(e), e);
    }

    private static int statusOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return ExitStatus.NOT_FOUND;
        }
        if (e instanceof AccessDeniedException) {
            return ExitStatus.PERMISSION;
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (reason == null) {
            return ExitStatus.FAILURE;
        }
        if (reason.contains("Operation not permitted") || reason.contains("Too many levels of symbolic links")
                || reason.contains("Read-only file system")) {
            return ExitStatus.PERMISSION;
        }
        if (reason.contains("No space left on device") || reason.contains("File too large")
                || reason.contains("Disk quota exceeded")) {
            return ExitStatus.LIMIT;
        }
        if (reason.contains("Is a directory")) {
            return ExitStatus.USAGE;
        }
        return ExitStatus.FAILURE;
    }
}
