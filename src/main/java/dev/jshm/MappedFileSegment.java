package dev.jshm;

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
 * {@link SegmentFaultException}: see {@link FileBackedSegment} for what is guarded, at what cost,
 * and what a view's user gets ({@link #checkBacked(long, long)}).
 *
 * <p>Thread-safety: as {@link Segment}; {@link #force}, {@link #resize} and {@link #stat()} may be
 * called from any thread.
 */
public final class MappedFileSegment extends FileBackedSegment {

    private final Path path;

    private MappedFileSegment(Path path, FileBacking.Opened opened) {
        super(opened);
        this.path = path;
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
        return backing.request.offset();
    }

    /** Whether the mapping is private (copy-on-write): writes stay in this process. */
    public boolean isPrivate() {
        return backing.request.privateMapping();
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
        grow(Math.addExact(fileOffset(), newSize), newSize, "path=" + path);
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
    /**
     * Options for {@link #create()} and {@link #open()} of one file: those of every file-backed
     * kind ({@link FileBackedSegment.Builder}) and {@link #offset(long)},
     * {@link #privateMapping()} and {@link #reserve()}. Not thread-safe.
     */
    public static final class Builder extends FileBackedSegment.Builder<Builder, MappedFileSegment> {
        private final Path path;
        private long offset;
        private boolean privateMapping;

        private Builder(Path path) {
            super(checkedPath(path), false);
            this.path = path;
        }

        private static String checkedPath(Path path) {
            String text = Objects.requireNonNull(path, "path").toString();
            if (text.isEmpty() || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid path \"" + text.replace("\0", "\\0") + "\": "
                        + (text.isEmpty() ? "it is empty" : "it contains a NUL character"));
            }
            return text;
        }

        /**
         * Where in the file the segment starts; any offset, 0 by default.
         *
         * @param offset not negative; checked when the segment is created or opened
         * @return this builder
         */
        public Builder offset(long offset) {
            this.offset = offset;
            return this;
        }

        /**
         * Copy-on-write: writes stay in this process and never reach the file ({@code MAP_PRIVATE}).
         *
         * @return this builder
         */
        public Builder privateMapping() {
            this.privateMapping = true;
            return this;
        }

        /**
         * Allocates the file's blocks at create ({@code posix_fallocate}), so a full disk fails now,
         * not with SIGBUS later.
         *
         * @return this builder
         */
        public Builder reserve() {
            this.reserve = true;
            return this;
        }

        @Override
        FileBacking.Request request(boolean create) {
            return new FileBacking.Request(null, display, size, offset, mode, create, exclusive, access, privateMapping,
                    populate, lockPages, anyOwner, reserve, nativeCopies);
        }

        @Override
        MappedFileSegment opened(FileBacking.Opened opened) {
            return new MappedFileSegment(path, opened);
        }
    }

}
