/*
 * Robust process-shared locks whose bytes are the only memory they touch.
 *
 * A pthread robust mutex keeps a per-thread list that links through the mutexes themselves, and
 * glibc follows those links on unlock: a peer that overwrites them crashes the holder or makes it
 * write where the peer chooses. The kernel's robust-futex list has the same shape (the kernel
 * walks pointers stored in the lock's memory when a thread exits), and glibc owns the one list
 * head each thread may register. So this lock stores no pointer at all: the lock word names its
 * owner (thread id plus the thread's start time, so a reused thread id is not mistaken for the
 * owner), and a waiter that finds the owner gone takes the lock over. Every value read from
 * shared memory is checked before it is believed; a value no lock operation writes is reported
 * as -EUCLEAN and nothing is changed.
 *
 * The layout is described in jshm.h (JSHM_LOCK_*).
 */
#include "jshm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct jshm_lock_bytes {
    _Atomic uint64_t word;
    _Atomic uint64_t magic;
};

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free to work across processes");
_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "an atomic word has the size of a plain one");
_Static_assert(sizeof(struct jshm_lock_bytes) == JSHM_LOCK_SIZE, "JSHM_LOCK_SIZE");
_Static_assert(_Alignof(struct jshm_lock_bytes) == JSHM_LOCK_ALIGNMENT, "JSHM_LOCK_ALIGNMENT");
_Static_assert(offsetof(struct jshm_lock_bytes, word) == JSHM_LOCK_WORD_OFFSET, "JSHM_LOCK_WORD_OFFSET");
_Static_assert(offsetof(struct jshm_lock_bytes, magic) == JSHM_LOCK_MAGIC_OFFSET, "JSHM_LOCK_MAGIC_OFFSET");

#define FLAGS ((uint64_t)(JSHM_LOCK_OWNER_DIED | JSHM_LOCK_WAITERS))
#define OWNER_DIED ((uint64_t)JSHM_LOCK_OWNER_DIED)
#define WAITERS ((uint64_t)JSHM_LOCK_WAITERS)
#define NOT_RECOVERABLE ((uint64_t)JSHM_LOCK_NOT_RECOVERABLE)

/* The futex word is the low half of the 64-bit lock word, wherever the byte order puts it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FUTEX_HALF 0
#else
#define FUTEX_HALF 4
#endif

/* Spins before sleeping: a holder usually lets go within a few hundred nanoseconds, and a futex
 * sleep and wake cost microseconds. */
#define SPINS 100

/* Addresses of locks this thread acquired and has not released. They are compared, never
 * dereferenced: they tell "someone overwrote the lock I hold" (-EUCLEAN) from "you never held
 * it" (-EPERM). A thread holding more locks than there are slots loses that distinction for the
 * rest (they answer -EPERM), nothing else. */
#define HELD_SLOTS 8

/* How long an owner found alive through /proc stays trusted: within it, a new check only asks
 * whether its thread id still exists (kill(tid, 0), a fraction of a microsecond, against several
 * microseconds for reading /proc), so a thread spinning on trylock does not read /proc each time.
 * A thread id is not reused that fast (the kernel hands ids out cyclically), so an id that still
 * exists is still the owner; only a zombie owner (dead, not yet reaped) is recognized late, by at
 * most this long. */
#define ALIVE_TRUST_NS 10000000

struct lock_self {
    uint64_t identity; /* thread id | start time << 32; 0 until first used */
    uintptr_t held[HELD_SLOTS];
    uint64_t alive_owner;   /* the owner last found alive (word without flags), or 0 */
    int64_t alive_at_ns;    /* when, on CLOCK_MONOTONIC */
};

static __thread struct lock_self self;
static int fork_handler_registered;

size_t jshm_lock_size(void)
{
    return JSHM_LOCK_SIZE;
}

size_t jshm_lock_alignment(void)
{
    return JSHM_LOCK_ALIGNMENT;
}

static int locate_lock(const void *base, size_t size, size_t offset, struct jshm_lock_bytes **lock)
{
    if (!JSHM_RANGE_OK(offset, JSHM_LOCK_SIZE, size))
        return -ERANGE;
    uintptr_t address = (uintptr_t)base + offset;
    if ((address & (JSHM_LOCK_ALIGNMENT - 1)) != 0)
        return -EINVAL;
    *lock = (struct jshm_lock_bytes *)address;
    return 0;
}

/* ---- who we are, and whether the owner still runs ------------------------------------------ */

/* Reads the state (field 3) and start time (field 22, clock ticks after boot) from a
 * /proc/.../stat file. The command name (field 2) may hold spaces and parentheses, so fields are
 * counted from the last ')'. */
static int read_stat(const char *path, char *state, uint32_t *start)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[1024];
    ssize_t n;
    do {
        n = read(fd, buf, sizeof(buf) - 1);
    } while (n < 0 && errno == EINTR);
    int err = errno;
    close(fd);
    if (n < 0)
        return -err;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == '\0')
        return -EIO;
    p += 2;
    *state = *p;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return -EIO;
        p++;
    }
    char *end;
    unsigned long long ticks = strtoull(p, &end, 10);
    if (end == p)
        return -EIO;
    *start = (uint32_t)ticks; /* modulo 2^32: the same id coming back exactly 2^32 ticks later is the one blind spot */
    return 0;
}

/* A forked child has one thread, the one that forked, with the parent's cached identity: forget
 * it, and the locks the parent's thread held (the child holds none of them). */
static void forget_self_in_child(void)
{
    memset(&self, 0, sizeof(self));
}

static uint64_t identity(void)
{
    uint64_t id = self.identity;
    if (id != 0)
        return id;
    uint32_t tid = (uint32_t)syscall(SYS_gettid); /* gettid() itself needs glibc 2.30 */
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%u/stat", tid);
    char state;
    uint32_t start = 0;
    /* Without /proc the start time stays 0 and owner checks fall back to the thread id alone. */
    if (read_stat(path, &state, &start) < 0)
        start = 0;
    id = (uint64_t)tid | (uint64_t)start << 32;
    self.identity = id;
    int expected = 0;
    if (__atomic_compare_exchange_n(&fork_handler_registered, &expected, 1, 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
        pthread_atfork(NULL, NULL, forget_self_in_child);
    return id;
}

uint64_t jshm_lock_self(void)
{
    return identity();
}

/* Whether the thread that `word` names has certainly ended. A thread id that does not exist, a
 * zombie, or a live thread whose start time differs from the recorded one (the id was reused)
 * is gone. When /proc cannot tell (not mounted, or mounted with hidepid so other users' threads
 * are hidden), kill(tid, 0), which accepts any thread id, says whether the id exists at all; an
 * id that exists counts as the owner. */
static int owner_gone(uint64_t word, uint64_t me)
{
    uint32_t tid = (uint32_t)word & JSHM_LOCK_TID_MASK;
    uint32_t start = (uint32_t)(word >> 32);
    if (tid == ((uint32_t)me & JSHM_LOCK_TID_MASK))
        return start != (uint32_t)(me >> 32);
    char path[32];
    snprintf(path, sizeof(path), "/proc/%u/stat", tid);
    char state;
    uint32_t now;
    if (read_stat(path, &state, &now) == 0)
        return state == 'Z' || state == 'X' || state == 'x' || now != start;
    if (kill((pid_t)tid, 0) == 0 || errno == EPERM)
        return 0;
    return errno == ESRCH;
}

static int64_t monotonic_ns(void);

/* owner_gone, with the last owner found alive trusted for ALIVE_TRUST_NS. */
static int owner_gone_recently_checked(uint64_t word, uint64_t me)
{
    uint64_t owner = word & ~FLAGS;
    int64_t now = monotonic_ns();
    if (owner == self.alive_owner && now - self.alive_at_ns < ALIVE_TRUST_NS) {
        pid_t tid = (pid_t)(owner & JSHM_LOCK_TID_MASK);
        if (kill(tid, 0) < 0 && errno == ESRCH) {
            self.alive_owner = 0;
            return 1;
        }
        return 0;
    }
    int gone = owner_gone(word, me);
    self.alive_owner = gone ? 0 : owner;
    self.alive_at_ns = now;
    return gone;
}

/* ---- what the word may hold ---------------------------------------------------------------- */

static int well_formed(uint64_t word)
{
    uint32_t tid = (uint32_t)word & JSHM_LOCK_TID_MASK;
    if (tid == 0)
        return word == 0 || word == NOT_RECOVERABLE;
    return tid <= JSHM_LOCK_MAX_TID;
}

static int intact(struct jshm_lock_bytes *lock)
{
    return atomic_load_explicit(&lock->magic, memory_order_relaxed) == JSHM_LOCK_MAGIC;
}

static void remember(const struct jshm_lock_bytes *lock)
{
    for (int i = 0; i < HELD_SLOTS; i++) {
        if (self.held[i] == 0) {
            self.held[i] = (uintptr_t)lock;
            return;
        }
    }
}

/* Forgets `lock` as held by this thread; returns whether it was. */
static int forget(const struct jshm_lock_bytes *lock)
{
    for (int i = 0; i < HELD_SLOTS; i++) {
        if (self.held[i] == (uintptr_t)lock) {
            self.held[i] = 0;
            return 1;
        }
    }
    return 0;
}

static uint32_t *futex_of(struct jshm_lock_bytes *lock)
{
    return (uint32_t *)((char *)&lock->word + FUTEX_HALF);
}

static void futex_wake(struct jshm_lock_bytes *lock, int count)
{
    /* Shared futex (no FUTEX_PRIVATE_FLAG): the kernel keys it on the page, so waiters in other
     * processes are found. */
    syscall(SYS_futex, futex_of(lock), FUTEX_WAKE, count, NULL, NULL, 0);
}

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- the protocol -------------------------------------------------------------------------- */

/* timeout_ns < 0: wait as long as it takes; 0: try once (answers -EBUSY); > 0: wait that long
 * (answers -ETIMEDOUT). */
static int acquire(struct jshm_lock_bytes *lock, int64_t timeout_ns)
{
    if (!intact(lock))
        return -EUCLEAN;
    uint64_t me = identity();
    uint64_t seen = 0;
    /* Acquire on success: pairs with the release CAS in jshm_lock_unlock, so everything the
     * previous holder wrote under the lock happens before what we read under it. */
    if (atomic_compare_exchange_strong_explicit(&lock->word, &seen, me, memory_order_acquire,
                                                memory_order_relaxed)) {
        remember(lock);
        return 0;
    }
    int64_t deadline = 0;
    if (timeout_ns > 0) {
        int64_t now = monotonic_ns();
        if (timeout_ns > INT64_MAX - now)
            timeout_ns = -1;
        else
            deadline = now + timeout_ns;
    }
    /* WAITERS once we have slept: others may still sleep, and our unlock must wake them. */
    uint64_t waiters = 0;
    int check_owner = 0;
    int spins = timeout_ns == 0 ? 0 : SPINS;
    for (;;) {
        if (seen == 0) {
            if (atomic_compare_exchange_strong_explicit(&lock->word, &seen, me | waiters,
                                                        memory_order_acquire, memory_order_relaxed)) {
                remember(lock);
                return 0;
            }
            continue;
        }
        if (seen == NOT_RECOVERABLE)
            return -ENOTRECOVERABLE;
        if (!well_formed(seen))
            return -EUCLEAN;
        if ((seen & ~FLAGS) == me)
            return -EDEADLK;
        if (spins > 0) {
            spins--;
            cpu_relax();
            seen = atomic_load_explicit(&lock->word, memory_order_relaxed);
            continue;
        }
        int64_t remaining = timeout_ns < 0 ? INT64_MAX : timeout_ns == 0 ? 0 : deadline - monotonic_ns();
        if (check_owner || remaining <= 0) {
            if (owner_gone_recently_checked(seen, me)) {
                /* Acquire, as above: the repair reads what the dead owner wrote. The WAITERS bit
                 * stays, so our unlock wakes whoever sleeps. */
                uint64_t taken = me | OWNER_DIED | (seen & WAITERS) | waiters;
                if (atomic_compare_exchange_strong_explicit(&lock->word, &seen, taken,
                                                            memory_order_acquire, memory_order_relaxed)) {
                    remember(lock);
                    return -EOWNERDEAD;
                }
                continue;
            }
            if (remaining <= 0) {
                /* A wake meant for us may have arrived as we gave up: pass it on, or a sleeper
                 * behind us would wait a whole poll period. */
                if (waiters != 0 && (seen & WAITERS) == 0)
                    futex_wake(lock, 1);
                return timeout_ns == 0 ? -EBUSY : -ETIMEDOUT;
            }
            check_owner = 0;
        }
        if ((seen & WAITERS) == 0) {
            uint64_t flagged = seen | WAITERS;
            if (!atomic_compare_exchange_strong_explicit(&lock->word, &seen, flagged, memory_order_relaxed,
                                                         memory_order_relaxed))
                continue;
            seen = flagged;
        }
        waiters = WAITERS;
        int64_t slice = remaining < JSHM_LOCK_POLL_NS ? remaining : JSHM_LOCK_POLL_NS;
        struct timespec limit = {.tv_sec = (time_t)(slice / 1000000000), .tv_nsec = (long)(slice % 1000000000)};
        /* Sleeps only while the futex half still holds what we saw (owner and flags); EINTR and
         * EAGAIN just look again. A timeout means the owner held the lock for a whole slice:
         * time to ask whether it still lives. */
        long r = syscall(SYS_futex, futex_of(lock), FUTEX_WAIT, (uint32_t)seen, &limit, NULL, 0);
        if (r < 0 && errno == ETIMEDOUT)
            check_owner = 1;
        seen = atomic_load_explicit(&lock->word, memory_order_relaxed);
    }
}

int jshm_lock_init(void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    atomic_store_explicit(&lock->word, 0, memory_order_relaxed);
    /* Release: whoever sees the magic (with an acquire load in jshm_lock_check) sees the word. */
    atomic_store_explicit(&lock->magic, JSHM_LOCK_MAGIC, memory_order_release);
    return 0;
}

int jshm_lock_check(const void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    if (atomic_load_explicit(&lock->magic, memory_order_acquire) != JSHM_LOCK_MAGIC)
        return -EINVAL;
    return well_formed(atomic_load_explicit(&lock->word, memory_order_relaxed)) ? 0 : -EUCLEAN;
}

int jshm_lock_lock(void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    return rc < 0 ? rc : acquire(lock, -1);
}

int jshm_lock_trylock(void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    return rc < 0 ? rc : acquire(lock, 0);
}

int jshm_lock_timedlock(void *base, size_t size, size_t offset, int64_t timeout_ns)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    if (timeout_ns <= 0) {
        rc = acquire(lock, 0);
        return rc == -EBUSY ? -ETIMEDOUT : rc;
    }
    return acquire(lock, timeout_ns);
}

/* Why a word that does not name the caller is not the caller's to change: it never held the
 * lock (-EPERM), or it did and someone overwrote the word (-EUCLEAN). */
static int not_ours(struct jshm_lock_bytes *lock)
{
    return forget(lock) ? -EUCLEAN : -EPERM;
}

/* The lock at `offset` for an operation of its holder (unlock, consistent): -EUCLEAN, and the
 * caller's record of holding it dropped, when its bytes are no longer a lock. */
static int locate_held(void *base, size_t size, size_t offset, struct jshm_lock_bytes **lock)
{
    int rc = locate_lock(base, size, offset, lock);
    if (rc < 0)
        return rc;
    if (!intact(*lock)) {
        forget(*lock);
        return -EUCLEAN;
    }
    return 0;
}

int jshm_lock_unlock(void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_held(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    uint64_t me = identity();
    uint64_t seen = atomic_load_explicit(&lock->word, memory_order_relaxed);
    uint64_t next;
    do {
        if ((seen & ~FLAGS) != me)
            return not_ours(lock);
        next = (seen & OWNER_DIED) != 0 ? NOT_RECOVERABLE : 0;
        /* Release: publishes everything written under the lock to the next holder's acquire
         * CAS. A CAS rather than a store: a waiter may set WAITERS meanwhile, and a scribbled
         * word must be left as found. */
    } while (!atomic_compare_exchange_weak_explicit(&lock->word, &seen, next, memory_order_release,
                                                    memory_order_relaxed));
    forget(lock);
    if ((seen & WAITERS) != 0)
        futex_wake(lock, next == NOT_RECOVERABLE ? INT_MAX : 1);
    return 0;
}

int jshm_lock_consistent(void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_held(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    uint64_t me = identity();
    uint64_t seen = atomic_load_explicit(&lock->word, memory_order_relaxed);
    do {
        if ((seen & ~FLAGS) != me)
            return not_ours(lock);
        if ((seen & OWNER_DIED) == 0)
            return -EINVAL;
        /* Relaxed: only the holder changes the word now, and its unlock releases this with the
         * rest of the repair. */
    } while (!atomic_compare_exchange_weak_explicit(&lock->word, &seen, seen & ~OWNER_DIED,
                                                    memory_order_relaxed, memory_order_relaxed));
    return 0;
}

int jshm_lock_held(const void *base, size_t size, size_t offset)
{
    struct jshm_lock_bytes *lock;
    int rc = locate_lock(base, size, offset, &lock);
    if (rc < 0)
        return rc;
    if (!intact(lock))
        return -EUCLEAN;
    return (atomic_load_explicit(&lock->word, memory_order_relaxed) & ~FLAGS) == identity();
}
