/* Uncontended lock + unlock from C, on shared memory (MAP_SHARED), one thread: jshm's lock
 * (jshm_lock.c, the code Java calls), the robust process-shared pthread mutex jshm used before,
 * and a bare CAS plus release store (the floor: what any lock word costs). Prints one JSON
 * records document on stdout, as baseline.c does, for the report's "Lock" group.
 *
 *   lock_bench quick|full
 *
 * Built with the C core: gcc -O2 -Isrc/main/c bench/src/main/c/lock_bench.c src/main/c/jshm_lock.c -lpthread */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jshm.h"
#include "bench_proc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BARRIER() __asm__ __volatile__("" ::: "memory")

static void fail(const char *what, int rc)
{
    fprintf(stderr, "lock_bench: %s failed: %d\n", what, rc);
    exit(1);
}

int main(int argc, char **argv)
{
    int quick = !(argc > 1 && strcmp(argv[1], "full") == 0);
    int reps = quick ? 5 : 10;
    long iterations = quick ? 5000000L : 20000000L;
    size_t size = 4096;
    char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        fail("mmap", -1);

    pthread_mutex_t *mutex = (pthread_mutex_t *)(base + 256);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    if (pthread_mutex_init(mutex, &attr) != 0)
        fail("pthread_mutex_init", -1);
    int rc = jshm_lock_init(base, size, 0);
    if (rc < 0)
        fail("jshm_lock_init", rc);
    uint64_t *word = (uint64_t *)(base + 128);

    double pthread_s[64], jshm_s[64], cas_s[64];
    for (int r = 0; r < reps; r++) {
        double t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if (pthread_mutex_lock(mutex) != 0 || pthread_mutex_unlock(mutex) != 0)
                fail("pthread_mutex_lock/unlock", -1);
        }
        pthread_s[r] = (now_ns() - t) / (double)iterations;

        t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if ((rc = jshm_lock_lock(base, size, 0)) < 0 || (rc = jshm_lock_unlock(base, size, 0)) < 0)
                fail("jshm_lock_lock/unlock", rc);
        }
        jshm_s[r] = (now_ns() - t) / (double)iterations;

        t = now_ns();
        for (long i = 0; i < iterations; i++) {
            uint64_t expected = 0;
            if (!__atomic_compare_exchange_n(word, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                fail("cas", -1);
            BARRIER();
            __atomic_store_n(word, 0, __ATOMIC_RELEASE);
        }
        cas_s[r] = (now_ns() - t) / (double)iterations;
    }
    printf("{\"tool\": \"lock_bench.c\", \"mode\": \"%s\", \"records\": [", quick ? "quick" : "full");
    emit("Lock", "lockUnlock", "", "cPthreadRobust", "ns/op", pthread_s, reps);
    emit("Lock", "lockUnlock", "", "cJshmLock", "ns/op", jshm_s, reps);
    emit("Lock", "lockUnlock", "", "cCas", "ns/op", cas_s, reps);
    printf("\n]}\n");
    return 0;
}
