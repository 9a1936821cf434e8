package dev.jshm;

import dev.jshm.stat.FileStat;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A range of a file mapped into this process ({@code open} + {@code mmap}): memory that outlives
 * every process, backed by the file.
 *
 * <pre>{@code
 * try (MappedFileSegment segment = MappedFileSegment.create(Path.of("/var/lib/app/state"), 1 << 20)) {
 *     segment.putLong(0, 42);
 *     segment.force();                       // msync(MS_SYNC): on disk when this returns
 * }
 * }</pre>
 *
 * <p>Creation is exclusive and the mode 0600 unless asked otherwise; the path is never followed
 * through a symbolic link ({@code O_NOFOLLOW}), and a file owned by another user is refused
 * unless {@link Builder#anyOwner()}. A mapping is shared (writes reach the file and every other
 * process that maps it) or private ({@link Builder#privateMapping()}: copy-on-write, writes stay
 * in this process). Files larger than 2 GiB work with long offsets; views are windows
 * ({@link #asByteBuffer(long, int)}).
 *
 * <p>Huge pages: a file on a hugetlbfs mount is mapped with the mount's huge pages. There its size
 * and the file offset must be whole huge pages (the kernel refuses anything else with EINVAL, and
 * the message says so); a smaller window maps, and at close detaches, whole huge pages.
 *
 * <p>Truncation: another process may shrink the file while it is mapped here, and a full file
 * system may fail to back a page of a file created without {@link Builder#reserve()}. Neither
 * crashes the JVM, and every method that touches the memory reports it with
 * {@link SegmentFaultException}, as for POSIX objects: see {@link PosixSegment} for what is
 * guarded, at what cost, and what a view's user gets ({@link #checkBacked(long, long)}).
 *
 * <p>Thread-safety: as {@link Segment}; {@link #force}, {@link #resize} and {@link #stat()} may be
 * called from any thread.
 */
public final class MappedFileSegment extends Segment {

    private final Path path;
    private final FileBacking backing;

    private MappedFileSegment(Path path, FileBacking.Opened opened) {
        super(opened.mapping(), opened.backing().request.nativeCopies);
        this.path = path;
        this.backing = opened.backing();
    }

    /**
     * Creates a new file of {@code size} bytes, mode 0600, and maps it read-write and shared.
     *
     * @throws SegmentExistsException if the file exists
     */
    public static MappedFileSegment create(Path path, long size) {
        return builder(path).size(size).create();
    }

    /** Maps all of the existing file read-write and shared. */
    public static MappedFileSegment open(Path path) {
        return builder(path).open();
    }

    /** Maps all of the existing file, shared. */
    public static MappedFileSegment open(Path path, Access access) {
        return builder(path).access(access).open();
    }

    /** A builder for every way of mapping a file. */
    public static Builder builder(Path path) {
        return new Builder(path);
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Where in the file the segment's byte 0 is. */
    public long fileOffset() {
        return backing.request.offset;
    }

    /** Whether the mapping is private (copy-on-write): writes stay in this process. */
    public boolean isPrivate() {
        return backing.request.privateMapping;
    }

    /** What {@code fstat} says about the file now. */
    public FileStat stat() {
        checkOpen();
        return backing.stat();
    }

    /** Writes every changed page to the file and waits for it ({@code msync(MS_SYNC)}). */
    public void force() {
        force(0, size(), false);
    }

    /**
     * Writes the changed pages of a range to the file ({@code msync}); with {@code async}, starts
     * the write-back and returns at once ({@code MS_ASYNC}).
     */
    public void force(long offset, long length, boolean async) {
        Mapping m = readable("force", offset, length);
        backing.sync(m, offset, length, async);
    }

    /**
     * Grows the file to {@code fileOffset() + newSize} bytes (if it is smaller) and maps the
     * larger size. Views taken before stay valid and see the same memory.
     *
     * @throws IllegalArgumentException if {@code newSize} is not larger than {@link #size()}
     */
    public synchronized void resize(long newSize) {
        Mapping current = writable("resize", 0, 0);
        if (newSize <= current.size) {
            throw new IllegalArgumentException("resize(" + newSize + ") of " + this + ": jshm only grows files (size is "
                    + current.size + ")");
        }
        backing.grow(Math.addExact(fileOffset(), newSize), backing.growCall() + "(path=" + path + ", size=" + newSize + ")");
        replaceMapping(backing.map(newSize));
    }

    /** Locks the mapped pages in RAM ({@code mlock}); needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK. */
    public synchronized void lock() {
        backing.lockPages(readable("lock", 0, 0), true);
    }

    /** Lets the mapped pages be swapped again ({@code munlock}). */
    public synchronized void unlock() {
        backing.lockPages(readable("unlock", 0, 0), false);
    }

    @Override
    void closeKind() {
        synchronized (this) {
            backing.close();
        }
    }

    @Override
    public boolean truncatable() {
        return true; // any process with write permission may truncate the file
    }

    @Override
    public SegmentLocator locator() {
        return SegmentLocator.file(path, fileOffset(), size());
    }

    @Override
    public String toString() {
        return "mapped file " + path + (fileOffset() != 0 ? " offset=" + fileOffset() : "") + " size=" + size();
    }

    /**
     * Every way of mapping a file. Defaults: exclusive create, mode 0600, read-write, shared,
     * the JVM's bulk copies, no reservation.
     *
     * <p>Not thread-safe; use one builder per thread.
     */
    public static final class Builder {
        private final Path path;
        private final FileBacking.Request request = new FileBacking.Request();

        private Builder(Path path) {
            this.path = Objects.requireNonNull(path, "path");
            String text = path.toString();
            if (text.isEmpty() || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid path \"" + text.replace("\0", "\\0") + "\": "
                        + (text.isEmpty() ? "it is empty" : "it contains a NUL character"));
            }
            request.path = text;
        }

        /** The size in bytes: required to create; to open, default: from the offset to the end of the file. */
        public Builder size(long size) {
            request.size = size;
            return this;
        }

        /** Where in the file the segment starts; any offset, 0 by default. */
        public Builder offset(long offset) {
            request.offset = offset;
            return this;
        }

        /** The permission bits for a new file, 0600 by default. */
        public Builder mode(int mode) {
            request.mode = Errors.permissionBits(mode, "mode(" + Errors.octalMode(mode) + ") for " + request.path);
            return this;
        }

        /** Uses the file if it exists instead of failing; an existing file is never resized. */
        public Builder openOrCreate() {
            request.exclusive = false;
            return this;
        }

        /** How the file is mapped; read-write by default. */
        public Builder access(Access access) {
            request.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /** Copy-on-write: writes stay in this process and never reach the file ({@code MAP_PRIVATE}). */
        public Builder privateMapping() {
            request.privateMapping = true;
            return this;
        }

        /** Faults every page in at map time ({@code MAP_POPULATE}). */
        public Builder populate() {
            request.populate = true;
            return this;
        }

        /** Locks the pages in RAM at map time ({@code mlock}). */
        public Builder lockInMemory() {
            request.lockPages = true;
            return this;
        }

        /** Allocates the file's blocks at create ({@code posix_fallocate}), so a full disk fails now, not with SIGBUS later. */
        public Builder reserve() {
            request.reserve = true;
            return this;
        }

        /** Accepts a file owned by another user (refused by default). */
        public Builder anyOwner() {
            request.anyOwner = true;
            return this;
        }

        /**
         * Uses native copies ({@code memcpy}, one JNI call) for bulk operations: about as fast as
         * the JVM's copies from 64 KiB up, slower below a few KiB. A truncation during a native
         * copy is healed and reported like any other access.
         */
        public Builder nativeCopies() {
            request.nativeCopies = true;
            return this;
        }

        /** Creates the file (or, with {@link #openOrCreate()}, uses it if it exists) and maps it. */
        public MappedFileSegment create() {
            request.create = true;
            return new MappedFileSegment(path, FileBacking.open(request));
        }

        /**
         * Maps the existing file.
         *
         * @throws SegmentNotFoundException if it does not exist
         */
        public MappedFileSegment open() {
            request.create = false;
            return new MappedFileSegment(path, FileBacking.open(request));
        }
    }
}
