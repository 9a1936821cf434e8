/* Coordination between processes on shared memory: atomics and futex wait/wake (locks: jshm_lock.c). */
#include "jshm.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

/* ---- asymmetric fence ---------------------------------------------------------------------- */

/* <linux/membarrier.h> arrived with Linux 4.3 and the GLOBAL_EXPEDITED commands with 4.16: the
 * values are the kernel's ABI, defined here so that older headers (the glibc 2.17 floor) build. */
#ifndef __NR_membarrier
#if defined(__x86_64__)
#define __NR_membarrier 324
#elif defined(__aarch64__)
#define __NR_membarrier 283
#else
#error "__NR_membarrier is not known for this architecture"
#endif
#endif
#define JSHM_MEMBARRIER_CMD_GLOBAL_EXPEDITED (1 << 1)
#define JSHM_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)

int jshm_membarrier_register(void)
{
    long r = syscall(__NR_membarrier, JSHM_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0);
    return r < 0 ? -errno : 0;
}

int jshm_membarrier(void)
{
    long r = syscall(__NR_membarrier, JSHM_MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0);
    return r < 0 ? -errno : 0;
}

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
