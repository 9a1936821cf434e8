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
 * the message says so); a smaller window maps, and at close detaches, whole huge pages. Such a
 * mapping cannot be replaced a page at a time, so a truncation is not guarded there: its faults go
 * to the JVM as without jshm. The typed methods, views, and bulk methods on the JVM's path (small
 * copies; every copy and {@link #getString} of a segment built with {@link Builder#jvmCopies()})
 * fail as they would without jshm (the JVM's {@link InternalError}, in compiled code possibly at a
 * later statement), and {@link #atomics()}, {@link #nativeAtomics()}, the native path (by default
 * large copies and {@link #getString}), futex, the ring and the lock crash the JVM. Use hugetlbfs
 * only for files no other process truncates.
 *
 * <p>Truncation: another process may shrink the file while it is mapped here, and a full file
 * system may fail to back a page of a file created without {@link Builder#reserve()}. Off
 * hugetlbfs, neither crashes the JVM, and every method that touches the memory reports it with
 * {@link SegmentFaultException}: see {@link FileBackedSegment} for what is guarded, at what cost,
 * and what a view's user gets ({@link #checkBacked(long, long)}).
 *
 * <p>Failures: every method that calls the kernel throws {@link NativeUnavailableException} if
 * jshm's native library could not be loaded on this machine; system errors become the
 * {@link ShmException} subclass their errno stands for, naming the call, the path and the errno.
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
     * Creates a new file of {@code size} bytes, mode 0600, and maps it read-write and shared. Its
     * blocks are not reserved (see {@link Builder#reserve()}). See {@link Builder} for the other
     * ways.
     *
     * @param path the file to create
     * @param size the size in bytes, at least 1
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException if the path is empty or contains a NUL character, or
     *                                  {@code size} is less than 1
     * @throws SegmentExistsException   if the file exists (also as a symbolic link)
     * @throws SegmentNotFoundException if its directory does not exist
     * @throws ShmPermissionException   if this user may not create a file there
     */
    public static MappedFileSegment create(Path path, long size) {
        return builder(path).size(size).create();
    }

    /**
     * Maps all of the existing file read-write and shared: {@code open(path, Access.READ_WRITE)}.
     *
     * @param path the file
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException    if the path is empty or contains a NUL character
     * @throws SegmentNotFoundException    if there is no such file
     * @throws ShmPermissionException      if its mode does not let this user read and write it,
     *                                     another user owns it, or the path is a symbolic link
     * @throws ShmInvalidArgumentException if it is empty, or not a regular file
     */
    public static MappedFileSegment open(Path path) {
        return builder(path).open();
    }

    /**
     * Maps all of the existing file, shared.
     *
     * @param path   the file
     * @param access how to map it
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException    if the path is empty or contains a NUL character
     * @throws SegmentNotFoundException    if there is no such file
     * @throws ShmPermissionException      if its mode does not allow {@code access} to this user,
     *                                     another user owns it, or the path is a symbolic link
     * @throws ShmInvalidArgumentException if it is empty, or not a regular file
     */
    public static MappedFileSegment open(Path path, Access access) {
        return builder(path).access(access).open();
    }

    /**
     * {@return a new builder for every way of mapping the file {@code path}}
     *
     * @param path the file; nothing is looked up until {@code create()} or {@code open()}
     * @throws NullPointerException     if {@code path} is null
     * @throws IllegalArgumentException if the path is empty or contains a NUL character
     */
    public static Builder builder(Path path) {
        return new Builder(path);
    }

    /** {@return the file, as given to the builder} Allowed after close. */
    public Path path() {
        return path;
    }

    /** {@return where in the file the segment's byte 0 is} Allowed after close. */
    public long fileOffset() {
        return backing.request.offset();
    }

    /**
     * {@return whether the mapping is private (copy-on-write)} Its writes stay in this process.
     * Allowed after close.
     */
    public boolean isPrivate() {
        return backing.request.privateMapping();
    }

    /**
     * Writes every changed page to the file and waits for it ({@code msync(MS_SYNC)}):
     * {@code force(0, size(), false)}. A private mapping's writes never reach the file.
     *
     * @throws IllegalStateException if the segment is closed
     * @throws ShmException          if {@code msync} fails (a write-back error, such as EIO)
     */
    public void force() {
        force(0, size(), false);
    }

    /**
     * Writes the changed pages of a range to the file ({@code msync}); with {@code async}, starts
     * the write-back and returns at once ({@code MS_ASYNC}). The range is widened to whole pages.
     *
     * @param offset where the range starts in the segment
     * @param length the range's length in bytes
     * @param async  whether to return before the pages are written
     * @throws IndexOutOfBoundsException if the range is not inside the segment
     * @throws IllegalStateException     if the segment is closed
     * @throws ShmException              if {@code msync} fails (a write-back error, such as EIO)
     */
    public void force(long offset, long length, boolean async) {
        Mapping m = readable("force", offset, length);
        backing.sync(m, offset, length, async);
    }

    /**
     * Grows the file to {@code fileOffset() + newSize} bytes (if it is smaller) and maps the
     * larger size; any read-write segment of the file may, also a private one (the file still
     * grows). Blocks are reserved only with {@link Builder#reserve()}. All or nothing: if growing
     * the file fails, it and this segment keep their old size. Views taken before stay valid and
     * see the same memory.
     *
     * @param newSize the new size in bytes, larger than {@link #size()}
     * @throws IllegalArgumentException if {@code newSize} is not larger than {@link #size()}
     * @throws IllegalStateException    if the segment is closed
     * @throws ReadOnlySegmentException if the segment is read-only
     * @throws ArithmeticException      if {@code fileOffset() + newSize} overflows a {@code long}
     * @throws ShmLimitException        if the file system lacks the space or refuses the size
     *                                  (ENOSPC, EFBIG; the message says how much is free)
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
     * Every way of mapping a file: the options of every file-backed kind
     * ({@link FileBackedSegment.Builder}) and {@link #offset(long)}, {@link #privateMapping()} and
     * {@link #reserve()}. Defaults: exclusive create, mode 0600, read-write, shared, the JVM's bulk
     * copies, no reservation.
     *
     * <p>Not thread-safe; use one builder per thread.
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
         * Where in the file the segment starts; any offset, 0 by default. The segment's memory
         * is then as aligned as the offset: from an offset that is not a multiple of 8 (or 4), the
         * atomics refuse every long (or int) of the segment (see {@link SegmentAtomics}).
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
         * Allocates the file's blocks ({@code posix_fallocate}) at create and on resize, so a full
         * file system fails there ({@link ShmLimitException}), not as a
         * {@link SegmentFaultException} from the first access to a page it cannot back.
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
                    populate, lockPages, anyOwner, reserve, !jvmCopies);
        }

        @Override
        MappedFileSegment opened(FileBacking.Opened opened) {
            return new MappedFileSegment(path, opened);
        }
    }

}
