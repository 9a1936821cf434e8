/* Coordination between processes on shared memory: atomics, futex wait/wake, robust locks. */
#include "jshm.h"
#include "jshm_glibc.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The pthread functions glibc 2.34 re-versioned, bound to their old versions (jshm_glibc.h). */
JSHM_GLIBC_PIN(pthread_mutexattr_init, GLIBC_2.2.5);
JSHM_GLIBC_PIN(pthread_mutexattr_destroy, GLIBC_2.2.5);
JSHM_GLIBC_PIN(pthread_mutexattr_settype, GLIBC_2.2.5);
JSHM_GLIBC_PIN(pthread_mutexattr_setpshared, GLIBC_2.2.5);
JSHM_GLIBC_PIN(pthread_mutexattr_setrobust, GLIBC_2.12);
JSHM_GLIBC_PIN(pthread_mutex_consistent, GLIBC_2.12);
JSHM_GLIBC_PIN(pthread_mutex_trylock, GLIBC_2.2.5);
JSHM_GLIBC_PIN(pthread_mutex_timedlock, GLIBC_2.2.5);

/* A lock-free atomic is the only kind that is atomic across processes: a lock-based one would
 * use a lock private to this process. */
_Static_assert(__atomic_always_lock_free(sizeof(int32_t), 0), "int32 atomics must be lock-free");
_Static_assert(__atomic_always_lock_free(sizeof(int64_t), 0), "int64 atomics must be lock-free");

/* Resolves base + offset for an access of `width` bytes that must be aligned to `align`. */
static int locate(const void *base, size_t size, size_t offset, size_t width, size_t align,
                  void **p)
{
    if (!JSHM_RANGE_OK(offset, width, size))
        return -ERANGE;
    uintptr_t address = (uintptr_t)base + offset;
    if ((address & (align - 1)) != 0)
        return -EINVAL;
    *p = (void *)address;
    return 0;
}

/* ---- atomics ------------------------------------------------------------------------------ */

/* One definition per operation and width; the GCC builtins take the memory order as a constant,
 * so each order gets its own function and its exact instructions. */
#define JSHM_ATOMICS(suffix, type)                                                              \
    int jshm_atomic_load_##suffix(const void *base, size_t size, size_t offset, type *value)   \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            *value = __atomic_load_n((type *)p, __ATOMIC_SEQ_CST);                              \
        return rc;                                                                              \
    }                                                                                           \
    int jshm_atomic_load_acquire_##suffix(const void *base, size_t size, size_t offset,         \
                                          type *value)                                          \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            *value = __atomic_load_n((type *)p, __ATOMIC_ACQUIRE);                              \
        return rc;                                                                              \
    }                                                                                           \
    int jshm_atomic_store_##suffix(void *base, size_t size, size_t offset, type value)          \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            __atomic_store_n((type *)p, value, __ATOMIC_SEQ_CST);                               \
        return rc;                                                                              \
    }                                                                                           \
    int jshm_atomic_store_release_##suffix(void *base, size_t size, size_t offset, type value)  \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            __atomic_store_n((type *)p, value, __ATOMIC_RELEASE);                               \
        return rc;                                                                              \
    }                                                                                           \
    int jshm_atomic_cas_##suffix(void *base, size_t size, size_t offset, type expected,         \
                                 type desired)                                                  \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc < 0)                                                                             \
            return rc;                                                                          \
        return __atomic_compare_exchange_n((type *)p, &expected, desired, 0, __ATOMIC_SEQ_CST,  \
                                           __ATOMIC_SEQ_CST) ? 1 : 0;                           \
    }                                                                                           \
    int jshm_atomic_fetch_add_##suffix(void *base, size_t size, size_t offset, type delta,      \
                                       type *previous)                                          \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            *previous = __atomic_fetch_add((type *)p, delta, __ATOMIC_SEQ_CST);                 \
        return rc;                                                                              \
    }                                                                                           \
    int jshm_atomic_exchange_##suffix(void *base, size_t size, size_t offset, type value,       \
                                      type *previous)                                           \
    {                                                                                           \
        void *p;                                                                                \
        int rc = locate(base, size, offset, sizeof(type), sizeof(type), &p);                    \
        if (rc == 0)                                                                            \
            *previous = __atomic_exchange_n((type *)p, value, __ATOMIC_SEQ_CST);                \
        return rc;                                                                              \
    }

JSHM_ATOMICS(i32, int32_t)
JSHM_ATOMICS(i64, int64_t)

#undef JSHM_ATOMICS

/* ---- futexes ------------------------------------------------------------------------------ */

int jshm_futex_wait(const void *base, size_t size, size_t offset, int32_t expected,
                    int64_t timeout_ns)
{
    void *word;
    int rc = locate(base, size, offset, sizeof(int32_t), sizeof(int32_t), &word);
    if (rc < 0)
        return rc;
    struct timespec timeout;
    struct timespec *limit = NULL;
    if (timeout_ns >= 0) {
        timeout.tv_sec = (time_t)(timeout_ns / 1000000000);
        timeout.tv_nsec = (long)(timeout_ns % 1000000000);
        limit = &timeout;
    }
    /* FUTEX_WAIT, not FUTEX_WAIT_PRIVATE: the kernel keys the wait on the shared page, so a
     * FUTEX_WAKE from any process that maps it reaches us. The timeout is relative and measured
     * on CLOCK_MONOTONIC. EINTR is handed back rather than retried here: the caller decides,
     * knowing how much of its own deadline is left. */
    long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, limit, NULL, 0);
    return r < 0 ? -errno : 0;
}

int jshm_futex_wake(const void *base, size_t size, size_t offset, int count)
{
    void *word;
    int rc = locate(base, size, offset, sizeof(int32_t), sizeof(int32_t), &word);
    if (rc < 0)
        return rc;
    if (count < 1)
        return -EINVAL;
    long r = syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
    return r < 0 ? -errno : (int)r;
}

/* ---- robust locks ------------------------------------------------------------------------- */

size_t jshm_lock_size(void)
{
    return sizeof(pthread_mutex_t);
}

size_t jshm_lock_alignment(void)
{
    return _Alignof(pthread_mutex_t);
}

static int locate_lock(const void *base, size_t size, size_t offset, pthread_mutex_t **mutex)
{
    void *p;
    int rc = locate(base, size, offset, sizeof(pthread_mutex_t), _Alignof(pthread_mutex_t), &p);
    if (rc == 0)
        *mutex = p;
    return rc;
}

/* Initializes `mutex` with jshm's attributes: shared between processes, robust, and
 * error-checking, so that relocking by the owner fails with EDEADLK instead of hanging and
 * unlocking by another thread fails with EPERM. */
static int init_mutex(pthread_mutex_t *mutex)
{
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0)
        return -rc;
    rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    if (rc == 0)
        rc = pthread_mutex_init(mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    return -rc;
}

int jshm_lock_init(void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    return rc < 0 ? rc : init_mutex(mutex);
}

int jshm_lock_check(const void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    if (rc < 0)
        return rc;
    /* A zeroed pthread_mutex_t is a valid private, non-robust mutex: locking one "works" but
     * excludes nobody in other processes and never recovers. Compare the kind glibc recorded
     * with that of a reference mutex made with the same attributes (no private constants);
     * the kind never changes after init, whatever state the lock is in. */
    pthread_mutex_t reference;
    rc = init_mutex(&reference);
    if (rc < 0)
        return rc;
    int expected = reference.__data.__kind;
    pthread_mutex_destroy(&reference);
    return __atomic_load_n(&mutex->__data.__kind, __ATOMIC_RELAXED) == expected ? 0 : -EINVAL;
}

int jshm_lock_acquire(void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    return rc < 0 ? rc : -pthread_mutex_lock(mutex);
}

/* The kernel's robust-futex protocol fixes the layout of the lock word: the owner's thread id
 * in the low 30 bits (FUTEX_TID_MASK), plus FUTEX_WAITERS and FUTEX_OWNER_DIED. glibc keeps it in
 * __data.__lock. */
static unsigned int lock_word(const pthread_mutex_t *mutex)
{
    return (unsigned int)__atomic_load_n(&mutex->__data.__lock, __ATOMIC_ACQUIRE);
}

static unsigned int caller_tid(void)
{
    /* gettid() itself needs glibc 2.30. */
    return (unsigned int)syscall(SYS_gettid);
}

static int held_by_caller(const pthread_mutex_t *mutex)
{
    return (lock_word(mutex) & FUTEX_TID_MASK) == caller_tid();
}

/* pthread_mutex_trylock on a not-recoverable robust mutex answers ENOTRECOVERABLE but leaves the
 * lock word holding the caller's thread id (glibc releases it only on a path it never takes):
 * the caller would then get EDEADLK forever and everyone else would block. Give the word back
 * as pthread_mutex_lock does in the same situation, and wake whoever queued behind it so they
 * see ENOTRECOVERABLE too. */
static int try_lock(pthread_mutex_t *mutex)
{
    int rc = pthread_mutex_trylock(mutex);
    if (rc == ENOTRECOVERABLE) {
        int *word = &mutex->__data.__lock;
        int seen = __atomic_load_n(word, __ATOMIC_RELAXED);
        while (((unsigned int)seen & FUTEX_TID_MASK) == caller_tid()) {
            if (__atomic_compare_exchange_n(word, &seen, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
                if ((unsigned int)seen & FUTEX_WAITERS)
                    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
                break;
            }
        }
    }
    return rc;
}

int jshm_lock_try(void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    return rc < 0 ? rc : -try_lock(mutex);
}

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

int jshm_lock_acquire_timed(void *base, size_t size, size_t offset, int64_t timeout_ns)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    if (rc < 0)
        return rc;
    if (timeout_ns <= 0) {
        rc = try_lock(mutex);
        return rc == EBUSY ? -ETIMEDOUT : -rc;
    }
    /* pthread_mutex_timedlock takes a CLOCK_REALTIME deadline (pthread_mutex_clocklock needs
     * glibc 2.30), and the wall clock can be stepped. Wait in slices of at most a second and
     * measure the whole timeout on CLOCK_MONOTONIC: a clock step then costs at most one slice. */
    const int64_t slice_limit = 1000000000;
    int64_t deadline = monotonic_ns() + timeout_ns;
    for (;;) {
        int64_t remaining = deadline - monotonic_ns();
        if (remaining <= 0) {
            rc = try_lock(mutex);
            return rc == EBUSY ? -ETIMEDOUT : -rc;
        }
        int64_t slice = remaining < slice_limit ? remaining : slice_limit;
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        int64_t ns = at.tv_nsec + slice;
        at.tv_sec += (time_t)(ns / 1000000000);
        at.tv_nsec = (long)(ns % 1000000000);
        rc = pthread_mutex_timedlock(mutex, &at);
        if (rc != ETIMEDOUT)
            return -rc;
    }
}

int jshm_lock_release(void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    return rc < 0 ? rc : -pthread_mutex_unlock(mutex);
}

int jshm_lock_consistent(void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    if (rc < 0)
        return rc;
    /* pthread_mutex_consistent does not check who calls it: without this, another thread (or
     * process) could mark the lock consistent while its holder is still repairing the state. */
    if (!held_by_caller(mutex))
        return -EPERM;
    return -pthread_mutex_consistent(mutex);
}

int jshm_lock_held(const void *base, size_t size, size_t offset)
{
    pthread_mutex_t *mutex;
    int rc = locate_lock(base, size, offset, &mutex);
    return rc < 0 ? rc : held_by_caller(mutex);
}
