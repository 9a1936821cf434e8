/* What the C benchmarks (baseline.c, lock_bench.c, ring_bench.c) share: the clock, pinning,
 * children that spin for their parent, and the JSON records they print. Each failure exits the
 * program with its name and errno. */
#ifndef JSHM_BENCH_PROC_H
#define JSHM_BENCH_PROC_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC in nanoseconds, what System.nanoTime() reads. */
static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline void exit_failed(const char *program, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", program, what, strerror(errno));
    exit(1);
}

/* Pins the calling process to `cpu`. */
static inline void pin(const char *program, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0)
        exit_failed(program, "sched_setaffinity");
}

/* fork() for a child that spins on shared memory its parent writes: the child dies with the
 * parent (and leaves at once if the parent is already gone), instead of spinning for ever on a
 * pinned core when the parent failed or was killed. Returns 0 in the child, its pid in the parent. */
static inline pid_t fork_spinner(const char *program)
{
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0)
        exit_failed(program, "fork");
    if (child == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
        _exit(1);
    return child;
}

/* Prints one record of the report's JSON ("records" array, after the document's opening that the
 * program prints): group, operation, parameter and way as the Java benchmarks name them, so that
 * rows line up, and one sample per repetition. */
static inline void emit(const char *group, const char *op, const char *param, const char *way,
                        const char *unit, const double *samples, int n)
{
    static int first_record = 1;
    printf("%s\n    {\"group\": \"%s\", \"op\": \"%s\", \"param\": \"%s\", \"way\": \"%s\", \"unit\": \"%s\", \"samples\": [",
           first_record ? "" : ",", group, op, param, way, unit);
    for (int i = 0; i < n; i++)
        printf("%s%.4f", i ? ", " : "", samples[i]);
    printf("]}");
    first_record = 0;
    fflush(stdout);
}

#endif
