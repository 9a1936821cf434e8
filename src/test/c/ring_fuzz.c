/*
 * A fuzz driver for the C ring (jshm_ring.c), run by `make asan` under AddressSanitizer and
 * UBSan: a producer handle and a consumer handle share one ring whose memory is allocated to the
 * byte (so one byte past it is a reported overflow), and between their operations the driver
 * writes random and adversarial values anywhere in the ring, as a corrupt or hostile peer could.
 *
 * Forbidden outcomes: any access outside the ring (ASan), undefined behaviour (UBSan), a call
 * that does not return (the run is bounded; `make asan` runs it under `timeout`), a result
 * outside the documented set, or -EBADMSG without corrupt_field set.
 *
 *   ring_fuzz [seeds=200] [steps=3000]
 * Prints "ring_fuzz: N seeds x M steps, K corruptions reported" and exits 0, or aborts.
 */
#include "jshm_ring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t state;

static uint64_t next(void)
{
    /* xorshift64*: reproducible from the seed. */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * UINT64_C(2685821657736338717);
}

static uint32_t below(uint32_t bound)
{
    return (uint32_t)(next() % bound);
}

static void fail(const char *what, long long rc, unsigned seed, int step)
{
    fprintf(stderr, "ring_fuzz: seed %u step %d: %s (rc %lld)\n", seed, step, what, rc);
    abort();
}

/* A value a hostile peer would choose for a field of the ring. */
static int64_t adversarial(uint32_t capacity)
{
    static const int64_t edges[] = {0, 1, -1, 4, 7, 8, -8, 12, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX,
                                    -2147483647 - 1 + 8, 1024, 4096};
    switch (below(4)) {
    case 0:
        return edges[below(sizeof edges / sizeof edges[0])];
    case 1:
        return (int64_t)capacity + (int64_t)below(17) - 8;
    case 2:
        return -(int64_t)below(capacity + 16);
    default:
        return (int64_t)next();
    }
}

static void scribble(uint8_t *memory, size_t size, uint32_t capacity)
{
    int64_t value = adversarial(capacity);
    size_t width = (size_t)1 << below(4); /* 1, 2, 4 or 8 bytes */
    size_t offset;
    if (below(2) == 0) {
        /* A header field the protocol reads: tail, head_cache, head, futex, sleepers. */
        static const size_t fields[] = {128, 136, 256, 384, 388};
        offset = fields[below(5)];
        if (width < 4)
            width = offset == 384 || offset == 388 ? 4 : 8;
        if (offset >= 384 && width > 4)
            width = 4;
    } else {
        offset = JSHM_RING_HEADER_LENGTH + below(capacity);
    }
    if (offset + width > size)
        offset = size - width;
    memcpy(memory + offset, &value, width);
}

static uint64_t checksum;

static void handler(int32_t type, const void *message, size_t length, void *arg)
{
    (void)arg;
    const uint8_t *bytes = message;
    checksum += (uint64_t)type;
    for (size_t i = 0; i < length; i++)
        checksum += bytes[i];
}

static int known(int rc, int also)
{
    return rc == -EBADMSG || rc == -EAGAIN || rc == also;
}

static int64_t reported;

static void check_bad(const struct jshm_ring *ring, long long rc, unsigned seed, int step)
{
    if (rc == -EBADMSG) {
        if (ring->corrupt_field == NULL)
            fail("-EBADMSG without corrupt_field", rc, seed, step);
        reported++;
    }
}

static void run(unsigned seed, int steps)
{
    state = UINT64_C(0x9E3779B97F4A7C15) * (seed + 1);
    uint32_t capacity = 1024u << below(3);
    size_t size = jshm_ring_required_size(capacity);
    uint8_t *memory = aligned_alloc(64, size);
    if (memory == NULL)
        fail("out of memory", 0, seed, 0);
    struct jshm_ring producer, consumer;
    uint32_t flags = below(2) ? JSHM_RING_MANY_PRODUCERS : JSHM_RING_SINGLE_PRODUCER;
    int rc = jshm_ring_create(&producer, memory, size, capacity, flags);
    if (rc != 0 || jshm_ring_attach(&consumer, memory, size) != 0)
        fail("create/attach", rc, seed, 0);
    uint8_t payload[1024];
    memset(payload, 0xA5, sizeof payload);

    for (int step = 0; step < steps; step++) {
        if (step % 500 == 499) {
            /* Start over now and then, so that most steps run on a ring only lightly damaged. */
            rc = jshm_ring_create(&producer, memory, size, capacity, flags);
            if (rc != 0 || jshm_ring_attach(&consumer, memory, size) != 0)
                fail("re-create", rc, seed, step);
        }
        uint32_t op = below(10);
        if (op == 0 && below(4) == 0) {
            scribble(memory, size, capacity);
        } else if (op < 5) {
            size_t length = below(producer.max_message_length + 1);
            rc = jshm_ring_offer(&producer, 1 + (int32_t)below(5), payload, length);
            if (!known(rc, 0))
                fail("offer", rc, seed, step);
            check_bad(&producer, rc, seed, step);
        } else if (op < 7) {
            size_t length = below(producer.max_message_length + 1);
            void *where = NULL;
            int64_t index = jshm_ring_claim(&producer, 3, length, &where);
            if (index < 0) {
                if (!known((int)index, 0))
                    fail("claim", index, seed, step);
                check_bad(&producer, index, seed, step);
                continue;
            }
            memset(where, 0x5A, length); /* in place: ASan checks the claim is inside the ring */
            if (below(4) == 0)
                scribble(memory, size, capacity);
            rc = below(5) == 0 ? jshm_ring_abort(&producer, index) : jshm_ring_commit(&producer, index);
            if (rc != 0 && rc != -EINVAL && rc != -EBADMSG)
                fail("commit/abort", rc, seed, step);
            check_bad(&producer, rc, seed, step);
        } else if (op < 9) {
            rc = jshm_ring_poll(&consumer, handler, NULL, 1 + (int)below(64));
            if (rc < 0 && rc != -EBADMSG)
                fail("poll", rc, seed, step);
            check_bad(&consumer, rc, seed, step);
        } else {
            rc = jshm_ring_wait(&consumer, 0);
            if (rc != 0 && rc != 1 && rc != -EBADMSG)
                fail("wait", rc, seed, step);
            check_bad(&consumer, rc, seed, step);
        }
        if (below(64) == 0) {
            /* A peer that re-attaches sees whatever the header holds now. */
            struct jshm_ring again;
            rc = jshm_ring_attach(&again, memory, size);
            if (rc != 0 && rc != -EBADMSG && rc != -ENODATA && rc != -EPROTONOSUPPORT && rc != -ERANGE)
                fail("attach", rc, seed, step);
        }
    }
    free(memory);
}

/*
 * A poll that finds a claim at the head pauses in proportion to the claimed length; a corrupt
 * length of INT32_MIN would ask for 2^23 pauses each poll without the cap.
 */
static void poll_facing_a_huge_claim_returns_at_once(void)
{
    uint32_t capacity = 4096;
    size_t size = jshm_ring_required_size(capacity);
    uint8_t *memory = aligned_alloc(64, size);
    struct jshm_ring producer, consumer;
    if (memory == NULL || jshm_ring_create(&producer, memory, size, capacity, JSHM_RING_SINGLE_PRODUCER) != 0
        || jshm_ring_attach(&consumer, memory, size) != 0)
        fail("huge claim: create/attach", 0, 0, 0);
    void *where = NULL;
    int64_t index = jshm_ring_claim(&producer, 1, 8, &where);
    if (index < 0)
        fail("huge claim: claim", index, 0, 0);
    int32_t claim = INT32_MIN;
    memcpy((uint8_t *)where - 8, &claim, sizeof claim); /* the claim header, before the payload */
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < 100; i++) {
        int rc = jshm_ring_poll(&consumer, handler, NULL, 10);
        if (rc != 0)
            fail("huge claim: poll", rc, 0, i);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    if (seconds > 1.0)
        fail("huge claim: 100 polls took over a second", (long long)(seconds * 1e3), 0, 0);
    free(memory);
}

int main(int argc, char **argv)
{
    unsigned seeds = 200;
    int steps = 3000;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "seeds=", 6) == 0)
            seeds = (unsigned)strtoul(argv[i] + 6, NULL, 10);
        else if (strncmp(argv[i], "steps=", 6) == 0)
            steps = atoi(argv[i] + 6);
        else {
            fprintf(stderr, "usage: ring_fuzz [seeds=N] [steps=M]\n");
            return 2;
        }
    }
    poll_facing_a_huge_claim_returns_at_once();
    for (unsigned seed = 0; seed < seeds; seed++)
        run(seed, steps);
    printf("ring_fuzz: %u seeds x %d steps, %lld corruptions reported, checksum %llu\n", seeds, steps,
           (long long)reported, (unsigned long long)checksum);
    return reported > 0 ? 0 : 1;
}
