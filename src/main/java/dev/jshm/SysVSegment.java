package dev.jshm;

import dev.jshm.stat.SysVStat;
import java.time.Instant;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A System V shared memory segment ({@code shmget}/{@code shmat}), attached to this process.
 *
 * <pre>{@code
 * try (SysVSegment segment = SysVSegment.create(0x162e, 4096)) {   // shmget + shmat, mode 0600
 *     segment.putString(0, "hello");                                  // what the seed does with sprintf
 *     System.out.println(segment.getString(0));
 *     segment.remove();                                               // shmctl(IPC_RMID)
 * }                                                                   // shmdt
 * }</pre>
 *
 * <p>Creation is exclusive and the mode 0600 unless asked otherwise ({@link Builder}). A key is
 * any 32-bit value; {@link #IPC_PRIVATE} always makes a new segment that only its id reaches.
 *
 * <p>{@link #close()} detaches this process; the segment lives on until {@link #remove()} (or
 * {@link #removeById(int)}) marks it for removal and the last process detaches. The methods that
 * address the segment in the kernel rather than the attachment ({@link #stat()}, {@link #setMode},
 * {@link #setOwner}, {@link #lock()}, {@link #unlock()}, {@link #remove()}) work after close;
 * every access to the memory throws {@link IllegalStateException} after close.
 *
 * <p>Failures: every method that calls the kernel throws {@link NativeUnavailableException} if
 * jshm's native library could not be loaded on this machine ({@link #list()} reads {@code /proc}
 * and needs none); system errors become the {@link ShmException} subclass their errno stands for,
 * naming the call, its arguments and the errno.
 *
 * <p>Thread-safety: as {@link Segment}; the kernel-side methods may be called from any thread.
 */
public final class SysVSegment extends Segment {

    /** The key that always creates a new segment, reachable only by its id. */
    public static final int IPC_PRIVATE = 0;

    /** The default permission bits: owner read and write. */
    public static final int DEFAULT_MODE = 0600;

    private final int key;
    private final int shmid;

    private SysVSegment(int key, int shmid, Mapping mapping) {
        super(mapping, true);
        this.key = key;
        this.shmid = shmid;
    }

    // ---- factories --------------------------------------------------------------------------

    /**
     * Creates a new segment for {@code key}, mode 0600, and attaches it read-write. See
     * {@link Builder} for the other ways.
     *
     * @param key  the key, or {@link #IPC_PRIVATE} for a segment only its id reaches
     * @param size the size in bytes, at least 1
     * @return the attached segment, which the caller closes
     * @throws IllegalArgumentException    if {@code size} is less than 1
     * @throws SegmentExistsException      if the key already has a segment
     * @throws ShmLimitException           if the kernel's limits refuse the size (the message names them)
     * @throws ShmInvalidArgumentException if the size is above {@code kernel.shmmax}
     */
    public static SysVSegment create(int key, long size) {
        return builder().key(key).size(size).create();
    }

    /**
     * Creates a new private segment ({@link #IPC_PRIVATE}), mode 0600, attached read-write: only
     * its id ({@link #shmid()}, {@link #locator()}) reaches it.
     *
     * @param size the size in bytes, at least 1
     * @return the attached segment, which the caller closes
     * @throws IllegalArgumentException    if {@code size} is less than 1
     * @throws ShmLimitException           if the kernel's limits refuse the size (the message names them)
     * @throws ShmInvalidArgumentException if the size is above {@code kernel.shmmax}
     */
    public static SysVSegment createPrivate(long size) {
        return builder().size(size).create();
    }

    /**
     * Attaches the existing segment of {@code key}, all of it.
     *
     * @param key    the key
     * @param access how to attach it
     * @return the attached segment, which the caller closes
     * @throws IllegalArgumentException if {@code key} is {@link #IPC_PRIVATE}
     * @throws SegmentNotFoundException if the key has no segment
     * @throws ShmPermissionException   if its mode does not allow {@code access} to this user
     */
    public static SysVSegment open(int key, Access access) {
        Objects.requireNonNull(access, "access");
        int shmid = idOf(key);
        return attach(key, shmid, statById(shmid).size(), access);
    }

    /**
     * Attaches the existing segment of {@code key} read-write: {@code open(key, Access.READ_WRITE)}.
     *
     * @param key the key
     * @return the attached segment, which the caller closes
     * @throws IllegalArgumentException if {@code key} is {@link #IPC_PRIVATE}
     * @throws SegmentNotFoundException if the key has no segment
     * @throws ShmPermissionException   if its mode does not allow this user to read and write
     */
    public static SysVSegment open(int key) {
        return open(key, Access.READ_WRITE);
    }

    /**
     * Attaches the existing segment with id {@code shmid}, all of it: also a private one, or one
     * marked for removal that is still attached somewhere.
     *
     * @param shmid  the kernel's id for the segment
     * @param access how to attach it
     * @return the attached segment, which the caller closes
     * @throws SegmentNotFoundException if there is no such id, or its segment is gone
     * @throws ShmPermissionException   if its mode does not allow {@code access} to this user
     */
    public static SysVSegment openById(int shmid, Access access) {
        Objects.requireNonNull(access, "access");
        SysVStat stat = statById(shmid);
        return attach(stat.key(), shmid, stat.size(), access);
    }

    /** {@return a new builder for every way of creating a segment} */
    public static Builder builder() {
        return new Builder();
    }

    // ---- kernel-side operations by id -------------------------------------------------------

    /**
     * The System V key of a path and project id ({@code ftok(3)}): processes that agree on a
     * path find the same segment without agreeing on a number. The key comes from the file's
     * inode and device, so a file deleted and made again may give another key.
     *
     * @param path   an existing file or directory
     * @param projId the project id; only its low 8 bits count, and they must not be 0
     * @return the key
     * @throws IllegalArgumentException if the low 8 bits of {@code projId} are 0, or the path
     *                                  contains a NUL character
     * @throws SegmentNotFoundException if the path does not exist (ENOENT)
     * @throws ShmPermissionException   if a directory on the way may not be searched (EACCES)
     */
    public static int ftok(Path path, int projId) {
        Native.ensureAvailable();
        String file = path.toString();
        String operation = "ftok(path=" + file + ", projId=" + projId + ")";
        if ((projId & 0xff) == 0) {
            throw new IllegalArgumentException(operation + ": the low 8 bits of projId must not be 0");
        }
        if (file.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(operation + ": the path contains a NUL character");
        }
        long key = Native.sysvFtok(FileBacking.nulTerminated(file), projId);
        if (key < 0) {
            throw Errors.failure(key, operation);
        }
        return (int) key;
    }

    /**
     * The id of the segment of {@code key}, without attaching it.
     *
     * @param key the key
     * @return the kernel's id for the key's segment
     * @throws SegmentNotFoundException if it has none
     * @throws IllegalArgumentException for {@link #IPC_PRIVATE}, which names no existing segment
     */
    public static int idOf(int key) {
        Native.ensureAvailable();
        if (key == IPC_PRIVATE) {
            throw new IllegalArgumentException("shmget(key=" + Errors.hexKey(key)
                    + "): IPC_PRIVATE names no existing segment; private segments are reached by id (openById)");
        }
        int shmid = Native.sysvOpen(key, 0);
        if (shmid < 0) {
            throw Errors.failure(shmid, "shmget(key=" + Errors.hexKey(key) + ", size=0, flags=0)");
        }
        return shmid;
    }

    /**
     * What the kernel knows about segment {@code shmid} ({@code shmctl(IPC_STAT)}), without
     * attaching it.
     *
     * @param shmid the kernel's id for the segment
     * @return a snapshot of the segment's state
     * @throws SegmentNotFoundException if there is no such id, or its segment is gone
     * @throws ShmPermissionException   if its mode does not let this user read it
     */
    public static SysVStat statById(int shmid) {
        Native.ensureAvailable();
        long[] fields = new long[Native.SYSV_STAT_FIELDS];
        int rc = Native.sysvStat(shmid, fields);
        if (rc < 0) {
            throw Errors.idFailure(rc, "shmctl(shmid=" + shmid + ", IPC_STAT)", shmid);
        }
        return stat(shmid, fields);
    }

    private static final int SHM_DEST = 01000;
    private static final int SHM_LOCKED = 02000;

    /** The record of the fields {@code jshm_sysv_stat} fills, in its order. */
    private static SysVStat stat(int shmid, long[] f) {
        int rawMode = (int) f[2];
        return new SysVStat((int) f[0], shmid, f[1], rawMode & 0777, f[3], f[4], f[5], f[6], f[7], f[8], f[9],
                Instant.ofEpochSecond(f[10]), Instant.ofEpochSecond(f[11]), Instant.ofEpochSecond(f[12]),
                (rawMode & SHM_DEST) != 0, (rawMode & SHM_LOCKED) != 0);
    }

    /**
     * Marks segment {@code shmid} for removal ({@code IPC_RMID}); it goes when the last process
     * detaches, and its key is free at once.
     *
     * @param shmid the kernel's id for the segment
     * @throws SegmentNotFoundException if there is no such id, or its segment is gone
     * @throws ShmPermissionException   if this user is neither its owner nor its creator, and not
     *                                  privileged (EPERM)
     */
    public static void removeById(int shmid) {
        Native.ensureAvailable();
        int rc = Native.sysvRemove(shmid);
        if (rc < 0) {
            throw Errors.idFailure(rc, "shmctl(shmid=" + shmid + ", IPC_RMID)", shmid);
        }
    }

    // ---- this segment -------------------------------------------------------------------------

    /**
     * The key this segment was created or opened with ({@link #IPC_PRIVATE} for a private one).
     * It does not change when the segment is removed, while the kernel then reports key 0
     * ({@code stat().key()}). Allowed after close.
     *
     * @return the key
     */
    public int key() {
        return key;
    }

    /** {@return the kernel's id for the segment} Allowed after close. */
    public int shmid() {
        return shmid;
    }

    /**
     * What the kernel knows about this segment now: {@link #statById(int)} of its id. Works after
     * close.
     *
     * @return a snapshot of the segment's state
     * @throws SegmentNotFoundException if the segment was removed and its last attachment is gone
     * @throws ShmPermissionException   if its mode no longer lets this user read it
     */
    public SysVStat stat() {
        return statById(shmid);
    }

    /**
     * Changes the permission bits ({@code IPC_SET}); only the owner, the creator or a privileged
     * user may. Attachments made before keep their access. Works after close.
     *
     * @param mode permission bits only ({@code 0777} at most)
     * @throws IllegalArgumentException if bits other than {@code 0777} are set
     * @throws ShmPermissionException   if this user may not change them (EPERM), or may not read
     *                                  the values it keeps (EACCES: the mode lacks read permission)
     * @throws SegmentNotFoundException if the segment was removed and its last attachment is gone
     */
    public void setMode(int mode) {
        Errors.permissionBits(mode, "setMode(" + Errors.octalMode(mode) + ") of " + this);
        set(-1, -1, mode, "mode=" + Errors.octalMode(mode));
    }

    /**
     * Changes the owner ({@code IPC_SET}); only the owner, the creator or a privileged user may.
     * Works after close.
     *
     * @param uid the new owner's user id, or a negative value to keep the current one
     * @param gid the new owner's group id, or a negative value to keep the current one
     * @throws ShmPermissionException   if this user may not change them (EPERM), or may not read
     *                                  the values it keeps (EACCES: the mode lacks read permission)
     * @throws SegmentNotFoundException if the segment was removed and its last attachment is gone;
     *                                  also for a uid or gid that this user namespace does not
     *                                  map, for which Linux answers the same EINVAL
     */
    public void setOwner(int uid, int gid) {
        set(uid, gid, -1, "uid=" + uid + ", gid=" + gid);
    }

    private void set(long uid, long gid, long mode, String args) {
        int rc = Native.sysvSet(shmid, uid, gid, mode);
        if (rc < 0) {
            throw Errors.idFailure(rc, "shmctl(shmid=" + shmid + ", IPC_SET, " + args + ")", shmid);
        }
    }

    /**
     * Locks the segment's pages in RAM ({@code SHM_LOCK}) for every process, until
     * {@link #unlock()} or removal; needs CAP_IPC_LOCK, or to be the segment's owner or creator
     * with an RLIMIT_MEMLOCK that covers it. Works after close.
     *
     * @throws ShmPermissionException      if this user may not lock it (EPERM; the message says
     *                                     what is needed)
     * @throws ShmLimitException           if RLIMIT_MEMLOCK does not cover it (ENOMEM)
     * @throws SegmentNotFoundException    if the segment was removed and its last attachment is
     *                                     gone (EINVAL)
     */
    public void lock() {
        lock(true);
    }

    /**
     * Lets the segment's pages be swapped again ({@code SHM_UNLOCK}). Works after close.
     *
     * @throws ShmPermissionException      if this user may not unlock it (EPERM)
     * @throws SegmentNotFoundException    if the segment was removed and its last attachment is
     *                                     gone (EINVAL)
     */
    public void unlock() {
        lock(false);
    }

    private void lock(boolean lock) {
        int rc = Native.sysvLock(shmid, lock);
        String operation = "shmctl(shmid=" + shmid + (lock ? ", SHM_LOCK)" : ", SHM_UNLOCK)");
        if (rc == -Errors.EINVAL) {
            throw Errors.idFailure(rc, operation, shmid); // the id is gone, as for every other shmctl
        }
        if (rc < 0) {
            throw Errors.failure(rc, operation,
                    rc == -Errors.EPERM || rc == -Errors.ENOMEM
                            ? "locking needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK (ulimit -l) above the segment's size"
                            : null);
        }
    }

    /**
     * Marks this segment for removal ({@code IPC_RMID}): it goes when the last process detaches,
     * and its key is free at once. This process stays attached until {@link #close()}. Works after
     * close.
     *
     * @throws SegmentNotFoundException if the segment is already gone
     * @throws ShmPermissionException   if this user is neither its owner nor its creator, and not
     *                                  privileged (EPERM)
     */
    public void remove() {
        removeById(shmid);
    }

    @Override
    public boolean truncatable() {
        return false; // a System V segment keeps its size for its life
    }

    /**
     * By key while the key names this segment; by id otherwise: for a private segment, which only
     * its id reaches, and for one removed since (by anyone), whose key the kernel has given up
     * (a newer segment may own it) while its id still reaches the memory until the last
     * attachment goes. Asks the kernel ({@code IPC_STAT}) for a keyed segment.
     *
     * @return {@code sysv:key=0x...}, or {@code sysv:id=N}
     */
    @Override
    public SegmentLocator locator() {
        return key == IPC_PRIVATE || !keyStillNamesThis() ? SegmentLocator.sysvId(shmid) : SegmentLocator.sysvKey(key);
    }

    private boolean keyStillNamesThis() {
        try {
            SysVStat now = statById(shmid);
            return !now.removed() && now.key() == key;
        } catch (ShmException gone) {
            return false; // no longer there, or not ours to ask: the id is the one true name
        }
    }

    @Override
    public String toString() {
        return "SysV segment key=" + Errors.hexKey(key) + " shmid=" + shmid + " size=" + size();
    }

    // ---- creation ---------------------------------------------------------------------------------

    /** Attaches segment {@code shmid} of {@code size} bytes (as the kernel reports it, or as this process created it). */
    private static SysVSegment attach(int key, int shmid, long size, Access access) {
        boolean readOnly = access == Access.READ_ONLY;
        long address = Native.sysvAttach(shmid, readOnly);
        if (address < 0) {
            throw Errors.failure(address, "shmat(shmid=" + shmid + ", key=" + Errors.hexKey(key)
                    + (readOnly ? ", SHM_RDONLY)" : ")"));
        }
        return new SysVSegment(key, shmid,
                new Mapping(address, size, address, Mapping.pageAligned(size), readOnly));
    }

    /**
     * Every way of creating a System V segment. The defaults are the secure ones: a new segment
     * (exclusive), mode 0600, attached read-write.
     *
     * <p>Not thread-safe; use one builder per thread.
     */
    public static final class Builder {
        private int key = IPC_PRIVATE;
        private long size = -1;
        private int mode = DEFAULT_MODE;
        private boolean exclusive = true;
        private boolean hugePages;
        private boolean noReserve;
        private Access access = Access.READ_WRITE;

        private Builder() {
        }

        /**
         * The key; {@link #IPC_PRIVATE} (the default) makes a private segment.
         *
         * @param key any 32-bit value
         * @return this builder
         */
        public Builder key(int key) {
            this.key = key;
            return this;
        }

        /**
         * The key of {@code path} and {@code projId}, computed now: see {@link SysVSegment#ftok(Path, int)}.
         *
         * @param path   an existing file or directory
         * @param projId the project id; only its low 8 bits count, and they must not be 0
         * @return this builder
         * @throws IllegalArgumentException if the low 8 bits of {@code projId} are 0, or the path
         *                                  contains a NUL character
         * @throws SegmentNotFoundException if the path does not exist
         */
        public Builder ftok(Path path, int projId) {
            return key(SysVSegment.ftok(path, projId));
        }

        /**
         * The size in bytes; required.
         *
         * @param size at least 1; checked by {@link #create()} and {@link #createUnattached()}
         * @return this builder
         */
        public Builder size(long size) {
            this.size = size;
            return this;
        }

        /**
         * The permission bits, 0600 by default (0666, common in C examples, lets every user in).
         *
         * @param mode permission bits only ({@code 0777} at most)
         * @return this builder
         * @throws IllegalArgumentException if bits other than {@code 0777} are set
         */
        public Builder mode(int mode) {
            this.mode = Errors.permissionBits(mode, "mode(" + Errors.octalMode(mode) + ") for key " + Errors.hexKey(key));
            return this;
        }

        /**
         * Opens the key's segment if it exists instead of failing; it must be at least
         * {@link #size(long)} bytes, and is attached whole. Without this, creation is exclusive
         * ({@code IPC_EXCL}). No effect on a private segment, which is always new.
         *
         * @return this builder
         */
        public Builder openOrCreate() {
            this.exclusive = false;
            return this;
        }

        /**
         * Backs the segment with huge pages ({@code SHM_HUGETLB}): needs CAP_IPC_LOCK, membership
         * of {@code vm.hugetlb_shm_group} or an RLIMIT_MEMLOCK that covers the size, and enough
         * free huge pages ({@code vm.nr_hugepages}); the message of a refusal says which. Any size works: the kernel takes whole huge pages
         * for it (the segment's size stays as asked), and close detaches them whole.
         *
         * @return this builder
         */
        public Builder hugePages() {
            this.hugePages = true;
            return this;
        }

        /**
         * Reserves no swap for the segment ({@code SHM_NORESERVE}): the kernel does not count it
         * against the memory it may promise (unless {@code vm.overcommit_memory} is 2, which
         * ignores the flag), so memory may run out later, when pages are first touched.
         *
         * @return this builder
         */
        public Builder noReserve() {
            this.noReserve = true;
            return this;
        }

        /**
         * How this process attaches the segment; read-write by default. A segment is created
         * with {@link #mode(int)} either way.
         *
         * @param access read-write or read-only
         * @return this builder
         * @throws NullPointerException if {@code access} is null
         */
        public Builder access(Access access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * Creates (or with {@link #openOrCreate()} opens) the segment and attaches it. A segment
         * this call created and could not attach is removed again.
         *
         * @return the attached segment, which the caller closes
         * @throws IllegalArgumentException    if no positive size was given
         * @throws SegmentExistsException      if the key has a segment and creation is exclusive
         * @throws ShmLimitException           if the kernel's limits refuse the size (the message
         *                                     names them)
         * @throws ShmInvalidArgumentException if the size is above kernel.shmmax, or an existing
         *                                     segment is smaller than the size
         * @throws ShmPermissionException      if an existing segment's mode does not allow this
         *                                     user in, or huge pages are not allowed to it
         */
        public SysVSegment create() {
            int shmid = createUnattached();
            try {
                // An exclusive or private shmget made a new segment of exactly this size; an
                // existing segment (openOrCreate) may be larger, and is mapped whole.
                long mapped = exclusive || key == IPC_PRIVATE ? size : statById(shmid).size();
                return attach(key, shmid, mapped, access);
            } catch (RuntimeException | Error e) {
                // A segment this call created and could not attach would leak: remove it. An
                // Error too (no memory for the mapping's objects, a failed class initialization):
                // the segment would outlive the process.
                if (exclusive || key == IPC_PRIVATE) {
                    Native.sysvRemove(shmid);
                }
                throw e;
            }
        }

        /**
         * Creates (or with {@link #openOrCreate()} finds) the segment without attaching it, as a
         * bare {@code shmget} does: the attach time, last pid and attachment count stay as they
         * were. Attach it later with {@link SysVSegment#openById}.
         *
         * @return the segment's id
         * @throws IllegalArgumentException    if no positive size was given
         * @throws SegmentExistsException      if the key has a segment and creation is exclusive
         * @throws ShmLimitException           if the kernel's limits refuse the size (the message
         *                                     names them)
         * @throws ShmInvalidArgumentException if the size is above kernel.shmmax, or an existing
         *                                     segment is smaller than the size
         * @throws ShmPermissionException      if an existing segment's mode does not allow this
         *                                     user in, or huge pages are not allowed to it
         */
        public int createUnattached() {
            Native.ensureAvailable();
            if (size <= 0) {
                throw new IllegalArgumentException("shmget(key=" + Errors.hexKey(key) + ", size=" + size
                        + "): the size must be at least 1 byte");
            }
            int flags = (exclusive ? Native.SYSV_EXCL : 0) | (hugePages ? Native.SYSV_HUGETLB : 0)
                    | (noReserve ? Native.SYSV_NORESERVE : 0);
            int shmid = Native.sysvCreate(key, size, mode, flags);
            if (shmid < 0) {
                throw Errors.failure(shmid, "shmget(key=" + Errors.hexKey(key) + ", size=" + size + ", flags="
                        + describeFlags(flags) + ")", KernelLimits.sysvCreateHint(shmid, size, hugePages));
            }
            return shmid;
        }

        private String describeFlags(int flags) {
            return "IPC_CREAT" + ((flags & Native.SYSV_EXCL) != 0 ? "|IPC_EXCL" : "")
                    + ((flags & Native.SYSV_HUGETLB) != 0 ? "|SHM_HUGETLB" : "")
                    + ((flags & Native.SYSV_NORESERVE) != 0 ? "|SHM_NORESERVE" : "") + "|" + Errors.octalMode(mode);
        }
    }

    // ---- listing ----------------------------------------------------------------------------------

    /**
     * Every System V segment this process can see (its IPC namespace), by shmid, as the kernel's
     * table {@code /proc/sysvipc/shm} shows them: what {@code ipcs -m} lists, including segments
     * marked for removal that are still attached (key 0, {@link SysVStat#removed()}). Nothing is
     * attached or changed. Each entry is a snapshot; a segment may go or come right after.
     *
     * <p>Thread-safe.
     *
     * @return the segments, sorted by shmid
     * @throws ShmException if the table cannot be read (no {@code /proc}, or a kernel without System V IPC)
     */
    public static java.util.List<SysVStat> list() {
        return SysVListing.read(SysVListing.PROC_SYSVIPC_SHM);
    }
}
