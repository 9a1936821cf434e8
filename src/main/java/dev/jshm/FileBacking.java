package dev.jshm;

import dev.jshm.stat.FileStat;
import java.time.Instant;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The open file behind a POSIX shared memory object or a mapped file: its descriptor, the checks
 * made when it is opened, and the operations both kinds share (stat, grow, map, sync, lock).
 *
 * <p>Opening never follows a symbolic link ({@code O_NOFOLLOW}), refuses anything but a regular
 * file, and by default refuses a file that another user owns (someone else's file can be
 * truncated or swapped under us). A file this call created and could not finish setting up is
 * removed again, so a failure leaves nothing behind.
 *
 * <p>Thread-safety: the owning segment serialises {@link #grow}, {@link #close} and mapping
 * changes under its own lock; {@link #stat()} may be called from any thread while open.
 */
final class FileBacking {

    // The file-type bits of st_mode (<sys/stat.h>).
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;

    /**
     * One create or open, as a kind's builder hands it over: immutable.
     *
     * @param posixName      the name ({@code /x}) of a POSIX object, or null for a file
     * @param path           the path of a file, or {@code /dev/shm/<name>} for display
     * @param size           the bytes to map, or -1 for "all of it" when opening
     * @param offset         where in the file the mapping starts
     * @param create         create (exclusively unless {@code exclusive} is false) or open
     * @param reserve        allocate the memory at create or grow ({@code posix_fallocate})
     */
    record Request(String posixName, String path, long size, long offset, int mode, boolean create, boolean exclusive,
                   Access access, boolean privateMapping, boolean populate, boolean lockPages, boolean anyOwner,
                   boolean reserve, boolean nativeCopies) {

        boolean isPosix() {
            return posixName != null;
        }

        String describe() {
            return isPosix() ? "POSIX shared memory " + posixName : "file " + path;
        }
    }

    private static final Charset FILE_NAME_ENCODING = fileNameEncoding();

    private static Charset fileNameEncoding() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    final Request request;
    private final int fd;
    /** Whether this open created the file (it may then be grown or unlinked by us). */
    final boolean created;
    private boolean closed;
    /** The fault word of the latest mapping, which the next (larger) one chains to. */
    private FaultWord lastFaults;

    private FileBacking(Request request, int fd, boolean created) {
        this.request = request;
        this.fd = fd;
        this.created = created;
    }

    /**
     * Opens (or creates) the file, checks it, sizes it and maps it.
     *
     * @return the open backing and its first mapping
     */
    static Opened open(Request r) {
        Native.ensureAvailable();
        if (r.create() && r.size() <= 0) {
            throw new IllegalArgumentException(operation(r, "create") + ": the size must be at least 1 byte, got " + r.size());
        }
        if (r.size() == 0 || r.size() < -1) {
            throw new IllegalArgumentException(operation(r, "open") + ": the size must be at least 1 byte, got " + r.size());
        }
        if (r.offset() < 0) {
            throw new IllegalArgumentException(operation(r, "open") + ": the offset must not be negative, got " + r.offset());
        }
        boolean readOnly = r.access() == Access.READ_ONLY;
        int flags = readOnly ? Native.FILE_READONLY : 0;
        boolean created = false;
        int fd;
        if (r.create()) {
            // Try the exclusive create first, so that "created" is known for sure (it decides
            // whether a failure may delete the file).
            // Created read-write even for a read-only mapping: a new file must be sized.
            fd = openRaw(r, Native.FILE_CREATE | Native.FILE_EXCL);
            created = fd >= 0;
            if (fd == -Errors.EEXIST && !r.exclusive()) {
                fd = openRaw(r, flags);
            }
            if (fd < 0) {
                throw openFailure(r, fd, describeFlags(r, readOnly, !r.exclusive()));
            }
        } else {
            fd = openRaw(r, flags);
            if (fd < 0) {
                throw openFailure(r, fd, describeFlags(r, readOnly, false));
            }
        }
        FileBacking backing = new FileBacking(r, fd, created);
        try {
            long size = backing.prepare();
            Mapping mapping = backing.map(size);
            return new Opened(backing, mapping);
        } catch (RuntimeException | Error e) {
            backing.abandon();
            throw e;
        }
    }

    record Opened(FileBacking backing, Mapping mapping) {
    }

    /** Checks the file and gives it its size; returns the size to map. */
    private long prepare() {
        Request r = request;
        if (created) {
            // O_CREAT|O_EXCL made this file in this call: it is a new, empty regular file owned
            // by this process, so there is nothing for fstat to check.
            long end = Math.addExact(r.offset(), r.size());
            int rc = Native.fileGrow(fd, end, Native.GROW_NEW | (r.reserve() ? Native.GROW_RESERVE : 0));
            if (rc < 0) {
                throw growFailure(rc, end, operation(r, r.reserve() ? "posix_fallocate" : "ftruncate", "size=" + end));
            }
            return r.size();
        }
        long[] raw = rawStat();
        int type = (int) raw[1] & S_IFMT;
        if (type != S_IFREG) {
            // Replaced by something else between the C library's look and its open.
            String operation = operation(r, "fstat");
            throw new ShmInvalidArgumentException(operation + ": " + r.describe() + " is " + typeName(type)
                    + ", not a regular file (st_mode=0" + Long.toOctalString(raw[1]) + "); only a regular file can be mapped",
                    operation, 0, null);
        }
        long euid = Native.geteuid();
        if (!r.anyOwner() && raw[2] != euid) {
            throw new ShmPermissionException(r.describe() + " is owned by uid " + raw[2] + ", not by this process's uid " + euid
                    + "; a file someone else owns can be truncated or replaced under this mapping (accept it with anyOwner())",
                    operation(r, "fstat"), 0, null);
        }
        long fileSize = raw[0];
        if (r.size() == -1) {
            if (fileSize - r.offset() <= 0) {
                throw new ShmInvalidArgumentException(r.describe() + " is " + fileSize + " bytes: nothing to map at offset "
                        + r.offset() + " (an empty file cannot be mapped)", operation(r, "open"), 0, null);
            }
            return fileSize - r.offset();
        }
        // An existing object is never resized behind the caller's back.
        if (r.offset() > fileSize - r.size()) {
            throw new ShmInvalidArgumentException(r.describe() + " is " + fileSize + " bytes, smaller than the "
                    + r.size() + " bytes asked at offset " + r.offset() + "; it is not resized when opened: open it with its own size"
                    + " or grow it with resize()", operation(r, "open"), 0, null);
        }
        return r.size();
    }

    /** Maps {@code size} bytes at the request's offset. */
    Mapping map(long size) {
        Request r = request;
        long alignedOffset = r.offset() / Mapping.PAGE_SIZE * Mapping.PAGE_SIZE;
        long delta = r.offset() - alignedOffset;
        long length = Mapping.pageAligned(Math.addExact(size, delta));
        boolean readOnly = r.access() == Access.READ_ONLY;
        int flags = (readOnly ? Native.MAP_READONLY : 0) | (r.privateMapping() ? Native.MAP_PRIVATE : 0)
                | (r.populate() ? Native.MAP_POPULATE : 0);
        long base = Native.map(fd, alignedOffset, length, flags);
        if (base < 0) {
            throw Errors.failure(base, "mmap(" + r.describe() + ", offset=" + alignedOffset + ", length=" + length
                    + (r.privateMapping() ? ", MAP_PRIVATE" : ", MAP_SHARED") + (readOnly ? ", PROT_READ" : ", PROT_READ|PROT_WRITE")
                    + ")", base == -Errors.EINVAL ? hugetlbfsHint("the file offset") : null);
        }
        FaultWord faults;
        try {
            faults = FaultWord.register(base, length, base + delta, readOnly, lastFaults, r.describe());
        } catch (RuntimeException e) {
            Native.unmap(base, length);
            throw e;
        }
        lastFaults = faults;
        Mapping mapping = new Mapping(base + delta, size, base, length, readOnly, faults);
        if (r.lockPages()) {
            lockPages(mapping, true);
        }
        return mapping;
    }

    /**
     * The system call {@link #grow} makes: {@code posix_fallocate} when the blocks are reserved,
     * {@code ftruncate} otherwise. Messages name it.
     */
    String growCall() {
        return request.reserve() ? "posix_fallocate" : "ftruncate";
    }

    /**
     * Grows the file to {@code end} bytes (never shrinks), reserving the blocks if asked. All or
     * nothing: on failure the file keeps its size.
     */
    void grow(long end, String operation) {
        int rc = Native.fileGrow(fd, end, request.reserve() ? Native.GROW_RESERVE : 0);
        if (rc < 0) {
            throw growFailure(rc, end, operation);
        }
    }

    private ShmException growFailure(int rc, long end, String operation) {
        String hint = rc == -Errors.ENOSPC || rc == -Errors.EFBIG ? spaceHint(end)
                : rc == -Errors.EINVAL ? hugetlbfsHint("its size") : null;
        return Errors.failure(rc, operation, hint);
    }

    /**
     * For an EINVAL from a file on a hugetlbfs mount, which takes only sizes and offsets that are
     * whole huge pages; null for any other file system. Only asked on a failure path.
     */
    private String hugetlbfsHint(String what) {
        if (request.isPosix()) {
            return null;
        }
        try {
            if (!Files.getFileStore(Path.of(request.path())).type().equals("hugetlbfs")) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return request.path() + " is on hugetlbfs, where " + what + " must be a multiple of the mount's huge page size (the"
                + " system's default is " + KernelLimits.hugePageSize() + " bytes)";
    }

    FileStat stat() {
        long[] f = rawStat();
        return new FileStat(f[0], (int) f[1] & 07777, f[2], f[3], f[4], f[5], f[6], Instant.ofEpochSecond(f[7]));
    }

    private long[] rawStat() {
        long[] raw = new long[Native.FILE_STAT_FIELDS];
        int rc = Native.fileStat(fd, raw);
        if (rc < 0) {
            throw Errors.failure(rc, operation(request, "fstat"));
        }
        return raw;
    }

    void sync(Mapping mapping, long offset, long length, boolean async) {
        // msync wants a page-aligned start: widen the range down to the page that holds it.
        long start = mapping.address + offset;
        long alignedStart = start / Mapping.PAGE_SIZE * Mapping.PAGE_SIZE;
        int rc = Native.sync(alignedStart, length + (start - alignedStart), async);
        if (rc < 0) {
            throw Errors.failure(rc, "msync(" + request.describe() + ", offset=" + offset + ", length=" + length
                    + (async ? ", MS_ASYNC)" : ", MS_SYNC)"));
        }
    }

    void lockPages(Mapping mapping, boolean lock) {
        int rc = Native.lockPages(mapping.base, mapping.length, lock);
        if (rc < 0) {
            throw Errors.failure(rc, (lock ? "mlock(" : "munlock(") + request.describe() + ", length=" + mapping.length + ")",
                    lock && (rc == -Errors.ENOMEM || rc == -Errors.EPERM || rc == -Errors.EAGAIN)
                            ? "locking needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK (ulimit -l) above " + mapping.length + " bytes"
                            : null);
        }
    }

    /** Closes the descriptor; the mappings stay valid (the kernel holds the file for them). */
    void close() {
        if (!closed) {
            closed = true;
            Native.closeFd(fd);
        }
    }

    /** Undoes a failed open: closes, and deletes the file if this open created it. */
    private void abandon() {
        close();
        if (created) {
            if (request.isPosix()) {
                Native.posixUnlink(nulTerminated(request.posixName()));
            } else {
                Native.unlink(nulTerminated(request.path()));
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static int openRaw(Request r, int flags) {
        return r.isPosix()
                ? Native.posixOpen(nulTerminated(r.posixName()), flags, r.mode())
                : Native.fileOpen(nulTerminated(r.path()), flags, r.mode());
    }

    /**
     * A path or name as the C library wants it: in the encoding the JVM uses for file names
     * ({@code sun.jnu.encoding}, what {@code java.io.File} uses), NUL-terminated.
     */
    static byte[] nulTerminated(String text) {
        byte[] bytes = text.getBytes(FILE_NAME_ENCODING);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static String operation(Request r, String call) {
        return operation(r, call, "");
    }

    /** {@code shm_open(name=/x, args)} or {@code open(path=/f, args)}. */
    private static String operation(Request r, String call, String args) {
        String target = r.isPosix() ? (call.equals("open") ? "shm_open" : call) + "(name=" + r.posixName() : call + "(path=" + r.path();
        return target + (args.isEmpty() ? "" : ", " + args) + ")";
    }

    private static String describeFlags(Request r, boolean readOnly, boolean openOrCreate) {
        return (readOnly ? "O_RDONLY" : "O_RDWR") + (r.create() ? "|O_CREAT" + (openOrCreate ? "" : "|O_EXCL") : "")
                + "|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK, mode=" + Errors.octalMode(r.mode());
    }

    /** The exception for a failed open; a name that is not a regular file gets its own message. */
    private static ShmException openFailure(Request r, int rc, String flags) {
        String operation = operation(r, "open", "flags=" + flags);
        if (rc == -Errors.ENODEV) {
            return notRegularFile(operation, r.describe(), typeOf(r.path()),
                    "only a regular file can be mapped, and it was not opened (a FIFO would block, a device could act)");
        }
        return Errors.failure(rc, operation, openHint(r, rc));
    }

    /**
     * The refusal of a name that is not a regular file (ENODEV: what the C library's look
     * returns), for the mapping opens here and the command-line tool's opens of the user's files.
     *
     * @param what the name as the message shows it
     * @param type its {@code S_IFMT} bits, or -1 if unknown
     * @param why  what follows: why only a regular file will do, and what was done
     */
    static ShmInvalidArgumentException notRegularFile(String operation, String what, int type, String why) {
        return new ShmInvalidArgumentException(operation + ": " + what + " is " + typeName(type) + ", not a regular file; " + why,
                operation, Errors.ENODEV, "ENODEV");
    }

    /** The {@code S_IFMT} bits of {@code path}, not following a link; -1 if it cannot be read. */
    static int typeOf(String path) {
        try {
            return (Integer) Files.getAttribute(Path.of(path), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    & S_IFMT;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "a FIFO", "a directory", ... for {@code S_IFMT} bits. */
    static String typeName(int type) {
        return switch (type) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0040000 -> "a directory";
            case 0060000 -> "a block device";
            case 0120000 -> "a symbolic link";
            case 0140000 -> "a socket";
            case -1 -> "something other than a regular file (its type could not be read)";
            default -> "of type 0" + Integer.toOctalString(type);
        };
    }

    private static String openHint(Request r, int rc) {
        if (rc == -Errors.ELOOP) {
            return r.describe() + " is a symbolic link; jshm never follows one (O_NOFOLLOW)";
        }
        if (rc == -Errors.ENOENT && r.isPosix()) {
            return "no object of that name in /dev/shm";
        }
        return null;
    }

    /** How much the file system holding the file has free, next to what was asked. */
    private String spaceHint(long asked) {
        Path where = Path.of(request.path()).toAbsolutePath().getParent();
        try {
            FileStore store = Files.getFileStore(where);
            return "asked for " + asked + " bytes; " + where + " (" + store.type() + ") has " + store.getUsableSpace()
                    + " bytes free of " + store.getTotalSpace();
        } catch (IOException | RuntimeException e) {
            return "asked for " + asked + " bytes; the free space of " + where + " could not be read: " + e.getMessage();
        }
    }
}
