/* A C peer of a jshm RobustLock, using the C core exactly as a C program sharing memory with
 * Java would (jshm.h): the other side of RobustLockTest and LockScribbleTest.
 *
 *   lock_holder hold  sysv SHMID | posix /NAME  OFFSET
 *       Prints "locked" (or "locked ownerdead" when the previous holder had died) once it holds
 *       the lock, then reads standard input until it ends, and exits without unlocking (the test
 *       kills it first). Prints "notrecoverable" and exits with status 3 when the lock is not
 *       recoverable.
 *   lock_holder count sysv SHMID | posix /NAME  OFFSET N COUNTER_OFFSET
 *       Prints "ready", waits for a line on standard input, then N times: locks, adds 1 to the
 *       int64 at COUNTER_OFFSET with a plain read and a plain write, unlocks. Prints "done".
 *   lock_holder churn sysv SHMID | posix /NAME  OFFSET MILLIS
 *       For MILLIS milliseconds locks (with a 1 ms timeout) and unlocks, whatever the lock's
 *       bytes hold, marking it consistent after -EOWNERDEAD. Counts every answer and prints
 *       "churned ok=N ownerdead=N timedout=N corrupt=N notrecoverable=N deadlock=N perm=N other=N"
 *       (deadlock: the word named this very thread as owner). */
#include "jshm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
    char text[256];
    jshm_strerror(-rc, text, sizeof(text));
    fprintf(stderr, "lock_holder: %s: %s\n", what, text);
    return 2;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int hold(void *base, size_t size, size_t offset)
{
    int rc = jshm_lock_lock(base, size, offset);
    if (rc == -ENOTRECOVERABLE) {
        puts("notrecoverable");
        return 3;
    }
    if (rc < 0 && rc != -EOWNERDEAD)
        return fail("jshm_lock_lock", rc);
    puts(rc == -EOWNERDEAD ? "locked ownerdead" : "locked");
    fflush(stdout);
    /* Hold the lock until killed; if the test itself goes away, stdin ends and so do we. */
    char buf[64];
    while (read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
    }
    return 0;
}

static int count(void *base, size_t size, size_t offset, long n, size_t counter)
{
    if (!JSHM_RANGE_OK(counter, sizeof(int64_t), size))
        return fail("counter offset", -ERANGE);
    volatile int64_t *value = (volatile int64_t *)((char *)base + counter);
    puts("ready");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof(line), stdin) == NULL)
        return 2;
    for (long i = 0; i < n; i++) {
        int rc = jshm_lock_lock(base, size, offset);
        if (rc < 0)
            return fail("jshm_lock_lock", rc);
        *value = *value + 1;
        if ((rc = jshm_lock_unlock(base, size, offset)) < 0)
            return fail("jshm_lock_unlock", rc);
    }
    puts("done");
    return 0;
}

static int churn(void *base, size_t size, size_t offset, long millis)
{
    long ok = 0, ownerdead = 0, timedout = 0, corrupt = 0, notrecoverable = 0, deadlock = 0, perm = 0, other = 0;
    int64_t end = now_ms() + millis;
    while (now_ms() < end) {
        int rc = jshm_lock_timedlock(base, size, offset, 1000000);
        if (rc == 0 || rc == -EOWNERDEAD) {
            if (rc == 0)
                ok++;
            else
                ownerdead++;
            if (rc == -EOWNERDEAD)
                jshm_lock_consistent(base, size, offset);
            rc = jshm_lock_unlock(base, size, offset);
            if (rc == -EUCLEAN)
                corrupt++;
            else if (rc == -EPERM)
                perm++;
            else if (rc < 0)
                other++;
        } else if (rc == -ETIMEDOUT) {
            timedout++;
        } else if (rc == -EUCLEAN) {
            corrupt++;
        } else if (rc == -ENOTRECOVERABLE) {
            notrecoverable++;
        } else if (rc == -EDEADLK) {
            deadlock++;
        } else {
            other++;
        }
    }
    printf("churned ok=%ld ownerdead=%ld timedout=%ld corrupt=%ld notrecoverable=%ld deadlock=%ld perm=%ld other=%ld\n",
           ok, ownerdead, timedout, corrupt, notrecoverable, deadlock, perm, other);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: lock_holder hold|count|churn sysv SHMID|posix /NAME OFFSET [ARGS]\n");
        return 2;
    }
    const char *mode = argv[1];
    size_t offset = (size_t)strtoull(argv[4], NULL, 10);
    void *base = NULL;
    size_t size = 0;
    int rc;
    if (strcmp(argv[2], "sysv") == 0) {
        int shmid = atoi(argv[3]);
        struct jshm_sysv_stat st;
        if ((rc = jshm_sysv_stat(shmid, &st)) < 0)
            return fail("shmctl(IPC_STAT)", rc);
        if ((rc = jshm_sysv_attach(shmid, 0, &base)) < 0)
            return fail("shmat", rc);
        size = (size_t)st.size;
    } else {
        int fd = jshm_posix_open(argv[3], 0, 0);
        if (fd < 0)
            return fail("shm_open", fd);
        struct jshm_file_stat st;
        if ((rc = jshm_file_stat(fd, &st)) < 0)
            return fail("fstat", rc);
        size = (size_t)st.size;
        if ((rc = jshm_map(fd, 0, size, 0, &base)) < 0)
            return fail("mmap", rc);
        jshm_close_fd(fd);
    }

    if (strcmp(mode, "churn") != 0 && (rc = jshm_lock_check(base, size, offset)) < 0)
        return fail("jshm_lock_check", rc);
    if (strcmp(mode, "hold") == 0)
        return hold(base, size, offset);
    if (strcmp(mode, "count") == 0 && argc == 7)
        return count(base, size, offset, strtol(argv[5], NULL, 10), (size_t)strtoull(argv[6], NULL, 10));
    if (strcmp(mode, "churn") == 0 && argc == 6)
        return churn(base, size, offset, strtol(argv[5], NULL, 10));
    fprintf(stderr, "lock_holder: bad arguments for %s\n", mode);
    return 2;
}
