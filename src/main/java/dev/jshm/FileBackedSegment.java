package dev.jshm;

import dev.jshm.stat.FileStat;
import dev.jshm.sync.Futex;
import java.util.Objects;

/**
 * A segment whose memory is a file's: a POSIX shared memory object ({@link PosixSegment}, a file
 * in {@code /dev/shm}) or a range of any file ({@link MappedFileSegment}). What the two share
 * lives here: the file descriptor held until close, {@code fstat}, page locking, growing, and what
 * happens when another process truncates the file.
 *
 * <p>Truncation: another process may shrink the file while it is mapped here (and a full file
 * system may fail to back a page of a file created without reserving its memory). Except on a
 * hugetlbfs mount (see {@link MappedFileSegment}), nothing it does crashes the JVM: an access to
 * the cut-off memory (through any method, a view, the atomics, native copies or C code in this
 * process) raises SIGBUS, which jshm's handler answers by replacing the memory from the faulting
 * page to the end of the mapping with private zero pages; the access completes there. Every method
 * that touches memory then reports it from that very call with {@link SegmentFaultException}: the
 * typed, bulk and string methods, {@code fill}, {@link #atomics()}, {@link #nativeAtomics()} and
 * {@link Futex}. A view ({@link #asByteBuffer()}) cannot check each access: it reads zeros there,
 * and {@link #checkBacked(long, long)} tells its user. The memory below the cut keeps working; to
 * see the file's new size, close the segment and open it again. The price is one load and a compare
 * after each access (see the README's measurements); System V segments, which cannot be truncated,
 * do not pay it ({@link #truncatable()}). With {@code -Xcheck:jni} the JVM prints, once, that the
 * SIGBUS handler was modified: that is jshm's handler, installed when the first POSIX object or
 * file is mapped, and it passes every fault outside jshm's mappings on to the JVM's.
 *
 * <p>Thread-safety: as {@link Segment}; {@link #stat()}, {@link #lock()}, {@link #unlock()} and
 * the kinds' resize may be called from any thread.
 */
public abstract sealed class FileBackedSegment extends Segment permits PosixSegment, MappedFileSegment {

    final FileBacking backing;

    FileBackedSegment(FileBacking.Opened opened) {
        super(opened.mapping(), opened.backing().request.nativeCopies());
        this.backing = opened.backing();
    }

    /**
     * What {@code fstat} says about the object or file now; its size may differ from
     * {@link #size()} if another process resized it.
     *
     * @return the file's status
     * @throws IllegalStateException if the segment is closed
     * @throws ShmException          if {@code fstat} fails
     */
    public FileStat stat() {
        checkOpen();
        return backing.stat();
    }

    /**
     * Locks the mapped pages in RAM ({@code mlock}); needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK.
     *
     * @throws IllegalStateException if the segment is closed
     * @throws ShmException          if {@code mlock} fails (a limit: {@link ShmLimitException})
     */
    public final synchronized void lock() {
        checkOpen();
        backing.lockPages(readable("lock", 0, 0), true);
    }

    /**
     * Lets the mapped pages be swapped again ({@code munlock}).
     *
     * @throws IllegalStateException if the segment is closed
     * @throws ShmException          if {@code munlock} fails
     */
    public final synchronized void unlock() {
        checkOpen();
        backing.lockPages(readable("unlock", 0, 0), false);
    }

    /** True: any process with write permission may truncate the file (see the class comment). */
    @Override
    public final boolean truncatable() {
        return true;
    }

    @Override
    final void closeKind() {
        synchronized (this) {
            backing.close();
        }
    }

    /**
     * Grows the file to {@code fileSize} bytes and maps {@code newSize} bytes of it, for the kinds'
     * resize; {@code target} names the object in the message ({@code name=/x}, {@code path=p}).
     * Callers hold the segment's lock and checked the new size.
     */
    final void grow(long fileSize, long newSize, String target) {
        backing.grow(fileSize, backing.growCall() + "(" + target + ", size=" + newSize + ")");
        replaceMapping(backing.map(newSize));
    }

    /**
     * The options both file-backed kinds take; each kind's builder adds its own. Every setter
     * returns the builder itself, so calls chain. A builder is not thread-safe; the request it
     * hands to {@code create()} or {@code open()} is an immutable copy, so a builder may be reused.
     *
     * @param <B> the kind's builder
     * @param <S> the kind of segment it opens
     */
    public abstract static sealed class Builder<B extends Builder<B, S>, S extends FileBackedSegment>
            permits PosixSegment.Builder, MappedFileSegment.Builder {

        /** What messages call the object: its POSIX name or its path. */
        final String display;
        long size = -1;
        int mode = 0600;
        boolean exclusive = true;
        Access access = Access.READ_WRITE;
        boolean populate;
        boolean lockPages;
        boolean anyOwner;
        boolean reserve;
        boolean jvmCopies;

        Builder(String display, boolean reserve) {
            this.display = display;
            this.reserve = reserve;
        }

        /**
         * The size in bytes: required to create; to open, the bytes to map (by default all of the
         * object, or from a file's offset to its end).
         *
         * @param size at least 1; checked when the segment is created or opened
         * @return this builder
         */
        public final B size(long size) {
            this.size = size;
            return self();
        }

        /**
         * The permission bits a created object or file gets (default {@code 0600}; the umask
         * applies).
         *
         * @param mode permission bits only ({@code 0777} at most)
         * @return this builder
         * @throws IllegalArgumentException if bits other than {@code 0777} are set
         */
        public final B mode(int mode) {
            this.mode = Errors.permissionBits(mode, "mode(" + Errors.octalMode(mode) + ") for " + display);
            return self();
        }

        /**
         * Lets {@code create()} open an existing object or file instead of failing with
         * {@link SegmentExistsException}. An existing one is never resized: if it is smaller than
         * {@link #size(long)}, creation fails.
         *
         * @return this builder
         */
        public final B openOrCreate() {
            this.exclusive = false;
            return self();
        }

        /**
         * Read-write (the default) or read-only.
         *
         * @param access the access to open with
         * @return this builder
         * @throws NullPointerException if {@code access} is null
         */
        public final B access(Access access) {
            this.access = Objects.requireNonNull(access, "access");
            return self();
        }

        /**
         * Faults every page in when mapping ({@code MAP_POPULATE}), so the first accesses do not.
         *
         * @return this builder
         */
        public final B populate() {
            this.populate = true;
            return self();
        }

        /**
         * Locks the pages in RAM once mapped ({@code mlock}), and the larger mapping after a
         * resize; needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK, else {@code create()} or
         * {@code open()} fails naming the limit.
         *
         * @return this builder
         */
        public final B lockInMemory() {
            this.lockPages = true;
            return self();
        }

        /**
         * Accepts an object or file owned by another user (refused by default, so that another
         * user cannot plant one where this process expects its own).
         *
         * @return this builder
         */
        public final B anyOwner() {
            this.anyOwner = true;
            return self();
        }

        /**
         * Keeps bulk operations on the JVM's copies at every size, instead of the native
         * {@code memcpy}/{@code memset} that large ones take by default (see
         * {@link Segment#usesNativeCopies()} for the sizes), and {@link Segment#getString} on a
         * scan in Java instead of {@code memchr}. Slower, and meant for one case: a file on a
         * hugetlbfs mount that another process might truncate, where jshm cannot heal the fault,
         * so that a copy or a string read then fails as the JVM's own accesses do there (a
         * {@link SegmentFaultException} made from the JVM's {@link InternalError}, or in compiled
         * code possibly that error at a later statement) rather than crashing the JVM in C (see
         * {@link MappedFileSegment}). Everywhere else both paths are equally safe: a truncation
         * during either is healed and reported alike.
         *
         * @return this builder
         */
        public final B jvmCopies() {
            this.jvmCopies = true;
            return self();
        }

        /**
         * Creates the object or file (exclusively unless {@link #openOrCreate()}) and maps it.
         * An object or file this call created is removed again if a later step fails, so a
         * failure leaves nothing behind.
         *
         * @return the mapped segment, which the caller closes
         * @throws IllegalArgumentException    if the size is missing or not positive, or the file
         *                                     offset is negative
         * @throws SegmentExistsException      if it exists and creation is exclusive
         * @throws ShmPermissionException      if the directory's mode does not let this user
         *                                     create, or an existing one ({@link #openOrCreate()})
         *                                     belongs to another user, does not allow the access or
         *                                     is a symbolic link
         * @throws ShmInvalidArgumentException if an existing one is smaller than the size, or is
         *                                     not a regular file
         * @throws ShmLimitException           if the memory or the disk space cannot be reserved
         * @throws ShmException                if another system call fails (the message names it
         *                                     and the errno)
         */
        public final S create() {
            return opened(FileBacking.open(request(true)));
        }

        /**
         * Opens the existing object or file and maps it: all of it, or {@link #size(long)} bytes.
         *
         * @return the mapped segment, which the caller closes
         * @throws IllegalArgumentException    if the size was set and is not positive, or the
         *                                     file offset is negative
         * @throws SegmentNotFoundException    if it does not exist
         * @throws ShmPermissionException      if it belongs to another user, its mode does not
         *                                     allow the access, or the name is a symbolic link
         * @throws ShmInvalidArgumentException if it is smaller than the size (or empty), or is not
         *                                     a regular file
         * @throws ShmException                if another system call fails (the message names it
         *                                     and the errno)
         */
        public final S open() {
            return opened(FileBacking.open(request(false)));
        }

        /** The immutable request for one create or open. */
        abstract FileBacking.Request request(boolean create);

        /** The segment over what {@link FileBacking#open} returned. */
        abstract S opened(FileBacking.Opened opened);

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }
}
