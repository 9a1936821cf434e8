package dev.jshm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The files the user names for the tool to read, write or map. Each is looked at with
 * {@code lstat} first and refused by type, so that nothing ever opens a FIFO (whose open blocks
 * until a peer comes), a socket, a device or a directory, and nothing follows a symbolic link.
 * Between that look and the open, a process that can write the directory could swap the file for
 * a FIFO; the open itself still never follows a link ({@code O_NOFOLLOW}).
 *
 * <p>Every failure is a {@link LocalFileException} naming the operation and the path, with the
 * exit status of the table in {@code jshm --help}: no such file 3; permission denied, EPERM or a
 * symbolic link 4; a file system out of room (ENOSPC, EFBIG, EDQUOT) 6; the wrong type of file 2.
 */
final class LocalFiles {

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
        requireRegular(operation, path);
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(limit);
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
    }

    /** Opens a regular file for writing, created (0600 by the umask's leave) or truncated; never through a link. */
    static OutputStream create(String operation, Path path) {
        requireRegularOrAbsent(operation, path);
        try {
            return Files.newOutputStream(path, LinkOption.NOFOLLOW_LINKS, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw failure(operation, path, e);
        }
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
