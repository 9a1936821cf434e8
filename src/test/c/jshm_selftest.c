/* Self-test of the C core on its own, without a JVM: built by `make asan` with AddressSanitizer
 * and UBSan, so every copy and range check runs under the sanitizers. Exits non-zero on the
 * first failed check. */
#include "jshm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

static int range_ok(size_t offset, size_t len, size_t size)
{
    return JSHM_RANGE_OK(offset, len, size);
}

static void test_range_macro(void)
{
    CHECK(range_ok(0, 0, 0));
    CHECK(range_ok(0, 10, 10));
    CHECK(range_ok(10, 0, 10));
    CHECK(!range_ok(11, 0, 10));
    CHECK(!range_ok(1, 10, 10));
    CHECK(!range_ok(SIZE_MAX, 2, 10));
    CHECK(!range_ok(2, SIZE_MAX, 10));
}

static void test_sysv_lifecycle(void)
{
    const size_t size = 10000;
    int id = jshm_sysv_create(IPC_PRIVATE, size, 0600, JSHM_SYSV_EXCL);
    CHECK(id >= 0);
    if (id < 0)
        return;

    void *addr = NULL;
    CHECK(jshm_sysv_attach(id, 0, &addr) == 0);

    struct jshm_sysv_stat st;
    CHECK(jshm_sysv_stat(id, &st) == 0);
    CHECK(st.size == (int64_t)size);
    CHECK((st.mode & 0777) == 0600);
    CHECK(st.nattch == 1);
    CHECK(st.cpid == getpid());

    const char msg[] = "hello from the C core";
    CHECK(jshm_copy_in(addr, size, 100, msg, sizeof msg) == 0);
    char back[sizeof msg];
    CHECK(jshm_copy_out(addr, size, 100, back, sizeof back) == 0);
    CHECK(memcmp(msg, back, sizeof msg) == 0);
    CHECK(jshm_index_of(addr, size, 100, sizeof msg, 0) == 100 + (int64_t)sizeof msg - 1);
    CHECK(jshm_index_of(addr, size, 100, 5, 0) == -1);

    /* Out of range: refused, nothing touched. */
    CHECK(jshm_copy_in(addr, size, size - 1, msg, 2) == -ERANGE);
    CHECK(jshm_copy_out(addr, size, SIZE_MAX, back, 1) == -ERANGE);
    CHECK(jshm_fill(addr, size, 1, size, 0xff) == -ERANGE);
    CHECK(jshm_index_of(addr, size, size, 1, 0) == -ERANGE);
    CHECK(jshm_fill(addr, size, 0, size, 0x5a) == 0);
    CHECK(((unsigned char *)addr)[size - 1] == 0x5a);

    CHECK(jshm_sysv_set(id, -1, -1, 0640) == 0);
    CHECK(jshm_sysv_stat(id, &st) == 0 && (st.mode & 0777) == 0640);

    /* Retiring detaches (nattch drops) but keeps the range readable and writable. */
    size_t page = jshm_page_size();
    size_t length = (size + page - 1) / page * page;
    CHECK(jshm_retire(addr, length) == 0);
    CHECK(jshm_sysv_stat(id, &st) == 0 && st.nattch == 0);
    CHECK(((unsigned char *)addr)[0] == 0);
    ((unsigned char *)addr)[0] = 1;
    CHECK(jshm_unmap(addr, length) == 0);

    CHECK(jshm_sysv_remove(id) == 0);
    CHECK(jshm_sysv_stat(id, &st) == -EINVAL || jshm_sysv_stat(id, &st) == -EIDRM);
}

static void test_errors(void)
{
    CHECK(jshm_sysv_open(0x7fffabcd, 0) == -ENOENT);
    key_t key;
    CHECK(jshm_sysv_ftok("/nonexistent/jshm", 1, &key) == -ENOENT);
    CHECK(jshm_sysv_ftok("/", 0x100, &key) == -EINVAL);
    CHECK(strcmp(jshm_errno_name(EEXIST), "EEXIST") == 0);
    CHECK(jshm_errno_name(100000) == NULL);
    char buf[8];
    jshm_strerror(ENOENT, buf, sizeof buf);
    CHECK(strlen(buf) == sizeof buf - 1);
}

static void test_posix_and_files(void)
{
    char path[64];
    CHECK(jshm_posix_path("/ok", path, sizeof path) == 0 && strcmp(path, "/dev/shm/ok") == 0);
    CHECK(jshm_posix_path("noslash", path, sizeof path) == -EINVAL);
    CHECK(jshm_posix_path("/", path, sizeof path) == -EINVAL);
    CHECK(jshm_posix_path("/a/b", path, sizeof path) == -EINVAL);
    CHECK(jshm_posix_path("/..", path, sizeof path) == -EINVAL);
    CHECK(jshm_posix_path("/abc", path, 8) == -ENAMETOOLONG);

    char name[64];
    snprintf(name, sizeof name, "/jshm-selftest-%d", (int)getpid());
    int fd = jshm_posix_open(name, JSHM_FILE_CREATE | JSHM_FILE_EXCL, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(jshm_posix_open(name, JSHM_FILE_CREATE | JSHM_FILE_EXCL, 0600) == -EEXIST);
    CHECK(jshm_file_grow(fd, 8192, JSHM_GROW_RESERVE) == 0);
    struct jshm_file_stat st;
    CHECK(jshm_file_stat(fd, &st) == 0 && st.size == 8192 && (st.mode & 0777) == 0600);
    CHECK(jshm_file_grow(fd, 100, 0) == 0); /* never shrinks */
    CHECK(jshm_file_stat(fd, &st) == 0 && st.size == 8192);
    void *addr = NULL;
    CHECK(jshm_map(fd, 1, 4096, 0, &addr) == -EINVAL); /* unaligned offset */
    CHECK(jshm_map(fd, 0, 8192, JSHM_MAP_POPULATE, &addr) == 0);
    CHECK(jshm_copy_in(addr, 8192, 8000, "posix", 6) == 0);
    CHECK(jshm_sync(addr, 8192, 0) == 0);
    CHECK(jshm_unmap(addr, 8192) == 0);
    CHECK(jshm_close_fd(fd) == 0);
    CHECK(jshm_posix_unlink(name) == 0);
    CHECK(jshm_posix_unlink(name) == -ENOENT);
}

static void test_coordination(void)
{
    /* 8-byte aligned backing, like a mapping. */
    static int64_t words[64];
    void *base = words;
    size_t size = sizeof words;
    int32_t i32 = 0;
    int64_t i64 = 0;

    CHECK(jshm_atomic_store_release_i32(base, size, 0, 5) == 0);
    CHECK(jshm_atomic_load_acquire_i32(base, size, 0, &i32) == 0 && i32 == 5);
    CHECK(jshm_atomic_cas_i32(base, size, 0, 5, 6) == 1);
    CHECK(jshm_atomic_cas_i32(base, size, 0, 5, 7) == 0);
    CHECK(jshm_atomic_fetch_add_i32(base, size, 0, 4, &i32) == 0 && i32 == 6);
    CHECK(jshm_atomic_exchange_i64(base, size, 8, 42, &i64) == 0 && i64 == 0);
    CHECK(jshm_atomic_load_i64(base, size, 8, &i64) == 0 && i64 == 42);
    /* Misaligned and out of range: refused, nothing touched. */
    CHECK(jshm_atomic_store_i32(base, size, 2, 1) == -EINVAL);
    CHECK(jshm_atomic_store_i64(base, size, 12, 1) == -EINVAL);
    CHECK(jshm_atomic_store_i64(base, size, size - 4, 1) == -ERANGE);
    CHECK(jshm_atomic_load_i32(base, size, SIZE_MAX - 1, &i32) == -ERANGE);

    CHECK(jshm_futex_wait(base, size, 0, 12345, 1000000) == -EAGAIN);
    CHECK(jshm_futex_wait(base, size, 0, 10, 1000000) == -ETIMEDOUT);
    CHECK(jshm_futex_wake(base, size, 0, 1) == 0);
    CHECK(jshm_futex_wait(base, size, 1, 0, 1000) == -EINVAL);

    size_t lock_at = 128;
    CHECK(jshm_lock_size() > 0 && lock_at % jshm_lock_alignment() == 0);
    CHECK(jshm_lock_init(base, size, lock_at) == 0);
    CHECK(jshm_lock_check(base, size, lock_at) == 0);
    CHECK(jshm_lock_lock(base, size, lock_at) == 0);
    CHECK(jshm_lock_held(base, size, lock_at) == 1);
    CHECK(jshm_lock_unlock(base, size, lock_at) == 0);
    CHECK(jshm_lock_trylock(base, size, lock_at) == 0);
    CHECK(jshm_lock_unlock(base, size, lock_at) == 0);
    CHECK(jshm_lock_timedlock(base, size, lock_at, 1000000) == 0);
    CHECK(jshm_lock_unlock(base, size, lock_at) == 0);
    CHECK(jshm_lock_init(base, size, size - 8) == -ERANGE);
    CHECK(jshm_lock_init(base, size, lock_at + 4) == -EINVAL);
    CHECK(jshm_lock_lock(base, size, lock_at) == 0);
    CHECK(jshm_lock_lock(base, size, lock_at) == -EDEADLK);
    CHECK(jshm_lock_consistent(base, size, lock_at) == -EINVAL);
    CHECK(jshm_lock_unlock(base, size, lock_at) == 0);
    CHECK(jshm_lock_unlock(base, size, lock_at) == -EPERM);
}

/* Impossible states are refused and left as found. */
static void test_lock_corruption(void)
{
    static uint64_t words[8];
    void *base = words;
    size_t size = sizeof words;
    CHECK(jshm_lock_init(base, size, 16) == 0);
    const uint64_t bad[] = {JSHM_LOCK_WAITERS, (uint64_t)1 << 32, JSHM_LOCK_MAX_TID + 1, UINT64_MAX,
                            JSHM_LOCK_NOT_RECOVERABLE | JSHM_LOCK_WAITERS};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        words[2] = bad[i];
        CHECK(jshm_lock_check(base, size, 16) == -EUCLEAN);
        CHECK(jshm_lock_lock(base, size, 16) == -EUCLEAN);
        CHECK(jshm_lock_trylock(base, size, 16) == -EUCLEAN);
        CHECK(jshm_lock_timedlock(base, size, 16, 1000) == -EUCLEAN);
        CHECK(words[2] == bad[i] && words[3] == JSHM_LOCK_MAGIC);
    }
    words[2] = 0;
    /* The word changed under the holder: reported once, then the caller holds nothing. */
    CHECK(jshm_lock_lock(base, size, 16) == 0);
    words[2] = 0;
    CHECK(jshm_lock_unlock(base, size, 16) == -EUCLEAN);
    CHECK(jshm_lock_unlock(base, size, 16) == -EPERM);
    words[3] = 0;
    CHECK(jshm_lock_check(base, size, 16) == -EINVAL);
    CHECK(jshm_lock_lock(base, size, 16) == -EUCLEAN);
    CHECK(words[2] == 0 && words[0] == 0 && words[1] == 0 && words[4] == 0);
}

/* Owner death across fork, and a forked child is not its parent's thread. */
static void test_lock_processes(void)
{
    size_t size = 4096;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(base != MAP_FAILED);
    CHECK(jshm_lock_init(base, size, 0) == 0);

    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0)
        _exit(jshm_lock_lock(base, size, 0) == 0 ? 0 : 1); /* dies holding it */
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(jshm_lock_trylock(base, size, 0) == -EOWNERDEAD);
    CHECK(jshm_lock_held(base, size, 0) == 1);
    CHECK(jshm_lock_consistent(base, size, 0) == 0);

    /* Held by this thread; the child (same cached identity until fork resets it) must see a
     * busy lock, not its own. */
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        int ok = jshm_lock_trylock(base, size, 0) == -EBUSY && jshm_lock_held(base, size, 0) == 0
                 && jshm_lock_unlock(base, size, 0) == -EPERM && jshm_lock_timedlock(base, size, 0, 2000000) == -ETIMEDOUT;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(jshm_lock_unlock(base, size, 0) == 0);

    /* Taken over and released without jshm_lock_consistent: unusable for everyone. */
    child = fork();
    CHECK(child >= 0);
    if (child == 0)
        _exit(jshm_lock_lock(base, size, 0) == 0 ? 0 : 1);
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(jshm_lock_lock(base, size, 0) == -EOWNERDEAD);
    CHECK(jshm_lock_unlock(base, size, 0) == 0);
    CHECK(jshm_lock_lock(base, size, 0) == -ENOTRECOVERABLE);
    CHECK(jshm_lock_trylock(base, size, 0) == -ENOTRECOVERABLE);
    CHECK(munmap(base, size) == 0);
}

int main(void)
{
    test_range_macro();
    test_sysv_lifecycle();
    test_errors();
    test_posix_and_files();
    test_coordination();
    test_lock_corruption();
    test_lock_processes();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("jshm_selftest: all checks passed\n");
    return 0;
}
