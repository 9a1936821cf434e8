/*
 * A plain C program that shares POSIX shared memory with jshm through the system's own
 * shm_open and mmap, so PosixInteropTest checks jshm against the real API rather than against
 * itself. The layout both sides agree on: a string at 0, a native-order 64-bit value at 64, a
 * reply string at 128.
 *
 *   posix_peer create NAME SIZE TEXT    new object (O_EXCL, 0600): TEXT at 0, 0x1122334455667788 at 64
 *   posix_peer dump NAME                prints size=, mode=, text=, long= (hex), reply=
 *   posix_peer write NAME OFFSET TEXT   TEXT and its NUL at OFFSET
 *   posix_peer unlink NAME              shm_unlink
 *
 * Exit status: 0 done, 1 usage, 2 a system call failed (the reason is on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEXT_AT 0
#define LONG_AT 64
#define REPLY_AT 128
#define MARKER UINT64_C(0x1122334455667788)

static int fail(const char *what, const char *name)
{
    fprintf(stderr, "posix_peer: %s(%s): %s\n", what, name, strerror(errno));
    return 2;
}

/* Prints the string at `at`, stopping at a NUL or the end of the object. */
static void print_string(const char *label, const char *base, size_t size, size_t at)
{
    if (at >= size) {
        printf("%s=\n", label);
        return;
    }
    size_t n = strnlen(base + at, size - at);
    printf("%s=%.*s\n", label, (int)n, base + at);
}

static int create(const char *name, const char *size_text, const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long size = strtoull(size_text, &end, 10);
    if (errno != 0 || *end != '\0' || size < REPLY_AT + 64 || strlen(text) >= LONG_AT - TEXT_AT) {
        fprintf(stderr, "posix_peer: bad size or text too long\n");
        return 1;
    }
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return fail("shm_open", name);
    if (ftruncate(fd, (off_t)size) < 0) {
        int rc = fail("ftruncate", name);
        shm_unlink(name);
        close(fd);
        return rc;
    }
    char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int rc = fail("mmap", name);
        shm_unlink(name);
        close(fd);
        return rc;
    }
    close(fd);
    strcpy(p + TEXT_AT, text);
    uint64_t marker = MARKER;
    memcpy(p + LONG_AT, &marker, sizeof marker);
    munmap(p, (size_t)size);
    printf("created %s size=%llu\n", name, size);
    return 0;
}

static int dump(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd < 0)
        return fail("shm_open", name);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = fail("fstat", name);
        close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    printf("size=%zu\n", size);
    printf("mode=%04o\n", (unsigned)(st.st_mode & 07777));
    if (size == 0) {
        close(fd);
        return 0;
    }
    const char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return fail("mmap", name);
    print_string("text", p, size, TEXT_AT);
    if (size >= LONG_AT + sizeof(uint64_t)) {
        uint64_t value;
        memcpy(&value, p + LONG_AT, sizeof value);
        printf("long=%016" PRIx64 "\n", value);
    }
    print_string("reply", p, size, REPLY_AT);
    munmap((void *)p, size);
    return 0;
}

static int write_text(const char *name, const char *offset_text, const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long offset = strtoull(offset_text, &end, 10);
    if (errno != 0 || *end != '\0') {
        fprintf(stderr, "posix_peer: bad offset %s\n", offset_text);
        return 1;
    }
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0)
        return fail("shm_open", name);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = fail("fstat", name);
        close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    size_t len = strlen(text) + 1;
    /* Subtract, never add: the same range check jshm makes. */
    if (offset > size || len > size - offset) {
        close(fd);
        fprintf(stderr, "posix_peer: %zu bytes at %llu do not fit in %zu\n", len, offset, size);
        return 1;
    }
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return fail("mmap", name);
    memcpy(p + offset, text, len);
    munmap(p, size);
    printf("wrote %zu bytes at %llu\n", len, offset);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "create") == 0)
        return create(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "dump") == 0)
        return dump(argv[2]);
    if (argc == 5 && strcmp(argv[1], "write") == 0)
        return write_text(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "unlink") == 0)
        return shm_unlink(argv[2]) < 0 ? fail("shm_unlink", argv[2]) : 0;
    fprintf(stderr, "usage: posix_peer create NAME SIZE TEXT | dump NAME | write NAME OFFSET TEXT | unlink NAME\n");
    return 1;
}
