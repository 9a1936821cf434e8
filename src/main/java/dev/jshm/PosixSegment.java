package dev.jshm;

import dev.jshm.stat.PosixObjectInfo;
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
 * <p>Names are checked before any system call: one leading {@code /}, no other {@code /}, no
 * NUL, not empty, not {@code /.} or {@code /..}, at most 255 bytes after the slash. A name given
 * without its leading slash ({@code orders}, as Python's {@code multiprocessing.shared_memory}
 * spells it) is the same object as {@code /orders} to glibc's {@code shm_open}, and is taken as
 * that (see {@link #validateName(String)}).
 *
 * <p>Truncation: another process may shrink the object while it is mapped here. Nothing it does
 * crashes the JVM, and every method that touches the memory reports it with
 * {@link SegmentFaultException}: see {@link FileBackedSegment} for what is guarded, at what cost,
 * and what a view's user gets ({@link #checkBacked(long, long)}).
 *
 * <p>Failures: every method that calls the kernel throws {@link NativeUnavailableException} if
 * jshm's native library could not be loaded on this machine; system errors become the
 * {@link ShmException} subclass their errno stands for, naming the call, the name and the errno.
 *
 * <p>Thread-safety: as {@link Segment}; {@link #resize}, {@link #stat()} and the other
 * object-level methods may be called from any thread.
 */
public final class PosixSegment extends FileBackedSegment {

    /** The longest name, in bytes after the leading slash (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    private final String name;

    private PosixSegment(String name, FileBacking.Opened opened) {
        super(opened);
        this.name = name;
    }

    /**
     * Creates a new object of {@code size} bytes, mode 0600, its memory reserved, mapped
     * read-write. See {@link Builder} for the other ways.
     *
     * @param name the object's name, such as {@code /orders}
     * @param size the size in bytes, at least 1
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException if the name breaks a rule (see the class comment), or
     *                                  {@code size} is less than 1
     * @throws SegmentExistsException   if the name is taken
     * @throws ShmLimitException        if {@code /dev/shm} lacks the space (the message says how much is free)
     */
    public static PosixSegment create(String name, long size) {
        return builder(name).size(size).create();
    }

    /**
     * Maps the existing object {@code name}, its whole size, read-write:
     * {@code open(name, Access.READ_WRITE)}.
     *
     * @param name the object's name, such as {@code /orders}
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException    if the name breaks a rule (see the class comment)
     * @throws SegmentNotFoundException    if there is no such object
     * @throws ShmPermissionException      if its mode does not let this user read and write it,
     *                                     another user owns it, or the name is a symbolic link
     * @throws ShmInvalidArgumentException if it is empty, or not a regular file
     */
    public static PosixSegment open(String name) {
        return builder(name).open();
    }

    /**
     * Maps the existing object {@code name}, its whole size.
     *
     * @param name   the object's name, such as {@code /orders}
     * @param access how to map it
     * @return the mapped segment, which the caller closes
     * @throws IllegalArgumentException    if the name breaks a rule (see the class comment)
     * @throws SegmentNotFoundException    if there is no such object
     * @throws ShmPermissionException      if its mode does not allow {@code access} to this user,
     *                                     another user owns it, or the name is a symbolic link
     * @throws ShmInvalidArgumentException if it is empty, or not a regular file
     */
    public static PosixSegment open(String name, Access access) {
        return builder(name).access(access).open();
    }

    /**
     * {@return a new builder for every way of creating or opening the object {@code name}}
     *
     * @param name the object's name, such as {@code /orders}
     * @throws IllegalArgumentException if the name breaks a rule (see the class comment)
     */
    public static Builder builder(String name) {
        return new Builder(validateName(name));
    }

    /**
     * Removes the name ({@code shm_unlink}); the memory goes when the last mapping does.
     *
     * @param name the object's name, such as {@code /orders}
     * @throws IllegalArgumentException if the name breaks a rule (see the class comment)
     * @throws SegmentNotFoundException if there is no such object
     * @throws ShmPermissionException   if this user may not remove it (another user's object in
     *                                  the sticky {@code /dev/shm})
     */
    public static void unlink(String name) {
        String canonical = validateName(name);
        Native.ensureAvailable();
        int rc = Native.posixUnlink(FileBacking.nulTerminated(canonical));
        if (rc < 0) {
            throw Errors.failure(rc, "shm_unlink(name=" + canonical + ")");
        }
    }

    /**
     * Checks a POSIX shared memory name against the rules of the class comment (nothing is looked
     * up) and returns its canonical form, which starts with
     * {@code '/'}. A name without the leading slash ({@code orders}, as Python's
     * {@code multiprocessing.shared_memory} reports its names) is accepted as {@code /orders}: glibc's
     * {@code shm_open} strips leading slashes, so both spell the same object. Every method of this
     * class that takes a name accepts either form and uses the canonical one.
     *
     * @param name the object's name, with or without its leading {@code '/'}
     * @return the name with its leading {@code '/'}
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException naming the rule the name breaks
     */
    public static String validateName(String name) {
        Objects.requireNonNull(name, "name");
        String canonical = name.startsWith("/") ? name : "/" + name;
        int shift = canonical.length() - name.length(); // indexes in messages are the caller's
        String problem;
        if (name.isEmpty()) {
            problem = "it is empty";
        } else if (canonical.indexOf('\0') >= 0) {
            problem = "it contains a NUL character at index " + name.indexOf('\0');
        } else if (canonical.length() == 1) {
            problem = "it has nothing after the '/'";
        } else if (canonical.indexOf('/', 1) >= 0) {
            problem = "it contains a '/' after the first character (at index " + (canonical.indexOf('/', 1) - shift) + ")";
        } else if (canonical.equals("/.") || canonical.equals("/..")) {
            problem = "'.' and '..' are not names";
        } else if (canonical.getBytes(StandardCharsets.UTF_8).length - 1 > MAX_NAME_BYTES) {
            problem = "it is " + (canonical.getBytes(StandardCharsets.UTF_8).length - 1) + " bytes long after the '/'; at most "
                    + MAX_NAME_BYTES + " are allowed";
        } else {
            return canonical;
        }
        throw new IllegalArgumentException("invalid POSIX shared memory name \"" + name.replace("\0", "\\0") + "\": " + problem);
    }

    /** {@return the object's name, such as {@code /orders}} Allowed after close. */
    public String name() {
        return name;
    }

    /**
     * {@return whether this segment created the object} False when it opened an existing one,
     * also through {@link Builder#openOrCreate()}. Only a segment that created its object may
     * {@link #resize} it. Allowed after close.
     */
    public boolean createdHere() {
        return backing.created;
    }

    /**
     * Grows the object to {@code newSize} bytes and maps the larger size. Only for the segment
     * that created the object ({@link #createdHere()}): growing someone else's object under them
     * is not this process's decision. Views taken before stay valid and see the same memory;
     * other processes see the new size when they open the object again.
     *
     * <p>All or nothing: the memory is reserved ({@code posix_fallocate}) as the object grows,
     * unless it was created with {@link Builder#noReserve()} ({@code ftruncate}). If that fails
     * (a full {@code /dev/shm}: {@link ShmLimitException} naming the call, how much was asked and
     * how much is free), the object and this segment keep their old size.
     *
     * @param newSize the new size in bytes, larger than {@link #size()}
     * @throws IllegalArgumentException if {@code newSize} is not larger than {@link #size()}
     * @throws IllegalStateException    if this segment did not create the object, or it is closed
     * @throws ShmLimitException        if {@code /dev/shm} lacks the space (the message says how
     *                                  much is free)
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
        grow(newSize, newSize, "name=" + name);
    }

    /**
     * Removes the object's name ({@code shm_unlink}): {@link #unlink(String)} of {@link #name()}.
     * This mapping stays until {@link #close()}. Works after close.
     *
     * @throws SegmentNotFoundException if the name is already gone
     * @throws ShmPermissionException   if this user may not remove it
     */
    public void unlink() {
        unlink(name);
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
     * Every way of creating or opening a POSIX object: the options of every file-backed kind
     * ({@link FileBackedSegment.Builder}) and {@link #noReserve()}. Defaults: exclusive create,
     * mode 0600, read-write, memory reserved at create and on {@link PosixSegment#resize}, the
     * JVM's bulk copies.
     *
     * <p>Not thread-safe; use one builder per thread.
     */
    public static final class Builder extends FileBackedSegment.Builder<Builder, PosixSegment> {
        private final String name;

        private Builder(String name) {
            super(name, true);
            this.name = name;
        }

        /**
         * Skips the reservation ({@code posix_fallocate}) at create and on resize: the object is
         * sized with {@code ftruncate} and its pages are allocated when first touched. A full
         * {@code /dev/shm} then shows at that touch, as a {@link SegmentFaultException} from the
         * access (a view reads zeros: see {@link Segment#checkBacked}), not at create.
         *
         * @return this builder
         */
        public Builder noReserve() {
            reserve = false;
            return this;
        }

        @Override
        FileBacking.Request request(boolean create) {
            return new FileBacking.Request(name, "/dev/shm" + name, size, 0, mode, create, exclusive, access, false, populate,
                    lockPages, anyOwner, reserve, !jvmCopies);
        }

        @Override
        PosixSegment opened(FileBacking.Opened opened) {
            return new PosixSegment(name, opened);
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
     * @return the objects, sorted by name
     * @throws ShmException if {@code /dev/shm} cannot be read
     */
    public static java.util.List<PosixObjectInfo> list() {
        return PosixObjectInfo.list();
    }
}
