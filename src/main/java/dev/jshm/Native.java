package dev.jshm;

import java.nio.ByteBuffer;

/**
 * Every native method of jshm, and nothing else. The rest of the code never sees a native
 * method: it calls these, checks the result and throws through {@link Errors}.
 *
 * <p>Conventions (those of the C core): an {@code int} or {@code long} result that is negative
 * is {@code -errno}; addresses are passed as {@code long}. Callers check every offset and length
 * before calling; the C side checks ranges again and answers {@code -ERANGE} rather than touch
 * memory outside a region.
 *
 * <p>The library is loaded when this class initialises. A failure is remembered, not thrown, so
 * that loading a jshm class never breaks; {@link #ensureAvailable()} rethrows it on first use.
 */
final class Native {

    /** Length of the array {@link #sysvStat} fills. */
    static final int SYSV_STAT_FIELDS = 13;

    static final int SYSV_EXCL = 0x1;
    static final int SYSV_HUGETLB = 0x2;
    static final int SYSV_NORESERVE = 0x4;

    static final int FILE_CREATE = 0x1;
    static final int FILE_EXCL = 0x2;
    static final int FILE_READONLY = 0x4;
    static final int FILE_WRITEONLY = 0x8;

    static final int GROW_RESERVE = 0x1;
    static final int GROW_NEW = 0x2;

    static final int MAP_READONLY = 0x1;
    static final int MAP_PRIVATE = 0x2;
    static final int MAP_POPULATE = 0x4;

    /** Length of the array {@link #fileStat} fills. */
    static final int FILE_STAT_FIELDS = 8;

    private static final RuntimeException UNAVAILABLE;

    static {
        RuntimeException failure = null;
        try {
            NativeLibraryLoader.load();
        } catch (RuntimeException | LinkageError e) {
            failure = e instanceof RuntimeException r ? r : new NativeUnavailableException(e.getMessage(), e);
        }
        UNAVAILABLE = failure;
    }

    private Native() {
    }

    /** Throws the remembered load failure, if any. Every public entry point calls this first. */
    static void ensureAvailable() {
        if (UNAVAILABLE != null) {
            throw UNAVAILABLE;
        }
    }

    static native int sysvCreate(int key, long size, int mode, int flags);

    static native int sysvOpen(int key, long minSize);

    /** @return the key (as an unsigned 32-bit value) or {@code -errno} */
    static native long sysvFtok(byte[] nulTerminatedPath, int projId);

    /** @return the attach address or {@code -errno} */
    static native long sysvAttach(int shmid, boolean readOnly);

    static native int sysvDetach(long address);

    static native int sysvRemove(int shmid);

    static native int sysvStat(int shmid, long[] out);

    static native int sysvSet(int shmid, long uid, long gid, long mode);

    static native int sysvLock(int shmid, boolean lock);

    static native long pageSize();

    static native int retire(long address, long length);

    /**
     * Registers a mapping that another process can truncate with the SIGBUS handler (installed
     * on the first call); {@code origin} is where offsets in its fault word count from.
     *
     * @return the slot, or {@code -errno} ({@code -ENOSPC} when the table is full)
     */
    static native int faultRegister(long base, long length, long origin, boolean readOnly);

    /**
     * A buffer over every slot's fault word, slot {@code i}'s at byte {@code 8 * i} (native order
     * not yet set). The words live as long as the process.
     */
    static native ByteBuffer faultWords();

    static native int faultUnregister(int slot);

    static native int unmap(long address, long length);

    static native ByteBuffer newDirectBuffer(long address, int capacity);

    static native int copyToArray(long base, long size, long offset, byte[] dst, int dstOffset, int length);

    static native int copyFromArray(long base, long size, long offset, byte[] src, int srcOffset, int length);

    static native int fill(long base, long size, long offset, long length, byte value);

    /** @return the index of the first {@code value} in the range, -1, or {@code -ERANGE} */
    static native long indexOf(long base, long size, long offset, long length, byte value);

    /** @return the errno's symbolic name, or null for one the library does not know */
    static native String errnoName(int errno);

    static native String strerror(int errno);

    /** @return a file descriptor or {@code -errno}; the path is NUL-terminated */
    static native int fileOpen(byte[] path, int flags, int mode);

    /** Opens {@code /dev/shm/<name>} like {@code shm_open}; the name is NUL-terminated. */
    static native int posixOpen(byte[] name, int flags, int mode);

    static native int unlink(byte[] path);

    static native int posixUnlink(byte[] name);

    static native int fileStat(int fd, long[] out);

    /** @param flags {@link #GROW_RESERVE}, {@link #GROW_NEW} */
    static native int fileGrow(int fd, long size, int flags);

    /** @return the address of the new mapping or {@code -errno} */
    static native long map(int fd, long offset, long length, int flags);

    static native int sync(long address, long length, boolean async);

    static native int lockPages(long address, long length, boolean lock);

    static native int closeFd(int fd);

    /** This process's effective user id. */
    static native long geteuid();

    // ---- coordination (jshm_sync.c) ---------------------------------------------------------
    // The atomics take the mapping's address and size and the offset, which Java has checked
    // (range, alignment, open). They cannot return -errno in band: should the C core's own check
    // refuse, the call throws IndexOutOfBoundsException or IllegalArgumentException instead.

    static native int atomicGetIntVolatile(long base, long size, long offset);

    static native int atomicGetIntAcquire(long base, long size, long offset);

    static native void atomicPutIntVolatile(long base, long size, long offset, int value);

    static native void atomicPutIntRelease(long base, long size, long offset, int value);

    static native boolean atomicCompareAndSetInt(long base, long size, long offset, int expected, int value);

    static native int atomicGetAndAddInt(long base, long size, long offset, int delta);

    static native int atomicGetAndSetInt(long base, long size, long offset, int value);

    static native long atomicGetLongVolatile(long base, long size, long offset);

    static native long atomicGetLongAcquire(long base, long size, long offset);

    static native void atomicPutLongVolatile(long base, long size, long offset, long value);

    static native void atomicPutLongRelease(long base, long size, long offset, long value);

    static native boolean atomicCompareAndSetLong(long base, long size, long offset, long expected, long value);

    static native long atomicGetAndAddLong(long base, long size, long offset, long delta);

    static native long atomicGetAndSetLong(long base, long size, long offset, long value);

    /** @return 0 (woken), {@code -EAGAIN}, {@code -ETIMEDOUT}, {@code -EINTR} or another {@code -errno}; negative timeout = none */
    static native int futexWait(long base, long size, long offset, int expected, long timeoutNanos);

    /** @return how many waiters were woken, or {@code -errno} */
    static native int futexWake(long base, long size, long offset, int count);

    /** {@code jshm_membarrier_register}: 0 or {@code -errno}. */
    static native int membarrierRegister();

    /** {@code jshm_membarrier} (MEMBARRIER_CMD_GLOBAL_EXPEDITED): 0 or {@code -errno}. */
    static native int membarrier();

    /** {@code JSHM_LOCK_SIZE}, for the layout test (Java uses {@link dev.jshm.internal.SegmentMemory#LOCK_SIZE}). */
    static native int lockSize();

    /** {@code JSHM_LOCK_ALIGNMENT}, as {@link #lockSize}. */
    static native int lockAlignment();

    /** The calling thread's identity as a lock word names its owner ({@code jshm_lock_self}). */
    static native long lockSelf();

    static native int lockInit(long base, long size, long offset);

    /** @return 0 when the memory holds a lock made by {@link #lockInit}, {@code -EINVAL} when not, {@code -EUCLEAN} when its word is corrupt */
    static native int lockCheck(long base, long size, long offset);

    /** @return 0, {@code -EOWNERDEAD} (held), {@code -ENOTRECOVERABLE}, {@code -EDEADLK}, {@code -EUCLEAN} (corrupt) or another {@code -errno} */
    static native int lockAcquire(long base, long size, long offset);

    /** As {@link #lockAcquire}, or {@code -EBUSY}. */
    static native int lockTry(long base, long size, long offset);

    /** As {@link #lockAcquire}, or {@code -ETIMEDOUT}. */
    static native int lockAcquireTimed(long base, long size, long offset, long timeoutNanos);

    /** @return 0, {@code -EPERM} when the calling thread does not hold the lock, {@code -EUCLEAN} when it did and the word was overwritten */
    static native int lockRelease(long base, long size, long offset);

    /** @return 0, {@code -EPERM} or {@code -EUCLEAN} (as {@link #lockRelease}) or {@code -EINVAL} (not in the owner-died state) */
    static native int lockConsistent(long base, long size, long offset);

    /** @return 1 when the calling thread holds the lock, 0 when not, or {@code -errno} */
    static native int lockHeld(long base, long size, long offset);
}
