/* Takes a jshm RobustLock from C and holds it until it is killed: the other side of
 * RobustLockTest, which kills it with SIGKILL while it holds the lock. It uses the C core
 * exactly as a C program sharing memory with Java would (jshm.h).
 *
 *   lock_holder sysv SHMID OFFSET
 *   lock_holder posix /NAME OFFSET
 *
 * Prints "locked" (or "locked ownerdead" when the previous holder had died) once it holds the
 * lock, then reads standard input until it ends, and exits without unlocking. Prints
 * "notrecoverable" and exits with status 3 when the lock is not recoverable. */
#include "jshm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
    char text[256];
    jshm_strerror(-rc, text, sizeof(text));
    fprintf(stderr, "lock_holder: %s: %s\n", what, text);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: lock_holder sysv SHMID OFFSET | posix /NAME OFFSET\n");
        return 2;
    }
    size_t offset = (size_t)strtoull(argv[3], NULL, 10);
    void *base = NULL;
    size_t size = 0;
    int rc;
    if (strcmp(argv[1], "sysv") == 0) {
        int shmid = atoi(argv[2]);
        struct jshm_sysv_stat st;
        if ((rc = jshm_sysv_stat(shmid, &st)) < 0)
            return fail("shmctl(IPC_STAT)", rc);
        if ((rc = jshm_sysv_attach(shmid, 0, &base)) < 0)
            return fail("shmat", rc);
        size = (size_t)st.size;
    } else {
        int fd = jshm_posix_open(argv[2], 0, 0);
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

    if ((rc = jshm_lock_check(base, size, offset)) < 0)
        return fail("jshm_lock_check", rc);
    rc = jshm_lock_acquire(base, size, offset);
    if (rc == -ENOTRECOVERABLE) {
        puts("notrecoverable");
        return 3;
    }
    if (rc < 0 && rc != -EOWNERDEAD)
        return fail("jshm_lock_acquire", rc);
    puts(rc == -EOWNERDEAD ? "locked ownerdead" : "locked");
    fflush(stdout);

    /* Hold the lock until killed; if the test itself goes away, stdin ends and so do we. */
    char buf[64];
    while (read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
    }
    return 0;
}
