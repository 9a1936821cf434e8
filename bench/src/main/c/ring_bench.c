/* One-way throughput of jshm's ring in C, between two processes, for the report's "Throughput"
 * group: the same ring (jshm_ring.c, the code C programs link) and the same measurement as
 * CrossProcess's Java and Agrona rows. A child process pinned to CPU 1 writes messages as fast as
 * the ring takes them, copying (jshm_ring_offer, way cRing) or zero-copy (jshm_ring_claim, 8
 * bytes written in place, jshm_ring_commit: way cRingZeroCopy); this process, pinned to CPU 0,
 * polls them with a handler that counts, spinning bare as the Java consumer does, and times the
 * block of messages that follows the warm-up blocks. Ring capacity (1 MiB), block (see
 * block_of), 4 warm-up blocks and sizes (32, 256, 4096 bytes) are CrossProcess's. Each round runs
 * every way and size once; prints one JSON records document on stdout, as baseline.c does.
 *
 *   ring_bench quick|full
 *
 * Built with the C core: gcc -O2 -Isrc/main/c bench/src/main/c/ring_bench.c src/main/c/jshm_ring.c
 * src/main/c/jshm_sync.c */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jshm_ring.h"
#include "bench_proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAPACITY (1u << 20)
#define WARM_BLOCKS 4
#define ROUNDS 5

static const int SIZES[] = {32, 256, 4096};
#define NSIZES ((int)(sizeof SIZES / sizeof SIZES[0]))

static void die(const char *what, int rc)
{
    fprintf(stderr, "ring_bench: %s failed: %d (%s)\n", what, rc, strerror(rc < 0 ? -rc : errno));
    exit(1);
}

static void count_message(int32_t type, const void *message, size_t length, void *arg)
{
    (void)type;
    (void)message;
    (void)length;
    ++*(long *)arg;
}

/* The child: attaches, then writes `total` messages of `size` bytes. */
static void produce(void *memory, size_t size_of_memory, long total, int size, int zero_copy)
{
    struct jshm_ring ring;
    int rc = jshm_ring_attach(&ring, memory, size_of_memory);
    if (rc < 0)
        die("jshm_ring_attach", rc);
    char message[4096];
    memset(message, 7, sizeof message);
    for (long i = 0; i < total; i++) {
        if (zero_copy) {
            void *payload;
            int64_t index;
            while ((index = jshm_ring_claim(&ring, 1, (size_t)size, &payload)) == -EAGAIN) {
                /* full: spin */
            }
            if (index < 0)
                die("jshm_ring_claim", (int)index);
            memcpy(payload, &i, sizeof i);
            if ((rc = jshm_ring_commit(&ring, index)) < 0)
                die("jshm_ring_commit", rc);
        } else {
            memcpy(message, &i, sizeof i);
            while ((rc = jshm_ring_offer(&ring, 1, message, (size_t)size)) == -EAGAIN) {
                /* full: spin */
            }
            if (rc < 0)
                die("jshm_ring_offer", rc);
        }
    }
}

/* Messages per second over the block after the warm-up blocks. */
static double throughput(void *memory, size_t size_of_memory, long block, int size, int zero_copy)
{
    struct jshm_ring ring;
    int rc = jshm_ring_create(&ring, memory, size_of_memory, CAPACITY, JSHM_RING_SINGLE_PRODUCER);
    if (rc < 0)
        die("jshm_ring_create", rc);
    long total = block * (WARM_BLOCKS + 1);
    pid_t child = fork_spinner("ring_bench");
    if (child == 0) {
        pin("ring_bench", 1);
        produce(memory, size_of_memory, total, size, zero_copy);
        _exit(0);
    }
    long received = 0;
    double rate = 0;
    for (int b = 0; b <= WARM_BLOCKS; b++) {
        long target = (b + 1) * block;
        double start = now_ns();
        while (received < target) {
            long left = target - received;
            rc = jshm_ring_poll(&ring, count_message, &received, left > 1 << 30 ? 1 << 30 : (int)left);
            if (rc < 0)
                die("jshm_ring_poll", rc);
        }
        rate = (double)block / ((now_ns() - start) / 1e9);
    }
    int status;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the producer process", -ECHILD);
    return rate;
}

/* Messages per block, CrossProcess.block(size): 10 M in the full suite; 2 M in the quick one, and
 * at most 2 GiB of payload. */
static long block_of(int quick, int size)
{
    long capped = (2L << 30) / size;
    return !quick ? 10000000L : capped < 2000000L ? capped : 2000000L;
}

int main(int argc, char **argv)
{
    int quick = !(argc > 1 && strcmp(argv[1], "full") == 0);
    size_t size_of_memory = jshm_ring_required_size(CAPACITY);
    void *memory = mmap(NULL, size_of_memory, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        die("mmap", -errno);
    pin("ring_bench", 0);
    double copying[NSIZES][ROUNDS], zero_copy[NSIZES][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        for (int s = 0; s < NSIZES; s++) {
            long block = block_of(quick, SIZES[s]);
            copying[s][r] = throughput(memory, size_of_memory, block, SIZES[s], 0);
            zero_copy[s][r] = throughput(memory, size_of_memory, block, SIZES[s], 1);
        }
    }
    printf("{\"tool\": \"ring_bench.c\", \"mode\": \"%s\", \"records\": [", quick ? "quick" : "full");
    for (int s = 0; s < NSIZES; s++) {
        char param[16];
        snprintf(param, sizeof param, "%d", SIZES[s]);
        emit("Throughput", "oneWay", param, "cRing", "msg/s", copying[s], ROUNDS);
        emit("Throughput", "oneWay", param, "cRingZeroCopy", "msg/s", zero_copy[s], ROUNDS);
    }
    printf("\n]}\n");
    munmap(memory, size_of_memory);
    return 0;
}
