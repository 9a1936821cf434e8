package dev.jshm.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Opens a regular file the user named for the command-line tool to read or write, reached through
 * {@link Secrets#regularFileOpener()}. Java's own opens cannot be told {@code O_NONBLOCK}, so a
 * name checked with {@code lstat} and then opened by Java can be swapped for a FIFO in between,
 * and the open then blocks until a peer comes. These opens leave no such window: the C library
 * opens the name ({@code O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK}, after a look through {@code O_PATH}),
 * {@code fstat} decides on what was opened, and only a regular file is handed to Java, reopened
 * through {@code /proc/self/fd/N}: that names the very inode already open, a regular file, whose
 * open cannot block on a peer.
 *
 * <p>Not part of the API: the package is not exported from the module and may change in any
 * release. Implementations are thread-safe and touch no memory; what they open is what the
 * caller could open with {@link java.nio.file.Files} (it needs {@code /proc} mounted).
 *
 * <p>Failures, each naming the call, the path and the flags: {@link dev.jshm.ShmInvalidArgumentException}
 * whose {@link dev.jshm.ShmException#errnoName()} is {@code "ENODEV"} when the name is not a regular file (a FIFO, socket, device or
 * directory; found by the look or on the opened descriptor; a symbolic link is {@code ELOOP}), and
 * otherwise the {@link dev.jshm.ShmException} of the errno ({@link dev.jshm.SegmentNotFoundException}
 * for {@code ENOENT}, {@link dev.jshm.ShmPermissionException} for {@code EACCES}, {@code EPERM},
 * {@code ELOOP}, {@link dev.jshm.ShmLimitException} for {@code ENOSPC}, ...). An
 * {@link IOException} comes from the reopen through {@code /proc}.
 */
public interface RegularFileOpener {

    /**
     * Opens an existing regular file for reading, never through a symbolic link, never blocking.
     *
     * @return a channel open for reading, positioned at 0; the caller closes it
     */
    FileChannel openForReading(Path path) throws IOException;

    /**
     * Opens a regular file for writing only and truncates it, or creates it with mode
     * {@code 0600} (less the umask); never through a symbolic link, never blocking. The file is
     * truncated only once the opened descriptor is known to be a regular file.
     *
     * @return a channel open for writing, positioned at 0; the caller closes it
     */
    FileChannel openForWriting(Path path) throws IOException;
}
