/*
 * jshm: System V shared memory, POSIX shared memory and mapped files, as a small C library.
 *
 * This header is the whole public surface of the C core. It has no JNI in it: a C program can
 * compile the core sources (everything in this directory except jshm_jni.c) into itself and
 * share segments with Java processes that use jshm.
 *
 * Conventions:
 *  - every function returns 0 (or a non-negative result) on success and -errno on failure;
 *    nothing prints, nothing exits, and nothing keeps global state but the fault table below
 *    (a signal handler can only find what is global);
 *  - sizes and offsets are size_t; every function that indexes memory checks the range with
 *    JSHM_RANGE_OK before it touches a byte, even when the caller has already checked.
 */
#ifndef JSHM_H
#define JSHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True when [offset, offset + len) lies inside [0, size). Subtracts instead of adding, so no
 * operand can wrap around. */
#define JSHM_RANGE_OK(offset, len, size) \
    ((size_t)(offset) <= (size_t)(size) && (size_t)(len) <= (size_t)(size) - (size_t)(offset))

/* ---- System V ------------------------------------------------------------------------- */

/* Flags for jshm_sysv_create. */
#define JSHM_SYSV_EXCL     0x1 /* fail with -EEXIST when the key already has a segment */
#define JSHM_SYSV_HUGETLB  0x2 /* back the segment with huge pages (SHM_HUGETLB) */
#define JSHM_SYSV_NORESERVE 0x4 /* do not reserve swap for the segment (SHM_NORESERVE) */

/* Creates (or, without JSHM_SYSV_EXCL, opens or creates) the segment of `key` (IPC_PRIVATE
 * for a new private one) with permission bits `mode`. Returns the shmid or -errno. */
int jshm_sysv_create(key_t key, size_t size, unsigned int mode, int flags);

/* Opens the existing segment of `key`; `min_size` 0 accepts any size. Returns shmid or -errno. */
int jshm_sysv_open(key_t key, size_t min_size);

/* ftok(3): the key for a path and a project id (only the low 8 bits count, 0 is refused). */
int jshm_sysv_ftok(const char *path, int proj_id, key_t *key);

/* Attaches the segment at an address the kernel chooses. */
int jshm_sysv_attach(int shmid, int read_only, void **addr);

/* Detaches a segment attached by jshm_sysv_attach. */
int jshm_sysv_detach(const void *addr);

/* Marks the segment for removal (IPC_RMID): it goes when the last process detaches. */
int jshm_sysv_remove(int shmid);

/* What IPC_STAT reports, widened to fixed-size fields. */
struct jshm_sysv_stat {
    int64_t key;
    int64_t size;
    int64_t mode;   /* permission bits, plus SHM_DEST and SHM_LOCKED as the kernel reports them */
    int64_t uid, gid, cuid, cgid;
    int64_t cpid, lpid;
    int64_t nattch;
    int64_t atime, dtime, ctime; /* seconds since the epoch; 0 when it never happened */
};

int jshm_sysv_stat(int shmid, struct jshm_sysv_stat *st);

/* IPC_SET: a negative uid, gid or mode keeps the current value. */
int jshm_sysv_set(int shmid, int64_t uid, int64_t gid, int64_t mode);

/* SHM_LOCK / SHM_UNLOCK: keep the segment's pages in RAM (needs CAP_IPC_LOCK or enough
 * RLIMIT_MEMLOCK). */
int jshm_sysv_lock(int shmid, int lock);

/* ---- POSIX shared memory and mapped files ------------------------------------------------ */

/* Flags for jshm_file_open. Every open adds O_NOFOLLOW and O_CLOEXEC. */
#define JSHM_FILE_CREATE   0x1 /* create the file if it does not exist */
#define JSHM_FILE_EXCL     0x2 /* with CREATE: fail with -EEXIST if it exists */
#define JSHM_FILE_READONLY 0x4 /* open for reading only */
#define JSHM_FILE_WRITEONLY 0x8 /* open for writing only (not with READONLY): needs no read permission */

/* Opens `path` (never through a symbolic link: -ELOOP) and returns the descriptor or -errno.
 * Only a regular file is opened: anything else (a FIFO, socket, device or directory) is refused
 * with -ENODEV before it is opened (it is looked at through O_PATH), and the open itself is
 * O_NONBLOCK, so it never blocks. The caller fstats the descriptor: the name may have changed. */
int jshm_file_open(const char *path, int flags, unsigned int mode);

/* What fstat reports about an open file, widened to fixed-size fields. */
struct jshm_file_stat {
    int64_t size;
    int64_t mode;   /* st_mode: type and permission bits */
    int64_t uid, gid;
    int64_t dev, ino;
    int64_t nlink;
    int64_t mtime;  /* seconds since the epoch */
};

int jshm_file_stat(int fd, struct jshm_file_stat *st);

/* Flags for jshm_file_grow. */
#define JSHM_GROW_RESERVE 0x1 /* allocate the blocks now (posix_fallocate) */
#define JSHM_GROW_NEW     0x2 /* the file was just created (O_EXCL), so it is empty: skip the fstat */

/* Grows the file to `size` bytes if it is smaller (never shrinks): ftruncate. With
 * JSHM_GROW_RESERVE, posix_fallocate instead, which allocates the blocks as it grows the file, so
 * a full file system fails here with -ENOSPC instead of a SIGBUS at the first touch. All or
 * nothing: on failure the file keeps its old size. */
int jshm_file_grow(int fd, size_t size, int flags);

/* Flags for jshm_map. */
#define JSHM_MAP_READONLY 0x1 /* PROT_READ only */
#define JSHM_MAP_PRIVATE  0x2 /* copy-on-write: writes stay in this process */
#define JSHM_MAP_POPULATE 0x4 /* fault every page in now (MAP_POPULATE) */

/* Maps `len` bytes of `fd` at file offset `offset` (page aligned). */
int jshm_map(int fd, size_t offset, size_t len, int flags, void **addr);

/* msync(2): writes dirty pages back, waiting for it unless `async`. */
int jshm_sync(void *addr, size_t len, int async);

/* mlock(2) / munlock(2). */
int jshm_lock_pages(void *addr, size_t len, int lock);

int jshm_close_fd(int fd);

int jshm_unlink(const char *path);

/* POSIX shared memory objects live in /dev/shm, as glibc's shm_open puts them. These build the
 * path from the name ("/name": one leading slash, no other, not "." or "..", at most NAME_MAX
 * bytes) and refuse a bad name with -EINVAL. jshm opens /dev/shm itself rather than calling
 * shm_open, which a library built against glibc 2.34+ would otherwise need at run time. */
int jshm_posix_path(const char *name, char *path, size_t path_len);
int jshm_posix_open(const char *name, int flags, unsigned int mode);
int jshm_posix_unlink(const char *name);

/* ---- Mappings and memory ------------------------------------------------------------- */

/* The system page size. */
size_t jshm_page_size(void);

/* Replaces [addr, addr + len) in place with a private anonymous read-write mapping. This drops
 * whatever was mapped there (a System V attachment, a file or POSIX mapping) while keeping the
 * address range reserved, so a late access from another thread reads zeros instead of faulting.
 * `addr` and `len` must be page aligned. */
int jshm_retire(void *addr, size_t len);

/* munmap(2), for a range that jshm_retire has retired. */
int jshm_unmap(void *addr, size_t len);

/* ---- Faults in mappings another process can truncate ------------------------------------ */

/* A POSIX object or a file can be truncated by another process while it is mapped here; an
 * access past its new end raises SIGBUS. jshm_fault_register makes such a mapping survive it:
 * the first call installs a SIGBUS handler (keeping the previous one, which still gets every
 * SIGBUS that is not in a registered range, with its own flags and mask), and from then on a
 * SIGBUS (BUS_ADRERR) inside [base, base + len) replaces the faulting page and the rest of the
 * range with private zero pages, lowers the range's fault word to the replaced offset (counted
 * from `origin`), and returns: the faulting access completes on the zero pages. The fault word
 * is INT64_MAX while nothing was replaced. Read it after an access (in the same thread, after
 * a compiler barrier) to learn whether the access touched replaced memory.
 *
 * `base` and `len` are a whole mapping, page aligned, that stays mapped (by it, or by memory
 * that replaced it in place) until jshm_fault_unregister: unregister before the final munmap,
 * never after. The table is fixed: at most JSHM_FAULT_MAX_RANGES ranges at once (-ENOSPC), as
 * many as a process may have mappings by default (vm.max_map_count is 65530), so that a process
 * that keeps closed mappings until its collector unmaps them does not run out of slots first.
 * Registration and unregistration are thread-safe; the handler takes no lock. Mappings on
 * hugetlbfs cannot be replaced a page at a time: their faults go to the previous handler. */
#define JSHM_FAULT_MAX_RANGES 65536

/* Returns the range's slot (>= 0) or -errno. */
int jshm_fault_register(void *base, size_t len, void *origin, int read_only);

/* The slot's fault word (8-byte aligned, valid for the life of the process), NULL for a bad slot. */
int64_t *jshm_fault_word(int slot);

/* Index of the replacement count in jshm_fault_words(): how many times the handler replaced
 * memory in this process, 0 until the first. It changes before the fault word, in the same
 * handler: while it reads 0 after an access, no access of this thread before it touched
 * replaced memory, and the fault words need not be read. */
#define JSHM_FAULT_REPLACEMENTS JSHM_FAULT_MAX_RANGES

/* Every slot's fault word, slot i's at index i, then the replacement count: an array of
 * JSHM_FAULT_MAX_RANGES + 1. */
int64_t *jshm_fault_words(void);

/* Frees the slot; -EINVAL if it is not registered. */
int jshm_fault_unregister(int slot);

/* Copies `len` bytes at `offset` of the region [base, base + size) out to `dst` or in from
 * `src`. Returns 0, or -ERANGE when the range does not fit. */
int jshm_copy_out(const void *base, size_t size, size_t offset, void *dst, size_t len);
int jshm_copy_in(void *base, size_t size, size_t offset, const void *src, size_t len);

/* Sets `len` bytes at `offset` of [base, base + size) to `value`. */
int jshm_fill(void *base, size_t size, size_t offset, size_t len, unsigned char value);

/* The index (from base) of the first byte equal to `value` in [offset, offset + len), or -1
 * when there is none, or -ERANGE. */
int64_t jshm_index_of(const void *base, size_t size, size_t offset, size_t len,
                      unsigned char value);

/* ---- Errors ------------------------------------------------------------------------------ */

/* The symbolic name of an errno value ("EEXIST"), or NULL when it is not one jshm knows. */
const char *jshm_errno_name(int err);

/* strerror(3) into a caller's buffer; always NUL-terminates. */
void jshm_strerror(int err, char *buf, size_t len);

/* ---- Coordination ------------------------------------------------------------------------ */

/* Everything here works on memory that other processes map too (a System V segment, a POSIX
 * object, a shared file mapping): an int32 or int64 at `offset` of the region [base, base + size).
 * Each function checks the range with JSHM_RANGE_OK and the alignment of the address (4 for
 * int32 and futex words, 8 for int64 and locks) before it touches memory, and answers -ERANGE
 * or -EINVAL instead. */

/* Atomics. They are lock-free on every architecture jshm builds for, so they are atomic across
 * processes and interoperate with C11 <stdatomic.h> and Java's VarHandles on the same
 * addresses. Plain names are sequentially consistent (C11 memory_order_seq_cst, Java's
 * "volatile"); _acquire loads and _release stores are C11's acquire and release. */
int jshm_atomic_load_i32(const void *base, size_t size, size_t offset, int32_t *value);
int jshm_atomic_load_acquire_i32(const void *base, size_t size, size_t offset, int32_t *value);
int jshm_atomic_store_i32(void *base, size_t size, size_t offset, int32_t value);
int jshm_atomic_store_release_i32(void *base, size_t size, size_t offset, int32_t value);
/* Returns 1 when the value was `expected` and is now `desired`, 0 when it was not, or -errno. */
int jshm_atomic_cas_i32(void *base, size_t size, size_t offset, int32_t expected, int32_t desired);
/* Adds `delta` (wrapping around) and stores the value before the addition in *previous. */
int jshm_atomic_fetch_add_i32(void *base, size_t size, size_t offset, int32_t delta, int32_t *previous);
int jshm_atomic_exchange_i32(void *base, size_t size, size_t offset, int32_t value, int32_t *previous);

int jshm_atomic_load_i64(const void *base, size_t size, size_t offset, int64_t *value);
int jshm_atomic_load_acquire_i64(const void *base, size_t size, size_t offset, int64_t *value);
int jshm_atomic_store_i64(void *base, size_t size, size_t offset, int64_t value);
int jshm_atomic_store_release_i64(void *base, size_t size, size_t offset, int64_t value);
int jshm_atomic_cas_i64(void *base, size_t size, size_t offset, int64_t expected, int64_t desired);
int jshm_atomic_fetch_add_i64(void *base, size_t size, size_t offset, int64_t delta, int64_t *previous);
int jshm_atomic_exchange_i64(void *base, size_t size, size_t offset, int64_t value, int64_t *previous);

/* Futexes on a shared int32 word (FUTEX_WAIT / FUTEX_WAKE without FUTEX_PRIVATE_FLAG, so
 * waiters and wakers may be in different processes).
 *
 * jshm_futex_wait sleeps while the word equals `expected`, at most `timeout_ns` nanoseconds
 * (negative: no limit). Returns 0 when woken, which may be spurious (re-check the word), -EAGAIN
 * when the word was not `expected` at the call, -ETIMEDOUT, -EINTR when a signal handler ran,
 * or another -errno. A wake is only guaranteed to reach a waiter if the waker changed the word
 * before waking: that is what makes the check-then-sleep atomic. */
int jshm_futex_wait(const void *base, size_t size, size_t offset, int32_t expected, int64_t timeout_ns);

/* Wakes at most `count` (>= 1; INT_MAX for all) waiters on the word; returns how many it woke. */
int jshm_futex_wake(const void *base, size_t size, size_t offset, int count);

/* The heavy half of an asymmetric fence (membarrier(2), MEMBARRIER_CMD_GLOBAL_EXPEDITED).
 *
 * jshm_membarrier_register makes this process a target: afterwards every jshm_membarrier call,
 * from any process, returns only once each thread of this process that was running has executed
 * a full memory barrier (an interrupt on its CPU; a thread that was not running passed through a
 * context switch, which is one). A thread of a registered process may then order a store before
 * a later load with a compiler barrier alone, against a peer that calls jshm_membarrier between
 * its own store and load (the signal block's protocol, jshm_ring.c). Both return 0 or -errno:
 * -ENOSYS (kernel before 4.3), -EINVAL (before 4.16, or the command is not offered), -EPERM (a
 * seccomp filter). jshm_membarrier_register is idempotent and costs a system call; call it once. */
int jshm_membarrier_register(void);
int jshm_membarrier(void);

/* Robust process-shared locks.
 *
 * A lock is JSHM_LOCK_SIZE bytes at an offset aligned to JSHM_LOCK_ALIGNMENT, and those bytes are
 * the only memory the lock functions read or write: no pointer is ever stored there or read from
 * there, so a peer that scribbles over the lock can make it misbehave as a lock (that is
 * reported: -EUCLEAN) but never make this code touch other memory. It is owned by the calling
 * thread. When the owner dies holding it (its process is killed, or the thread ends), the next
 * locker notices, takes it over and gets -EOWNERDEAD with the lock held: it repairs the protected
 * state and calls jshm_lock_consistent, or unlocks without doing so, after which every
 * acquisition fails with -ENOTRECOVERABLE until jshm_lock_init makes a new lock there.
 *
 * Layout (native byte order):
 *
 *    0: uint64 word   bits  0-29  owner's kernel thread id (0: free)
 *                     bit     30  OWNER_DIED: the owner took it over from a dead one and has not
 *                                 called jshm_lock_consistent yet
 *                     bit     31  WAITERS: someone may sleep on the futex; unlock must wake
 *                     bits 32-63  owner thread's start time (/proc/<tid>/stat field 22, clock
 *                                 ticks after boot) modulo 2^32: with the id, the owner's identity
 *                                 across thread id reuse
 *                     The futex word is the low half (bits 0-31) of `word`.
 *                     JSHM_LOCK_NOT_RECOVERABLE: a holder died and the lock was never made
 *                     consistent. Any other value with thread id 0, or a thread id above
 *                     JSHM_LOCK_MAX_TID, is corrupt.
 *    8: uint64 magic  JSHM_LOCK_MAGIC, written by jshm_lock_init
 *
 * Owner death is found by the waiters: a thread that finds the lock held checks whether the
 * owner still runs (its /proc/<tid>/stat exists, is not a zombie, and shows the recorded start
 * time) when it gives up (try, or a timeout running out) and, while blocked, every
 * JSHM_LOCK_POLL_NS. A waiter blocked in jshm_lock_lock therefore learns of the death within that
 * period. Every process sharing a lock must be in the same PID namespace. */
#define JSHM_LOCK_SIZE            16
#define JSHM_LOCK_ALIGNMENT       8
#define JSHM_LOCK_WORD_OFFSET     0
#define JSHM_LOCK_MAGIC_OFFSET    8
#define JSHM_LOCK_MAGIC           UINT64_C(0x316b634c6d68736a) /* "jshmLck1" read little-endian */
#define JSHM_LOCK_TID_MASK        0x3fffffff
#define JSHM_LOCK_OWNER_DIED      0x40000000
#define JSHM_LOCK_WAITERS         0x80000000
#define JSHM_LOCK_NOT_RECOVERABLE 0x40000000
#define JSHM_LOCK_MAX_TID         4194304 /* PID_MAX_LIMIT on 64-bit Linux */
#define JSHM_LOCK_POLL_NS         50000000

/* JSHM_LOCK_SIZE and JSHM_LOCK_ALIGNMENT, for callers that bind at run time. */
size_t jshm_lock_size(void);
size_t jshm_lock_alignment(void);

/* The calling thread's identity as a lock word records its owner: thread id | start time << 32.
 * A caller that does the uncontended transitions itself (0 -> identity with an acquire CAS,
 * identity -> 0 with a release CAS) follows the same protocol; every other transition must go
 * through these functions. jshm_lock_unlock then cannot know that such a caller held the lock:
 * telling an overwritten word from a caller that never held it (-EUCLEAN or -EPERM) is up to
 * that caller. Java's RobustLock works this way. */
uint64_t jshm_lock_self(void);

/* Makes a new unlocked lock. Only once, by the creator, before any other process uses it. */
int jshm_lock_init(void *base, size_t size, size_t offset);

/* 0 when the memory holds a lock made by jshm_lock_init, -EINVAL when it does not (never
 * initialized, or a wrong offset), -EUCLEAN when it did but its word is corrupt. */
int jshm_lock_check(const void *base, size_t size, size_t offset);

/* Blocks until the caller holds the lock. 0, -EOWNERDEAD (held, previous owner died),
 * -ENOTRECOVERABLE, -EDEADLK (the caller already holds it: locks are not reentrant), -EUCLEAN
 * (the lock's bytes hold something no lock operation writes; nothing was changed). */
int jshm_lock_lock(void *base, size_t size, size_t offset);

/* As jshm_lock_lock, but -EBUSY instead of waiting (after checking that the owner is alive). */
int jshm_lock_trylock(void *base, size_t size, size_t offset);

/* As jshm_lock_lock, but -ETIMEDOUT after `timeout_ns` nanoseconds (CLOCK_MONOTONIC); 0 or
 * less tries once, as jshm_lock_trylock, and answers -ETIMEDOUT when the lock is busy. */
int jshm_lock_timedlock(void *base, size_t size, size_t offset, int64_t timeout_ns);

/* Releases the lock. -EPERM when the caller does not hold it; -EUCLEAN when the caller acquired
 * it and has not released it, but the word no longer names the caller (someone overwrote it):
 * the word is then left as found. */
int jshm_lock_unlock(void *base, size_t size, size_t offset);

/* Marks a lock acquired with -EOWNERDEAD as consistent again. -EPERM or -EUCLEAN when the caller
 * does not hold it (as for jshm_lock_unlock), -EINVAL when it is not in the owner-died state. */
int jshm_lock_consistent(void *base, size_t size, size_t offset);

/* 1 when the calling thread holds the lock, 0 when it does not, or -errno. */
int jshm_lock_held(const void *base, size_t size, size_t offset);

#ifdef __cplusplus
}
#endif

#endif /* JSHM_H */
