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
     * Creates a new segment for {@code key}, mode 0600, and attaches it read-write.
     *
     * @throws SegmentExistsException if the key already has a segment
     * @throws ShmLimitException      if the kernel's limits refuse the size (the message names them)
     */
    public static SysVSegment create(int key, long size) {
        return builder().key(key).size(size).create();
    }

    /** Creates a new private segment ({@link #IPC_PRIVATE}), mode 0600, attached read-write. */
    public static SysVSegment createPrivate(long size) {
        return builder().size(size).create();
    }

    /**
     * Attaches the existing segment of {@code key}.
     *
     * @throws SegmentNotFoundException if the key has no segment
     * @throws ShmPermissionException   if its mode does not allow {@code access} to this user
     */
    public static SysVSegment open(int key, Access access) {
        Objects.requireNonNull(access, "access");
        int shmid = idOf(key);
        return attach(key, shmid, statById(shmid).size(), access);
    }

    /** Attaches the existing segment of {@code key} read-write. */
    public static SysVSegment open(int key) {
        return open(key, Access.READ_WRITE);
    }

    /**
     * Attaches the existing segment with id {@code shmid}.
     *
     * @throws SegmentNotFoundException if there is no such id, or it was removed
     */
    public static SysVSegment openById(int shmid, Access access) {
        Objects.requireNonNull(access, "access");
        SysVStat stat = statById(shmid);
        return attach(stat.key(), shmid, stat.size(), access);
    }

    /** A builder for every way of creating a segment. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- kernel-side operations by id -------------------------------------------------------

    /**
     * The System V key of a path and project id ({@code ftok(3)}): processes that agree on a
     * path find the same segment without agreeing on a number. The path must exist; only the
     * low 8 bits of {@code projId} count and must not be 0.
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
     * The id of the segment of {@code key}.
     *
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

    /** What the kernel knows about segment {@code shmid}. */
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
     * ({@code stat().key()}).
     */
    public int key() {
        return key;
    }

    /** The kernel's id for the segment. */
    public int shmid() {
        return shmid;
    }

    /** What the kernel knows about this segment now. Works after close. */
    public SysVStat stat() {
        return statById(shmid);
    }

    /** Changes the permission bits ({@code IPC_SET}); only the owner, creator or root may. */
    public void setMode(int mode) {
        Errors.permissionBits(mode, "setMode(" + Errors.octalMode(mode) + ") of " + this);
        set(-1, -1, mode, "mode=" + Errors.octalMode(mode));
    }

    /** Changes the owner ({@code IPC_SET}); a negative id keeps the current one. */
    public void setOwner(int uid, int gid) {
        set(uid, gid, -1, "uid=" + uid + ", gid=" + gid);
    }

    private void set(long uid, long gid, long mode, String args) {
        int rc = Native.sysvSet(shmid, uid, gid, mode);
        if (rc < 0) {
            throw Errors.idFailure(rc, "shmctl(shmid=" + shmid + ", IPC_SET, " + args + ")", shmid);
        }
    }

    /** Locks the pages in RAM ({@code SHM_LOCK}); needs CAP_IPC_LOCK or enough RLIMIT_MEMLOCK. */
    public void lock() {
        lock(true);
    }

    /** Lets the pages be swapped again ({@code SHM_UNLOCK}). */
    public void unlock() {
        lock(false);
    }

    private void lock(boolean lock) {
        int rc = Native.sysvLock(shmid, lock);
        if (rc < 0) {
            throw Errors.failure(rc, "shmctl(shmid=" + shmid + (lock ? ", SHM_LOCK)" : ", SHM_UNLOCK)"),
                    rc == -Errors.EPERM || rc == -Errors.ENOMEM
                            ? "locking needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK (ulimit -l) above the segment's size"
                            : null);
        }
    }

    /**
     * Marks this segment for removal ({@code IPC_RMID}): it goes when the last process detaches,
     * and its key is free at once. This process stays attached until {@link #close()}.
     */
    public void remove() {
        removeById(shmid);
    }

    @Override
    public boolean truncatable() {
        return false; // a System V segment keeps its size for its life
    }

    /** By key, or by id for a private segment (or one removed since), which only its id reaches. */
    @Override
    public SegmentLocator locator() {
        return key == IPC_PRIVATE ? SegmentLocator.sysvId(shmid) : SegmentLocator.sysvKey(key);
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

        /** The key; {@link #IPC_PRIVATE} (the default) makes a private segment. */
        public Builder key(int key) {
            this.key = key;
            return this;
        }

        /** The key of {@code path} and {@code projId}, see {@link SysVSegment#ftok(Path, int)}. */
        public Builder ftok(Path path, int projId) {
            return key(SysVSegment.ftok(path, projId));
        }

        /** The size in bytes; required, at least 1. */
        public Builder size(long size) {
            this.size = size;
            return this;
        }

        /** The permission bits, 0600 by default (the seed's 0666 lets every user in). */
        public Builder mode(int mode) {
            this.mode = Errors.permissionBits(mode, "mode(" + Errors.octalMode(mode) + ") for key " + Errors.hexKey(key));
            return this;
        }

        /**
         * Opens the key's segment if it exists instead of failing; it must be at least
         * {@link #size(long)} bytes. Without this, creation is exclusive ({@code IPC_EXCL}).
         */
        public Builder openOrCreate() {
            this.exclusive = false;
            return this;
        }

        /** Backs the segment with huge pages ({@code SHM_HUGETLB}); the size must be a multiple of the huge page size. */
        public Builder hugePages() {
            this.hugePages = true;
            return this;
        }

        /** Reserves no swap for the segment ({@code SHM_NORESERVE}). */
        public Builder noReserve() {
            this.noReserve = true;
            return this;
        }

        /** How this process attaches the segment; read-write by default. */
        public Builder access(Access access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * Creates (or with {@link #openOrCreate()} opens) the segment and attaches it.
         *
         * @throws IllegalArgumentException if no positive size was given
         * @throws SegmentExistsException   if the key has a segment and creation is exclusive
         * @throws ShmLimitException        if the kernel's limits refuse the size (the message names them)
         * @throws ShmInvalidArgumentException if the size is outside kernel.shmmax, or an existing
         *                                  segment is smaller than the size
         */
        public SysVSegment create() {
            int shmid = createUnattached();
            try {
                // An exclusive or private shmget made a new segment of exactly this size; an
                // existing segment (openOrCreate) may be larger, and is mapped whole.
                long mapped = exclusive || key == IPC_PRIVATE ? size : statById(shmid).size();
                return attach(key, shmid, mapped, access);
            } catch (RuntimeException e) {
                // A segment this call created and could not attach would leak: remove it.
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
     * @throws ShmException if the table cannot be read (no {@code /proc}, or a kernel without System V IPC)
     */
    public static java.util.List<SysVStat> list() {
        return SysVListing.read(SysVListing.PROC_SYSVIPC_SHM);
    }
}
