/* The physical limit: the operations the Java benchmarks measure, done from C with gcc -O2,
 * timed with clock_gettime over many iterations. Prints one JSON document on stdout that the
 * report merges with JMH's; progress goes to stderr.
 *
 *   baseline quick|full [PARTS [REPS]]
 *
 * PARTS is a comma-separated list of parts (clock, access8, copies, lifecycle, first-touch,
 * ping-pong, probe, futex, futex-calls), all by default; REPS overrides the number of
 * repetitions. The two-process harness runs "ping-pong" and "futex" with REPS 1 once per round,
 * between its Java ways, and "probe" before and after each Java way.
 *
 * Every record: {"group","op","param","way","unit","samples":[one value per repetition]}.
 * Groups, operations and ways are named as in the Java benchmarks (class minus "Bench",
 * method "<op>_<way>") so that rows line up. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_proc.h"

#define PAGE 4096
/* Stops the compiler from merging or dropping repeated memory operations across iterations. */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

static int reps = 5;
static int quick = 1;

static void die(const char *what)
{
    exit_failed("baseline", what);
}

static void *shm_new(size_t size, int *id_out)
{
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    if (id < 0)
        die("shmget");
    void *p = shmat(id, NULL, 0);
    if (p == (void *)-1)
        die("shmat");
    shmctl(id, IPC_RMID, NULL);
    if (id_out)
        *id_out = id;
    return p;
}

static void touch(void *p, size_t size)
{
    for (size_t i = 0; i < size; i += 512)
        ((volatile char *)p)[i] = 1;
}

/* ---- 8-byte access ------------------------------------------------------------------------ */

typedef void (*op_fn)(long *p, long n);

static void op_get_plain(long *p, long n)
{
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += *(volatile long *)p;
    }
    __asm__ __volatile__("" : : "r"(s));
}

static void op_put_plain(long *p, long n)
{
    for (long i = 0; i < n; i++)
        *(volatile long *)p = i;
}

static void op_get_volatile(long *p, long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += __atomic_load_n(p, __ATOMIC_SEQ_CST);
    __asm__ __volatile__("" : : "r"(s));
}

static void op_put_release(long *p, long n)
{
    for (long i = 0; i < n; i++)
        __atomic_store_n(p, i, __ATOMIC_RELEASE);
}

static void op_put_volatile(long *p, long n)
{
    for (long i = 0; i < n; i++)
        __atomic_store_n(p, i, __ATOMIC_SEQ_CST);
}

static void op_cas(long *p, long n)
{
    *p = 0;
    for (long i = 0; i < n; i++) {
        long e = i;
        __atomic_compare_exchange_n(p, &e, i + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

static void op_get_and_add(long *p, long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
    __asm__ __volatile__("" : : "r"(s));
}

static void bench_access8(void)
{
    static const struct { const char *op; op_fn fn; } ops[] = {
        {"getPlain", op_get_plain}, {"putPlain", op_put_plain},
        {"getVolatile", op_get_volatile}, {"putRelease", op_put_release},
        {"putVolatile", op_put_volatile}, {"cas", op_cas}, {"getAndAdd", op_get_and_add},
    };
    char *mem = shm_new(PAGE, NULL);
    touch(mem, PAGE);
    long *p = (long *)(mem + 64);
    long n = quick ? 50000000L : 200000000L;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        double s[64];
        ops[k].fn(p, n / 10);
        for (int r = 0; r < reps; r++) {
            double t = now_ns();
            ops[k].fn(p, n);
            s[r] = (now_ns() - t) / (double)n;
        }
        emit("Access8", ops[k].op, "", "c", "ns/op", s, reps);
    }
    shmdt(mem);
}

/* The clock's step: the largest s (in ns, up to 100) such that 99% of the differences between
 * back-to-back readings lie within 1 ns of a multiple of s. On some VMs the time stamp counter
 * itself advances by tens of cycles at a time (26 at 2.6 GHz, so 10 ns, on the AMD EPYC VMs of
 * docs/bench), and every latency sample, in C and in Java, then falls on that grid. A clock finer
 * than the differences between readings can tell reads as 3 or less: a 1 ns tolerance fits every
 * difference to steps of 1, 2 and 3. */
static double clock_step(void)
{
    enum { N = 100000 };
    static long delta[N];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < N; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        delta[i] = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
        a = b;
    }
    for (long step = 100; step > 1; step--) {
        long fit = 0;
        for (int i = 0; i < N; i++) {
            long rest = delta[i] % step;
            fit += rest <= 1 || rest >= step - 1;
        }
        if (fit >= N / 100 * 99)
            return (double)step;
    }
    return 1;
}

/* What one timestamp costs: the Java and C latency tests take one or two per message, and the
 * ring's heartbeats take one per offer and per poll. */
static void bench_clock(void)
{
    struct timespec ts;
    long n = 2000000;
    double s[64];
    for (int r = 0; r < reps; r++) {
        double t = now_ns();
        for (long i = 0; i < n; i++)
            clock_gettime(CLOCK_MONOTONIC, &ts);
        s[r] = (now_ns() - t) / (double)n;
    }
    emit("Clock", "clock_gettime", "", "c", "ns/op", s, reps);
    double step[64];
    for (int r = 0; r < reps; r++)
        step[r] = clock_step();
    emit("Clock", "step", "", "c", "ns", step, reps);
}

/* ---- copies --------------------------------------------------------------------------------- */

/* The size is read through a volatile so gcc calls memcpy as JNI's array-region copy does,
 * instead of inlining a copy of a known length. */
static double time_copy(char *dst, const char *src, size_t size, long n)
{
    volatile size_t vsize = size;
    double t = now_ns();
    for (long i = 0; i < n; i++) {
        memcpy(dst, src, vsize);
        BARRIER();
    }
    return (now_ns() - t) / (double)n;
}

/* Where the buffer's side of a copy starts, call after call: eight places, one in each eighth
 * of a page and each at another 8-byte place of a cache line (0, 520, ..., 3640): the mix the
 * Java copies see from their arrays (ArrayOffsets.java). */
#define COPY_PLACES 8
#define COPY_STEP (PAGE / COPY_PLACES + 8)
#define COPY_SLACK ((COPY_PLACES - 1) * COPY_STEP)

/* time_copy between shared memory (at its offset 0) and a buffer (size + COPY_SLACK bytes), in
 * the direction to_mem says, with the buffer's side at each of the COPY_PLACES places in turn. */
static double time_copy_mixed(char *mem, char *buf, int to_mem, size_t size, long n)
{
    volatile size_t vsize = size;
    double t = now_ns();
    for (long i = 0; i < n; i++) {
        char *at = buf + (size_t)(i & (COPY_PLACES - 1)) * COPY_STEP;
        if (to_mem)
            memcpy(mem, at, vsize);
        else
            memcpy(at, mem, vsize);
        BARRIER();
    }
    return (now_ns() - t) / (double)n;
}

/* As CopyBench.MAPPINGS: up to 1 MiB, each repetition copies from the next of this many
 * memories, so that no memory's place in the address space decides the median. */
#define COPY_MAPPINGS 5

static void bench_copies(void)
{
    static const size_t sizes[] = {64, 4096, 65536, 1048576, 67108864};
    int count = quick ? 4 : 5;
    for (int k = 0; k < count; k++) {
        size_t size = sizes[k];
        int mappings = size <= 1048576 ? COPY_MAPPINGS : 1;
        char *mems[COPY_MAPPINGS];
        for (int m = 0; m < mappings; m++) {
            mems[m] = shm_new(size, NULL);
            touch(mems[m], size);
        }
        char *buf = aligned_alloc(64, size + COPY_SLACK);
        touch(buf, size + COPY_SLACK);
        long n = (long)((quick ? 256.0 : 1024.0) * 1048576.0 / (double)size);
        if (n < 8)
            n = 8;
        if (n > 5000000)
            n = 5000000;
        char param[32];
        snprintf(param, sizeof param, "%zu", size);
        double rd[64], wr[64];
        for (int m = 0; m < mappings; m++)
            time_copy_mixed(mems[m], buf, 0, size, n / 4 + 1);
        for (int r = 0; r < reps; r++) {
            char *mem = mems[r % mappings];
            rd[r] = time_copy_mixed(mem, buf, 0, size, n);
            wr[r] = time_copy_mixed(mem, buf, 1, size, n);
        }
        emit("Copy", "read", param, "cMemcpy", "ns/op", rd, reps);
        emit("Copy", "write", param, "cMemcpy", "ns/op", wr, reps);
        free(buf);
        for (int m = 0; m < mappings; m++)
            shmdt(mems[m]);
    }
    /* The work behind an 8-byte JNI read or write. */
    char *mem = shm_new(PAGE, NULL);
    char buf[64];
    touch(mem, PAGE);
    double rd[64], wr[64];
    for (int r = 0; r < reps; r++) {
        rd[r] = time_copy(buf, mem + 64, 8, 20000000);
        wr[r] = time_copy(mem + 64, buf, 8, 20000000);
    }
    emit("Jni", "read8", "", "cMemcpy", "ns/op", rd, reps);
    emit("Jni", "write8", "", "cMemcpy", "ns/op", wr, reps);
    shmdt(mem);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static void sysv_cycle(size_t size)
{
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0)
        die("shmget");
    void *p = shmat(id, NULL, 0);
    if (p == (void *)-1)
        die("shmat");
    shmdt(p);
    shmctl(id, IPC_RMID, NULL);
}

static int sysv_existing = -1;

static void sysv_attach(size_t size)
{
    (void)size;
    void *p = shmat(sysv_existing, NULL, 0);
    if (p == (void *)-1)
        die("shmat");
    shmdt(p);
}

static char posix_name[64], file_name[128], posix_existing[64], file_existing[128];

static void map_cycle(int fd, size_t size, int reserve)
{
    if (ftruncate(fd, (off_t)size) < 0)
        die("ftruncate");
    if (reserve && posix_fallocate(fd, 0, (off_t)size) != 0)
        die("posix_fallocate");
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    close(fd);
    munmap(p, size);
}

static void map_attach(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        die("fstat");
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    close(fd);
    munmap(p, (size_t)st.st_size);
}

static void posix_cycle(size_t size)
{
    int fd = shm_open(posix_name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0)
        die("shm_open");
    map_cycle(fd, size, 0);
    shm_unlink(posix_name);
}

/* What PosixSegment.create does by default: the memory is reserved at create (posix_fallocate),
 * so a full /dev/shm fails there and not with SIGBUS at the first touch. */
static void posix_reserved_cycle(size_t size)
{
    int fd = shm_open(posix_name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0)
        die("shm_open");
    map_cycle(fd, size, 1);
    shm_unlink(posix_name);
}

static void posix_attach(size_t size)
{
    (void)size;
    int fd = shm_open(posix_existing, O_RDWR, 0);
    if (fd < 0)
        die("shm_open");
    map_attach(fd);
}

static void file_cycle(size_t size)
{
    int fd = open(file_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        die("open");
    map_cycle(fd, size, 0);
    unlink(file_name);
}

static void file_attach(size_t size)
{
    (void)size;
    int fd = open(file_existing, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("open");
    map_attach(fd);
}

static void bench_lifecycle(void)
{
    static const struct { const char *op; void (*fn)(size_t); } ops[] = {
        {"sysvCycle", sysv_cycle}, {"posixCycle", posix_cycle},
        {"posixReservedCycle", posix_reserved_cycle}, {"fileCycle", file_cycle},
        {"sysvAttach", sysv_attach}, {"posixAttach", posix_attach}, {"fileAttach", file_attach},
    };
    const size_t size = 65536;
    sysv_existing = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    int fd = shm_open(posix_existing, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (sysv_existing < 0 || fd < 0 || ftruncate(fd, (off_t)size) < 0)
        die("lifecycle set-up");
    close(fd);
    fd = open(file_existing, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        die("lifecycle set-up");
    close(fd);
    long n = quick ? 3000 : 20000;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        double s[64];
        for (long i = 0; i < n / 10; i++)
            ops[k].fn(size);
        for (int r = 0; r < reps; r++) {
            double t = now_ns();
            for (long i = 0; i < n; i++)
                ops[k].fn(size);
            s[r] = (now_ns() - t) / (double)n;
        }
        emit("Lifecycle", ops[k].op, "", "c", "ns/op", s, reps);
    }
    shmctl(sysv_existing, IPC_RMID, NULL);
    shm_unlink(posix_existing);
    unlink(file_existing);
}

/* ---- first touch ---------------------------------------------------------------------------- */

#define TOUCH_PAGES 256

static double touch_pages(volatile char *p)
{
    double t = now_ns();
    for (size_t off = 0; off < TOUCH_PAGES * PAGE; off += PAGE)
        p[off] = 1;
    return now_ns() - t;
}

static void bench_first_touch(void)
{
    const size_t size = TOUCH_PAGES * PAGE;
    int rounds = quick ? 60 : 400;
    double sysv[64], posix[64], file[64], anon[64];
    for (int r = 0; r < reps; r++) {
        double ts = 0, tp = 0, tf = 0, ta = 0;
        for (int i = 0; i < rounds; i++) {
            char *p = shm_new(size, NULL);
            ts += touch_pages(p);
            shmdt(p);

            int fd = shm_open(posix_name, O_CREAT | O_EXCL | O_RDWR, 0600);
            if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
                die("shm_open");
            shm_unlink(posix_name);
            p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
            tp += touch_pages(p);
            munmap(p, size);

            fd = open(file_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
            if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
                die("open");
            unlink(file_name);
            p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
            tf += touch_pages(p);
            munmap(p, size);

            p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            ta += touch_pages(p);
            munmap(p, size);
        }
        double pages = (double)rounds * TOUCH_PAGES;
        sysv[r] = ts / pages;
        posix[r] = tp / pages;
        file[r] = tf / pages;
        anon[r] = ta / pages;
    }
    emit("FirstTouch", "sysvPage", "", "c", "ns/op", sysv, reps);
    emit("FirstTouch", "posixPage", "", "c", "ns/op", posix, reps);
    emit("FirstTouch", "filePage", "", "c", "ns/op", file, reps);
    emit("FirstTouch", "anonPage", "", "c", "ns/op", anon, reps);
}

/* ---- two processes: cache-line ping-pong and futex wake-up ---------------------------------- */

struct shared {
    _Alignas(64) volatile long ping;
    _Alignas(64) volatile long pong;
    _Alignas(64) int futex_word;
    _Alignas(64) volatile long ack;
    _Alignas(64) volatile double t0;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, long n, double q)
{
    long i = (long)(q * (double)(n - 1) + 0.5);
    return sorted[i];
}

static void emit_distribution(const char *group, const char *way, double samples[][4], int n)
{
    static const char *names[] = {"mean", "p50", "p99", "p99.9"};
    for (int k = 0; k < 4; k++) {
        double s[64];
        for (int r = 0; r < n; r++)
            s[r] = samples[r][k];
        emit(group, names[k], "", way, "ns", s, n);
    }
}

static void summarize(double *v, long n, double out[4])
{
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += v[i];
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    out[0] = sum / (double)n;
    out[1] = percentile(v, n, 0.50);
    out[2] = percentile(v, n, 0.99);
    out[3] = percentile(v, n, 0.999);
}

/* Cache-line ping-pong between this process (CPU 0) and a child (CPU 1): reps repetitions of
 * warm untimed and n timed round trips; out[r] is repetition r's mean, p50, p99 and p99.9. */
static void ping_pong(long warm, long n, int repetitions, double out[][4])
{
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    long total = (warm + n) * repetitions;
    pid_t child = fork_spinner("baseline");
    if (child == 0) {
        pin("baseline", 1);
        for (long i = 1; i <= total; i++) {
            while (sh->ping != i)
                ;
            sh->pong = i;
        }
        _exit(0);
    }
    pin("baseline", 0);
    double *rtt = malloc(sizeof(double) * (size_t)n);
    long seq = 0;
    for (int r = 0; r < repetitions; r++) {
        for (long i = 0; i < warm + n; i++) {
            double t = now_ns();
            sh->ping = ++seq;
            while (sh->pong != seq)
                ;
            if (i >= warm)
                rtt[i - warm] = now_ns() - t;
        }
        summarize(rtt, n, out[r]);
    }
    waitpid(child, NULL, 0);
    free(rtt);
    munmap(sh, sizeof *sh);
}

static void bench_ping_pong(void)
{
    double out[64][4];
    ping_pong(quick ? 100000 : 500000, quick ? 300000 : 2000000, reps, out);
    emit_distribution("RoundTrip", "cPingPong", out, reps);
}

/* How near the two CPUs are right now: a cache line crosses between the two pinned vCPUs in one
 * of a few times, each held for seconds (bench/.../report/Placement.java gives the levels seen).
 * 20,000 round trips, a few milliseconds: the two-process harness runs this before and after
 * each of its Java ways, and the report compares ways measured at the same distance. */
static void bench_probe(void)
{
    double out[1][4];
    ping_pong(2000, 20000, 1, out);
    emit_distribution("Placement", "cProbe", out, 1);
}

static long futex(int *uaddr, int op, int val)
{
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* The two system calls behind jshm's Futex, as jshm_sync.c makes them (the shared, not the
 * private, operations) on a System V word, with nobody waiting: FUTEX_WAKE that finds no
 * sleeper (what a ring's commit costs when a consumer announced itself and then woke on its
 * own), and FUTEX_WAIT on a word that no longer holds the value (the kernel returns EAGAIN at
 * once: a waiter that lost the race with a wake), with the relative timeout of 50 ms that jshm
 * gives every wait (Futex.INTERRUPT_CHECK_INTERVAL: an untimed await sleeps in slices so that
 * it sees an interrupt); with a timeout the kernel prepares a timer before it reads the word,
 * which on this kind of VM made the call about 150 to 200 ns slower than with none.
 * FutexBench times the same calls from Java. */
static void bench_futex_calls(void)
{
    char *mem = shm_new(PAGE, NULL);
    touch(mem, PAGE);
    int *word = (int *)(mem + 64);
    long n = quick ? 200000L : 1000000L;
    double wake[64], changed[64];
    struct timespec slice = {0, 50000000};
    for (long i = 0; i < n / 10; i++)
        futex(word, FUTEX_WAKE, 1);
    for (int r = 0; r < reps; r++) {
        double t = now_ns();
        for (long i = 0; i < n; i++)
            if (futex(word, FUTEX_WAKE, 1) != 0)
                die("FUTEX_WAKE woke someone");
        wake[r] = (now_ns() - t) / (double)n;
        t = now_ns();
        for (long i = 0; i < n; i++)
            if (syscall(SYS_futex, word, FUTEX_WAIT, 1, &slice, NULL, 0) != -1 || errno != EAGAIN)
                die("FUTEX_WAIT did not return EAGAIN");
        changed[r] = (now_ns() - t) / (double)n;
    }
    emit("Futex", "wake", "", "c", "ns/op", wake, reps);
    emit("Futex", "awaitChanged", "", "c", "ns/op", changed, reps);
    shmdt(mem);
}

/* One-way: the waker (core 1) stamps t0 and wakes; the waiter (core 0), asleep in FUTEX_WAIT,
 * stamps its return. The waker pauses 50 us first so the waiter is really asleep. The first
 * FUTEX_UNPAUSED_WARM_UP wake-ups have no pause: the Java harness (CrossProcess) needs them to
 * compile its paths, and C runs the same protocol. */
#define FUTEX_UNPAUSED_WARM_UP 20000
static void bench_futex(void)
{
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    long n = quick ? 4000 : 20000, warm = FUTEX_UNPAUSED_WARM_UP + n / 10;
    long total = (warm + n) * reps;
    pid_t child = fork_spinner("baseline");
    if (child == 0) {
        pin("baseline", 1);
        for (long i = 1; i <= total; i++) {
            while (sh->ack != i - 1)
                ;
            struct timespec pause = {0, 50000};
            if ((i - 1) % (warm + n) >= FUTEX_UNPAUSED_WARM_UP)
                nanosleep(&pause, NULL);
            sh->t0 = now_ns();
            __atomic_store_n(&sh->futex_word, (int)i, __ATOMIC_SEQ_CST);
            futex(&sh->futex_word, FUTEX_WAKE, 1);
        }
        _exit(0);
    }
    pin("baseline", 0);
    double *lat = malloc(sizeof(double) * (size_t)n);
    double out[64][4];
    long seq = 0;
    for (int r = 0; r < reps; r++) {
        for (long i = 0; i < warm + n; i++) {
            int expected = (int)seq;
            seq++;
            while (__atomic_load_n(&sh->futex_word, __ATOMIC_SEQ_CST) == expected)
                futex(&sh->futex_word, FUTEX_WAIT, expected);
            double t1 = now_ns();
            if (i >= warm)
                lat[i - warm] = t1 - sh->t0;
            sh->ack = seq;
        }
        summarize(lat, n, out[r]);
    }
    waitpid(child, NULL, 0);
    emit_distribution("FutexWake", "cFutex", out, reps);
    free(lat);
    munmap(sh, sizeof *sh);
}

/* Whether NAME is one of the comma-separated names in LIST. */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    quick = !(argc > 1 && strcmp(argv[1], "full") == 0);
    reps = quick ? 5 : 10;
    const char *only = argc > 2 && strcmp(argv[2], "all") != 0 ? argv[2] : NULL;
    if (argc > 3) {
        reps = atoi(argv[3]);
        if (reps < 1 || reps > 64) {
            fprintf(stderr, "baseline: REPS must be in [1, 64]\n");
            return 2;
        }
    }
    int pid = (int)getpid();
    snprintf(posix_name, sizeof posix_name, "/jshm-bench-c-%d-cycle", pid);
    snprintf(posix_existing, sizeof posix_existing, "/jshm-bench-c-%d-life", pid);
    snprintf(file_name, sizeof file_name, "/dev/shm/jshm-bench-c-%d-cyclef", pid);
    snprintf(file_existing, sizeof file_existing, "/dev/shm/jshm-bench-c-%d-lifef", pid);
    printf("{\"tool\": \"baseline.c\", \"mode\": \"%s\", \"records\": [", quick ? "quick" : "full");
    struct { const char *name; void (*fn)(void); } parts[] = {
        {"clock", bench_clock}, {"access8", bench_access8}, {"copies", bench_copies}, {"lifecycle", bench_lifecycle},
        {"first-touch", bench_first_touch}, {"ping-pong", bench_ping_pong}, {"probe", bench_probe}, {"futex", bench_futex},
        {"futex-calls", bench_futex_calls},
    };
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        if (only && !listed(only, parts[k].name))
            continue;
        double t = now_ns();
        fprintf(stderr, "  baseline.c: %s...", parts[k].name);
        parts[k].fn();
        fprintf(stderr, " %.1f s\n", (now_ns() - t) / 1e9);
    }
    printf("\n]}\n");
    return 0;
}
