/*
 * A C process on the other side of a jshm ring, for the Java tests (dev.jshm.ring.Ring*Test).
 * Built by the tests with gcc from this file and the C core (src/main/c, without the JNI glue).
 *
 *   ring_peer produce name=/obj [offset=0] count=N|-1 [type=1] [first=0] [report=OFF] [claim=1] [hold=NS]
 *       writes N test messages (-1: until killed) of type `type`, sequence numbers from `first`;
 *       with report=OFF, stores the last committed sequence number (int64, release) at OFF in
 *       the object after every commit; claim=1 writes in place with claim/commit, and hold=NS
 *       then spins NS nanoseconds between the claim and the commit (a slow writer, which a kill
 *       is likely to catch half way).
 *   ring_peer consume name=/obj [offset=0] count=N [producers=1] [first=0] [wait=MS]
 *       reads N messages and checks every one: type in [1, producers], sequence numbers per
 *       type consecutive from `first`, length and checksum; wait=MS blocks on the futex when the
 *       ring is empty, for at most MS milliseconds per wait (a long one proves the producer wakes it).
 *   ring_peer attach name=/obj [offset=0]      prints the attach result and the header fields
 *   ring_peer create name=/obj [offset=0] capacity=C [flags=F]
 *
 * Prints one line at the end ("produced N", "consumed N ...") and exits 0, or prints
 * "error: ..." to stderr and exits 1. Exits by itself when its parent dies.
 *
 * The test message (the same as RingTestMessages.java):
 *   length   12 + mix % 53, or 12 + mix % 1000 for every 1000th sequence number, where
 *            mix = (seq * 0x9E3779B97F4A7C15) >> 40
 *   [0, 8)   seq, int64, host order
 *   [8, L-4) byte i (from 0) = (uint8)(seq * 31 + i * 7)
 *   [L-4, L) FNV-1a 32 of bytes [0, L-4), host order
 */
#include "jshm.h"
#include "jshm_ring.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PRODUCERS 64

static uint32_t message_length(int64_t seq)
{
    uint32_t mix = (uint32_t)(((uint64_t)seq * UINT64_C(0x9E3779B97F4A7C15)) >> 40);
    return seq % 1000 == 999 ? 12 + mix % 1000 : 12 + mix % 53;
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811C9DC5u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x01000193u;
    }
    return h;
}

static void fill_message(uint8_t *p, int64_t seq, uint32_t length)
{
    memcpy(p, &seq, 8);
    for (uint32_t i = 0; i < length - 12; i++)
        p[8 + i] = (uint8_t)((uint64_t)seq * 31 + i * 7);
    uint32_t sum = fnv1a(p, length - 4);
    memcpy(p + length - 4, &sum, 4);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "error: %s: %d (%s)\n", what, rc, rc < 0 ? strerror(-rc) : "");
    exit(1);
}

static const char *arg(int argc, char **argv, const char *key, const char *fallback)
{
    size_t n = strlen(key);
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
    if (fallback == NULL) {
        fprintf(stderr, "error: missing %s=\n", key);
        exit(2);
    }
    return fallback;
}

static int64_t num(int argc, char **argv, const char *key, const char *fallback)
{
    return strtoll(arg(argc, argv, key, fallback), NULL, 0);
}

static uint8_t *map_object(const char *name, size_t *size)
{
    int fd = jshm_posix_open(name, 0, 0);
    if (fd < 0)
        die("open", fd);
    struct jshm_file_stat st;
    int rc = jshm_file_stat(fd, &st);
    if (rc < 0)
        die("fstat", rc);
    void *addr = NULL;
    rc = jshm_map(fd, 0, (size_t)st.size, 0, &addr);
    if (rc < 0)
        die("mmap", rc);
    jshm_close_fd(fd);
    *size = (size_t)st.size;
    return addr;
}

static const char *attach_error(int rc)
{
    switch (-rc) {
    case 0: return "none";
    case EINVAL: return "EINVAL";
    case ERANGE: return "ERANGE";
    case ENODATA: return "ENODATA";
    case EBADMSG: return "EBADMSG";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    default: return "other";
    }
}

static pid_t parent;

/* The tests kill us, or stop waiting for us; never outlive them. */
static void exit_if_orphaned(uint64_t iteration)
{
    if ((iteration & 0xFFF) == 0 && getppid() != parent) {
        fprintf(stderr, "error: parent died\n");
        exit(1);
    }
}

static int produce(int argc, char **argv, struct jshm_ring *ring, uint8_t *base, size_t size)
{
    int64_t count = num(argc, argv, "count", NULL);
    int32_t type = (int32_t)num(argc, argv, "type", "1");
    int64_t seq = num(argc, argv, "first", "0");
    int64_t report = num(argc, argv, "report", "-1");
    int in_place = (int)num(argc, argv, "claim", "0");
    int64_t hold = num(argc, argv, "hold", "0");
    if (report >= 0 && (!JSHM_RANGE_OK(report, 8, size) || report % 8 != 0))
        die("report offset", -ERANGE);
    _Atomic int64_t *reported = report >= 0 ? (_Atomic int64_t *)(void *)(base + report) : NULL;
    uint8_t message[1100];
    uint64_t spins = 0;
    for (int64_t n = 0; count < 0 || n < count; n++, seq++) {
        uint32_t length = message_length(seq);
        int rc;
        for (;;) {
            if (in_place) {
                void *payload = NULL;
                int64_t index = jshm_ring_claim(ring, type, length, &payload);
                if (index >= 0) {
                    fill_message(payload, seq, length);
                    if (hold > 0) {
                        struct timespec t0, t1;
                        clock_gettime(CLOCK_MONOTONIC, &t0);
                        do
                            clock_gettime(CLOCK_MONOTONIC, &t1);
                        while ((t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec) < hold);
                    }
                    rc = jshm_ring_commit(ring, index);
                    if (rc < 0)
                        die("commit", rc);
                    break;
                }
                rc = (int)index;
            } else {
                fill_message(message, seq, length);
                rc = jshm_ring_offer(ring, type, message, length);
                if (rc == 0)
                    break;
            }
            if (rc != -EAGAIN)
                die("offer", rc);
            exit_if_orphaned(++spins);
            if ((spins & 0x3F) == 0)
                sched_yield();
        }
        if (reported != NULL)
            atomic_store_explicit(reported, seq, memory_order_release);
        exit_if_orphaned(++spins);
    }
    printf("produced %" PRId64 "\n", count);
    return 0;
}

struct checker {
    int producers;
    int64_t expected[MAX_PRODUCERS + 1];
    int64_t received;
    const char *failure;
    char detail[200];
};

static void check_message(int32_t type, const void *message, size_t length, void *arg)
{
    struct checker *c = arg;
    if (c->failure != NULL)
        return;
    const uint8_t *p = message;
    int64_t seq = -1;
    if (type < 1 || type > c->producers) {
        c->failure = "type";
    } else if (length < 12) {
        c->failure = "short";
    } else {
        memcpy(&seq, p, 8);
        uint32_t sum;
        memcpy(&sum, p + length - 4, 4);
        if (seq != c->expected[type])
            c->failure = "sequence";
        else if (length != message_length(seq))
            c->failure = "length";
        else if (sum != fnv1a(p, length - 4))
            c->failure = "checksum";
    }
    if (c->failure != NULL) {
        snprintf(c->detail, sizeof c->detail, "type=%d seq=%" PRId64 " expected=%" PRId64 " length=%zu",
                 (int)type, seq, type >= 1 && type <= c->producers ? c->expected[type] : -1, length);
        return;
    }
    c->expected[type]++;
    c->received++;
}

static int consume(int argc, char **argv, struct jshm_ring *ring)
{
    int64_t count = num(argc, argv, "count", NULL);
    int64_t wait_ms = num(argc, argv, "wait", "0");
    struct checker c;
    memset(&c, 0, sizeof c);
    c.producers = (int)num(argc, argv, "producers", "1");
    if (c.producers < 1 || c.producers > MAX_PRODUCERS)
        die("producers", -EINVAL);
    int64_t first = num(argc, argv, "first", "0");
    for (int i = 1; i <= c.producers; i++)
        c.expected[i] = first;
    uint64_t idle = 0;
    while (c.received < count) {
        int64_t left = count - c.received;
        int n = jshm_ring_poll(ring, check_message, &c, left < 4096 ? (int)left : 4096);
        if (n < 0)
            die("poll", n);
        if (c.failure != NULL) {
            fprintf(stderr, "error: bad message (%s): %s after %" PRId64 " good ones\n", c.failure, c.detail,
                    c.received);
            return 1;
        }
        if (n > 0) {
            idle = 0;
            continue;
        }
        exit_if_orphaned(++idle);
        if (wait_ms > 0) {
            int rc = jshm_ring_wait(ring, wait_ms * 1000 * 1000);
            if (rc < 0)
                die("wait", rc);
        } else if ((idle & 0x3F) == 0) {
            sched_yield();
        }
    }
    printf("consumed %" PRId64 "\n", c.received);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ring_peer produce|consume|attach|create key=value...\n");
        return 2;
    }
    parent = getppid();
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argv[1];
    size_t size = 0;
    uint8_t *base = map_object(arg(argc, argv, "name", NULL), &size);
    int64_t offset = num(argc, argv, "offset", "0");
    if (offset < 0 || (size_t)offset > size)
        die("offset", -ERANGE);
    struct jshm_ring ring;
    if (strcmp(mode, "create") == 0) {
        int rc = jshm_ring_create(&ring, base + offset, size - (size_t)offset,
                                  (uint32_t)num(argc, argv, "capacity", NULL),
                                  (uint32_t)num(argc, argv, "flags", "0"));
        if (rc < 0)
            die("create", rc);
        printf("created capacity=%u flags=%u\n", ring.capacity, ring.flags);
        return 0;
    }
    int rc = jshm_ring_attach(&ring, base + offset, size - (size_t)offset);
    if (strcmp(mode, "attach") == 0) {
        printf("attach rc=%d error=%s", rc, attach_error(rc));
        if (rc == 0)
            printf(" capacity=%u max=%u flags=%u", ring.capacity, ring.max_message_length, ring.flags);
        printf("\n");
        return 0;
    }
    if (rc < 0)
        die("attach", rc);
    if (strcmp(mode, "produce") == 0)
        return produce(argc, argv, &ring, base, size);
    if (strcmp(mode, "consume") == 0)
        return consume(argc, argv, &ring);
    fprintf(stderr, "error: unknown mode %s\n", mode);
    return 2;
}
