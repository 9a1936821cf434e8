package dev.jshm;

import dev.jshm.internal.RegularFileOpener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The implementation of {@link RegularFileOpener}, registered by {@link Segment}: the C library
 * opens the name without blocking and without following a link, {@code fstat} decides on the
 * descriptor, and Java reopens the inode through {@code /proc/self/fd/N}.
 */
final class RegularFileOpenerBridge implements RegularFileOpener {

    private static final int NEW_FILE_MODE = 0600;

    RegularFileOpenerBridge() {
    }

    @Override
    public FileChannel openForReading(Path path) throws IOException {
        return open(path, Native.FILE_READONLY, "O_RDONLY", StandardOpenOption.READ);
    }

    @Override
    public FileChannel openForWriting(Path path) throws IOException {
        // O_TRUNC is left to the reopen: a name that turns out not to be a regular file is
        // refused before anything is truncated.
        return open(path, Native.FILE_WRITEONLY | Native.FILE_CREATE, "O_WRONLY|O_CREAT",
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static FileChannel open(Path path, int flags, String flagNames, StandardOpenOption... reopen)
            throws IOException {
        Native.ensureAvailable();
        String shown = path.toString();
        String operation = "open(path=" + shown + ", flags=" + flagNames + "|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK"
                + ((flags & Native.FILE_CREATE) != 0 ? ", mode=" + Errors.octalMode(NEW_FILE_MODE) : "") + ")";
        int fd = Native.fileOpen(FileBacking.nulTerminated(shown), flags, NEW_FILE_MODE);
        // ENXIO: the name became a FIFO without a reader, or a socket, after the C library's look
        // (O_WRONLY|O_NONBLOCK opens neither).
        if (fd == -Errors.ENODEV || fd == -Errors.ENXIO) {
            throw FileBacking.notRegularFile(operation, shown, FileBacking.typeOf(shown), "it was not opened (a FIFO would block, a"
                    + " device could act)");
        }
        if (fd < 0) {
            throw Errors.failure(fd, operation, fd == -Errors.ELOOP
                    ? shown + " is a symbolic link; jshm never follows one (O_NOFOLLOW)" : null);
        }
        try {
            long[] stat = new long[Native.FILE_STAT_FIELDS];
            int rc = Native.fileStat(fd, stat);
            if (rc < 0) {
                throw Errors.failure(rc, "fstat(" + shown + ")");
            }
            int type = (int) stat[1] & FileBacking.S_IFMT;
            if (type != FileBacking.S_IFREG) {
                // Replaced since the C library's look: the non-blocking open did no harm.
                throw FileBacking.notRegularFile("fstat(" + shown + ")", shown, type, "the name was replaced after the C library looked"
                        + " at it; the non-blocking open did not wait, and the descriptor was closed");
            }
            // The descriptor's own inode, a regular file: this open cannot wait for a peer,
            // whatever the name points to by now. Nor for a lease: one that conflicts made the
            // O_NONBLOCK open above fail, and none that conflicts can be taken while this
            // process holds the file open in the same mode.
            Path self = Path.of("/proc/self/fd/" + fd);
            try {
                return FileChannel.open(self, reopen);
            } catch (NoSuchFileException e) {
                throw new IOException(shown + ": cannot reopen the opened file through " + self + " (is /proc mounted?)", e);
            }
        } finally {
            Native.closeFd(fd);
        }
    }
}
