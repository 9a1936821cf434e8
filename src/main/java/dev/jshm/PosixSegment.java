package dev.jshm;

import dev.jshm.stat.FileStat;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.sync.Futex;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A POSIX shared memory object ({@code shm_open} + {@code mmap}), mapped into this process.
 *
 * <pre>{@code
 * try (PosixSegment segment = PosixSegment.create("/orders", 1 << 20)) {  // O_CREAT|O_EXCL, 0600
 *     segment.putLong(0, 42);
 *     segment.unlink();                                                     // shm_unlink
 * }                                                                         // munmap
 * }</pre>
 *
 * <p>Objects live in {@code /dev/shm}, where glibc's {@code shm_open}, Python's
 * {@code multiprocessing.shared_memory} and C programs find them by the same name. Creation is
 * exclusive and the mode 0600 unless asked otherwise. The memory is reserved when the object is
 * created ({@code posix_fallocate}), so a full {@code /dev/shm} fails at create time with a
 * {@link ShmLimitException} that says how much was asked and how much is free, instead of a
 * SIGBUS at the first touch.
 *
 * <p>Names are checked before any system call: exactly one leading {@code /}, no other
 * {@code /}, no NUL, not empty, not {@code /.} or {@code /..}, at most 255 bytes after the slash.
 *
 * <p>Truncation: another process may shrink the object while it is mapped here. Nothing it does
 * crashes the JVM: an access to the cut-off memory (through any method, a view, the atomics,
 * native copies or C code in this process) raises SIGBUS, which jshm's handler answers by
 * replacing the memory from the faulting page to the end of the mapping with private zero pages;
 * the access completes there. Every method that touches memory then reports it from that very
 * call with {@link SegmentFaultException}: the typed, bulk and string methods, {@code fill},
 * {@link #atomics()}, {@link #nativeAtomics()} and {@link Futex}. A view
 * ({@link #asByteBuffer()}) cannot check each access: it reads zeros there, and
 * {@link #checkBacked(long, long)} tells its user. The memory below the cut keeps working; to see
 * the object's new size, close the segment and open it again. The price is one load and a
 * compare after each access (see the README's measurements); System V segments, which cannot be
 * truncated, do not pay it. With {@code -Xcheck:jni} the JVM prints, once, that the SIGBUS
 * handler was modified: that is jshm's handler, installed when the first POSIX object or file is
 * mapped, and it passes every fault outside jshm's mappings on to the JVM's.
 *
 * <p>Thread-safety: as {@link Segment}; {@link #resize}, {@link #stat()} and the other
 * object-level methods may be called from any thread.
 */
public final class PosixSegment extends Segment {

    /** The longest name, in bytes after the leading slash (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    private final String name;
    private final FileBacking backing;

    private PosixSegment(String name, FileBacking.Opened opened) {
        super(opened.mapping(), opened.backing().request.nativeCopies);
        this.name = name;
        this.backing = opened.backing();
    }

    /**
     * Creates a new object of {@code size} bytes, mode 0600, mapped read-write.
     *
     * @throws SegmentExistsException if the name is taken
     * @throws ShmLimitException      if {@code /dev/shm} lacks the space (the message says how much is free)
     */
    public static PosixSegment create(String name, long size) {
        return builder(name).size(size).create();
    }

    /** Maps the existing object {@code name}, its whole size, read-write. */
    public static PosixSegment open(String name) {
        return builder(name).open();
    }

    /** Maps the existing object {@code name}, its whole size. */
    public static PosixSegment open(String name, Access access) {
        return builder(name).access(access).open();
    }

    /** A builder for every way of creating or opening an object. */
    public static Builder builder(String name) {
        return new Builder(validateName(name));
    }

    /**
     * Removes the name ({@code shm_unlink}); the memory goes when the last mapping does.
     *
     * @throws SegmentNotFoundException if there is no such object
     */
    public static void unlink(String name) {
        validateName(name);
        Native.ensureAvailable();
        int rc = Native.posixUnlink(FileBacking.nulTerminated(name));
        if (rc < 0) {
            throw Errors.failure(rc, "shm_unlink(name=" + name + ")");
        }
    }

    /**
     * Checks a POSIX shared memory name and returns it.
     *
     * @throws IllegalArgumentException naming the rule the name breaks
     */
    public static String validateName(String name) {
        Objects.requireNonNull(name, "name");
        String problem;
        if (name.isEmpty()) {
            problem = "it is empty";
        } else if (name.charAt(0) != '/') {
            problem = "it must start with '/'";
        } else if (name.indexOf('\0') >= 0) {
            problem = "it contains a NUL character at index " + name.indexOf('\0');
        } else if (name.length() == 1) {
            problem = "it has nothing after the '/'";
        } else if (name.indexOf('/', 1) >= 0) {
            problem = "it contains a '/' after the first character (at index " + name.indexOf('/', 1) + ")";
        } else if (name.equals("/.") || name.equals("/..")) {
            problem = "'.' and '..' are not names";
        } else if (name.getBytes(StandardCharsets.UTF_8).length - 1 > MAX_NAME_BYTES) {
            problem = "it is " + (name.getBytes(StandardCharsets.UTF_8).length - 1) + " bytes long after the '/'; at most "
                    + MAX_NAME_BYTES + " are allowed";
        } else {
            return name;
        }
        throw new IllegalArgumentException("invalid POSIX shared memory name \"" + name.replace("\0", "\\0") + "\": " + problem);
    }

    /** The object's name, such as {@code /orders}. */
    public String name() {
        return name;
    }

    /** Whether this process created the object (only then may it {@link #resize} it). */
    public boolean createdHere() {
        return backing.created;
    }

    /** What {@code fstat} says about the object now; its size may differ from {@link #size()} if another process resized it. */
    public FileStat stat() {
        checkOpen();
        return backing.stat();
    }

    /**
     * Grows the object to {@code newSize} bytes and maps the larger size. Only for an object
     * this process created: growing someone else's object under them is not this process's
     * decision. Views taken before stay valid and see the same memory.
     *
     * <p>All or nothing: the memory is reserved ({@code posix_fallocate}) as the object grows,
     * unless it was created with {@link Builder#noReserve()} ({@code ftruncate}). If that fails
     * (a full {@code /dev/shm}: {@link ShmLimitException} naming the call, how much was asked and
     * how much is free), the object and this segment keep their old size.
     *
     * @throws IllegalArgumentException if {@code newSize} is not larger than {@link #size()}
     * @throws IllegalStateException    if this process did not create the object, or it is closed
     */
    public synchronized void resize(long newSize) {
        checkOpen();
        if (!backing.created) {
            throw new IllegalStateException("resize(" + newSize + ") of " + this
                    + ": only the process that created the object may resize it");
        }
        if (newSize <= size()) {
            throw new IllegalArgumentException("resize(" + newSize + ") of " + this + ": jshm only grows objects (size is "
                    + size() + ")");
        }
        backing.grow(newSize, backing.growCall() + "(name=" + name + ", size=" + newSize + ")");
        replaceMapping(backing.map(newSize));
    }

    /** Locks the mapped pages in RAM ({@code mlock}); needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK. */
    public synchronized void lock() {
        checkOpen();
        backing.lockPages(readable("lock", 0, 0), true);
    }

    /** Lets the mapped pages be swapped again ({@code munlock}). */
    public synchronized void unlock() {
        checkOpen();
        backing.lockPages(readable("unlock", 0, 0), false);
    }

    /** Removes the object's name ({@code shm_unlink}); this mapping stays until {@link #close()}. Works after close. */
    public void unlink() {
        unlink(name);
    }

    @Override
    void closeKind() {
        synchronized (this) {
            backing.close();
        }
    }

    @Override
    public boolean truncatable() {
        return true; // any process with write permission may ftruncate the object
    }

    @Override
    public SegmentLocator locator() {
        return SegmentLocator.posix(name);
    }

    @Override
    public String toString() {
        return "POSIX segment " + name + " size=" + size();
    }

    /**
     * Every way of creating or opening a POSIX object. Defaults: exclusive create, mode 0600,
     * read-write, memory reserved at create, the JVM's bulk copies.
     *
     * <p>Not thread-safe; use one builder per thread.
     */
    public static final class Builder {
        private final FileBacking.Request request = new FileBacking.Request();

        private Builder(String name) {
            request.posixName = name;
            request.path = "/dev/shm" + name;
            request.reserve = true;
        }

        /** The size in bytes: required to create; to open, at most the object's size (default: all of it). */
        public Builder size(long size) {
            request.size = size;
            return this;
        }

        /** The permission bits for a new object, 0600 by default. */
        public Builder mode(int mode) {
            request.mode = Errors.permissionBits(mode, "mode(" + Errors.octalMode(mode) + ") for " + request.posixName);
            return this;
        }

        /**
         * Opens the object if it exists instead of failing. An existing object is never
         * resized: if it is smaller than {@link #size(long)}, creation fails.
         */
        public Builder openOrCreate() {
            request.exclusive = false;
            return this;
        }

        /** How the object is mapped; read-write by default. */
        public Builder access(Access access) {
            request.access = Objects.requireNonNull(access, "access");
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

        /** Skips the reservation at create ({@code posix_fallocate}); a full /dev/shm then means SIGBUS later. */
        public Builder noReserve() {
            request.reserve = false;
            return this;
        }

        /** Accepts an object owned by another user (refused by default). */
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

        /** Creates the object (or, with {@link #openOrCreate()}, opens it if it exists) and maps it. */
        public PosixSegment create() {
            request.create = true;
            return new PosixSegment(request.posixName, FileBacking.open(request));
        }

        /**
         * Opens the existing object and maps it.
         *
         * @throws SegmentNotFoundException if there is none of that name
         */
        public PosixSegment open() {
            request.create = false;
            return new PosixSegment(request.posixName, FileBacking.open(request));
        }
    }

    // ---- listing ----------------------------------------------------------------------------------

    /**
     * Every POSIX shared memory object: the regular files in {@code /dev/shm}, by name, as
     * {@code lstat} sees them (a symbolic link or directory there is not an object and is left
     * out; links are never followed). Nothing is opened. An object removed while the directory
     * is read is left out, not reported as an error.
     *
     * <p>Thread-safe.
     *
     * @throws ShmException if {@code /dev/shm} cannot be read
     */
    public static java.util.List<PosixObjectInfo> list() {
        return PosixObjectInfo.list();
    }
}
