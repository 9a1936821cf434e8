/*
 * sysv_peer: a plain C program that shares System V segments with jshm's tests (InteropTest).
 * It uses shmget/shmat/shmdt directly and never the jshm library, so what it reads and writes
 * is what any C program on this host reads and writes.
 *
 *   sysv_peer info   KEY                          prints "shmid=N size=N"
 *   sysv_peer read   KEY OFFSET                   prints the NUL-terminated string at OFFSET
 *   sysv_peer write  KEY OFFSET TEXT [OFF64 U64]  writes TEXT and its NUL at OFFSET, and
 *                                                 optionally the uint64_t U64 at OFF64
 *   sysv_peer writex KEY OFFSET HEX               writes the bytes HEX and a NUL at OFFSET
 *   sysv_peer get    KEY OFFSET TYPE              prints the value at OFFSET
 *   sysv_peer put    KEY OFFSET TYPE VALUE        writes VALUE at OFFSET
 *   sysv_peer dump   KEY OFFSET LEN               prints LEN bytes as lowercase hex
 *
 * TYPE is u8, u16, u32, u64, i32, i64, f32 or f64; values are in the host's byte order.
 * Numbers accept 0x. Exit status: 0 done, 1 a system call failed, 2 bad arguments or range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

struct segment {
    int shmid;
    size_t size;
    unsigned char *base;
};

static void fail_errno(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail_usage(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* "sysv_peer: shmget(key=0x4a540001): No such file or directory", then exit 1. */
static void fail_errno(const char *format, ...)
{
    int err = errno;
    va_list args;
    fputs("sysv_peer: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, ": %s\n", strerror(err));
    exit(1);
}

static void fail_usage(const char *format, ...)
{
    va_list args;
    fputs("sysv_peer: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(2);
}

static uint64_t parse_u64(const char *text, const char *what)
{
    char *end = NULL;
    /* strtoull accepts "-1" and wraps it: refuse signs outright. */
    if (text[0] == '-' || text[0] == '+' || text[0] == '\0')
        fail_usage("%s: not an unsigned number: '%s'", what, text);
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0')
        fail_usage("%s: not an unsigned 64-bit number: '%s'", what, text);
    return (uint64_t)value;
}

static int64_t parse_i64(const char *text, const char *what)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0')
        fail_usage("%s: not a signed 64-bit number: '%s'", what, text);
    return (int64_t)value;
}

static double parse_double(const char *text, const char *what)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0')
        fail_usage("%s: not a number: '%s'", what, text);
    return value;
}

static key_t parse_key(const char *text)
{
    uint64_t key = parse_u64(text, "KEY");
    if (key > UINT32_MAX)
        fail_usage("KEY: more than 32 bits: '%s'", text);
    return (key_t)(uint32_t)key;
}

static size_t parse_size(const char *text, const char *what)
{
    uint64_t value = parse_u64(text, what);
    if (value > SIZE_MAX)
        fail_usage("%s: too large: '%s'", what, text);
    return (size_t)value;
}

/* Attaches the existing segment of `key`; never creates one. */
static struct segment attach(key_t key, int read_only)
{
    struct segment seg;
    struct shmid_ds ds;
    unsigned int shown = (unsigned int)key;

    seg.shmid = shmget(key, 0, 0);
    if (seg.shmid < 0)
        fail_errno("shmget(key=0x%08x)", shown);
    if (shmctl(seg.shmid, IPC_STAT, &ds) < 0)
        fail_errno("shmctl(shmid=%d, IPC_STAT)", seg.shmid);
    seg.size = ds.shm_segsz;
    void *p = shmat(seg.shmid, NULL, read_only ? SHM_RDONLY : 0);
    if (p == (void *)-1)
        fail_errno("shmat(shmid=%d%s)", seg.shmid, read_only ? ", SHM_RDONLY" : "");
    seg.base = p;
    return seg;
}

static void detach(struct segment *seg)
{
    if (shmdt(seg->base) < 0)
        fail_errno("shmdt(shmid=%d)", seg->shmid);
    seg->base = NULL;
}

/* Refuses [offset, offset + len) unless it lies inside the segment; subtracts, never adds. */
static void check_range(const struct segment *seg, size_t offset, size_t len)
{
    if (offset > seg->size || len > seg->size - offset)
        fail_usage("offset %zu length %zu is outside the segment (size %zu)", offset, len, seg->size);
}

static size_t type_width(const char *type)
{
    if (strcmp(type, "u8") == 0)
        return 1;
    if (strcmp(type, "u16") == 0)
        return 2;
    if (strcmp(type, "u32") == 0 || strcmp(type, "i32") == 0 || strcmp(type, "f32") == 0)
        return 4;
    if (strcmp(type, "u64") == 0 || strcmp(type, "i64") == 0 || strcmp(type, "f64") == 0)
        return 8;
    fail_usage("unknown TYPE '%s' (u8 u16 u32 u64 i32 i64 f32 f64)", type);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        fail_errno("writing to stdout");
}

static void cmd_info(key_t key)
{
    struct segment seg = attach(key, 1);
    if (printf("shmid=%d size=%zu\n", seg.shmid, seg.size) < 0)
        fail_errno("printf");
    detach(&seg);
}

static void cmd_read(key_t key, size_t offset)
{
    struct segment seg = attach(key, 1);
    check_range(&seg, offset, 0);
    /* No NUL before the end of the segment: the string ends there, as jshm's getString does. */
    size_t len = strnlen((const char *)seg.base + offset, seg.size - offset);
    if (len > 0 && fwrite(seg.base + offset, 1, len, stdout) != len)
        fail_errno("fwrite");
    if (putchar('\n') == EOF)
        fail_errno("putchar");
    detach(&seg);
}

static void cmd_write(key_t key, size_t offset, const char *text, int argc, char **argv)
{
    size_t len = strlen(text) + 1;
    struct segment seg = attach(key, 0);
    check_range(&seg, offset, len);
    if (argc == 2) {
        size_t offset64 = parse_size(argv[0], "OFF64");
        uint64_t value = parse_u64(argv[1], "U64");
        check_range(&seg, offset64, sizeof(value));
        memcpy(seg.base + offset64, &value, sizeof(value));
    } else if (argc != 0) {
        fail_usage("write takes KEY OFFSET TEXT [OFF64 U64]");
    }
    memcpy(seg.base + offset, text, len);
    detach(&seg);
}

static void cmd_writex(key_t key, size_t offset, const char *hex)
{
    size_t digits = strlen(hex);
    if (digits % 2 != 0)
        fail_usage("HEX: odd number of digits");
    size_t len = digits / 2;
    struct segment seg = attach(key, 0);
    check_range(&seg, offset, len + 1);
    for (size_t i = 0; i < len; i++) {
        int high = hex_digit(hex[2 * i]);
        int low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0)
            fail_usage("HEX: not a hex digit at %zu", 2 * i);
        seg.base[offset + i] = (unsigned char)(high << 4 | low);
    }
    seg.base[offset + len] = '\0';
    detach(&seg);
}

static void cmd_get(key_t key, size_t offset, const char *type)
{
    size_t width = type_width(type);
    struct segment seg = attach(key, 1);
    check_range(&seg, offset, width);
    const unsigned char *at = seg.base + offset;
    int rc;
    /* memcpy: the offset need not be aligned for the type. */
    if (strcmp(type, "u8") == 0) {
        rc = printf("%u\n", (unsigned int)at[0]);
    } else if (strcmp(type, "u16") == 0) {
        uint16_t v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%" PRIu16 "\n", v);
    } else if (strcmp(type, "u32") == 0) {
        uint32_t v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%" PRIu32 "\n", v);
    } else if (strcmp(type, "i32") == 0) {
        int32_t v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%" PRId32 "\n", v);
    } else if (strcmp(type, "u64") == 0) {
        uint64_t v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%" PRIu64 "\n", v);
    } else if (strcmp(type, "i64") == 0) {
        int64_t v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%" PRId64 "\n", v);
    } else if (strcmp(type, "f32") == 0) {
        float v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%.9g\n", (double)v);
    } else {
        double v;
        memcpy(&v, at, sizeof(v));
        rc = printf("%.17g\n", v);
    }
    if (rc < 0)
        fail_errno("printf");
    detach(&seg);
}

static void cmd_put(key_t key, size_t offset, const char *type, const char *text)
{
    size_t width = type_width(type);
    unsigned char bytes[8];
    if (strcmp(type, "u8") == 0 || strcmp(type, "u16") == 0 || strcmp(type, "u32") == 0) {
        uint64_t v = parse_u64(text, "VALUE");
        if (width < 8 && v >> (8 * width) != 0)
            fail_usage("VALUE: %s does not fit in %s", text, type);
        uint8_t v8 = (uint8_t)v;
        uint16_t v16 = (uint16_t)v;
        uint32_t v32 = (uint32_t)v;
        memcpy(bytes, width == 1 ? (void *)&v8 : width == 2 ? (void *)&v16 : (void *)&v32, width);
    } else if (strcmp(type, "u64") == 0) {
        uint64_t v = parse_u64(text, "VALUE");
        memcpy(bytes, &v, width);
    } else if (strcmp(type, "i32") == 0) {
        int64_t v = parse_i64(text, "VALUE");
        if (v < INT32_MIN || v > INT32_MAX)
            fail_usage("VALUE: %s does not fit in i32", text);
        int32_t v32 = (int32_t)v;
        memcpy(bytes, &v32, width);
    } else if (strcmp(type, "i64") == 0) {
        int64_t v = parse_i64(text, "VALUE");
        memcpy(bytes, &v, width);
    } else if (strcmp(type, "f32") == 0) {
        float v = (float)parse_double(text, "VALUE");
        memcpy(bytes, &v, width);
    } else {
        double v = parse_double(text, "VALUE");
        memcpy(bytes, &v, width);
    }
    struct segment seg = attach(key, 0);
    check_range(&seg, offset, width);
    memcpy(seg.base + offset, bytes, width);
    detach(&seg);
}

static void cmd_dump(key_t key, size_t offset, size_t len)
{
    struct segment seg = attach(key, 1);
    check_range(&seg, offset, len);
    for (size_t i = 0; i < len; i++) {
        if (printf("%02x", (unsigned int)seg.base[offset + i]) < 0)
            fail_errno("printf");
    }
    if (putchar('\n') == EOF)
        fail_errno("putchar");
    detach(&seg);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        fail_usage("usage: sysv_peer info|read|write|writex|get|put|dump KEY ...");
    const char *command = argv[1];
    key_t key = parse_key(argv[2]);

    if (strcmp(command, "info") == 0 && argc == 3) {
        cmd_info(key);
    } else if (strcmp(command, "read") == 0 && argc == 4) {
        cmd_read(key, parse_size(argv[3], "OFFSET"));
    } else if (strcmp(command, "write") == 0 && argc >= 5) {
        cmd_write(key, parse_size(argv[3], "OFFSET"), argv[4], argc - 5, argv + 5);
    } else if (strcmp(command, "writex") == 0 && argc == 5) {
        cmd_writex(key, parse_size(argv[3], "OFFSET"), argv[4]);
    } else if (strcmp(command, "get") == 0 && argc == 5) {
        cmd_get(key, parse_size(argv[3], "OFFSET"), argv[4]);
    } else if (strcmp(command, "put") == 0 && argc == 6) {
        cmd_put(key, parse_size(argv[3], "OFFSET"), argv[4], argv[5]);
    } else if (strcmp(command, "dump") == 0 && argc == 5) {
        cmd_dump(key, parse_size(argv[3], "OFFSET"), parse_size(argv[4], "LEN"));
    } else {
        fail_usage("bad command or argument count: %s (see the comment at the top of sysv_peer.c)", command);
    }
    finish_output();
    return 0;
}
