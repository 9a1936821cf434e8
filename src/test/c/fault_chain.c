/*
 * The C side of the SIGBUS handler (jshm_fault.c), seen from a C program that links the core:
 * a fault in a registered mapping is healed and recorded; every other SIGBUS reaches the
 * handler that was there before, as the kernel would have delivered it.
 *
 *   fault_chain heal DIR       a registered file mapping truncated under a store, a locked
 *                              read-modify-write and a memcpy: prints the fault word after
 *                              each ("WORDS a b c"), what the last two read ("VALUES 0 0"),
 *                              "BELOW ok"
 *   fault_chain siginfo DIR    previous handler SA_SIGINFO: "CHAINED siginfo addr=ok code=ok"
 *   fault_chain plain DIR      previous handler without SA_SIGINFO: "CHAINED plain"
 *   fault_chain dfl DIR        previous SIG_DFL: dies of SIGBUS (after printing "FAULTING")
 *   fault_chain ign DIR        previous SIG_IGN: a sent SIGBUS is ignored ("IGNORED"), a fault
 *                              kills (after printing "FAULTING")
 *
 * Faults outside registered ranges come from a second file mapping that is not registered.
 */
#include "jshm.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE (64 * 1024)
#define KEPT 4096

static sigjmp_buf escape;
static volatile void *expected_addr;
static volatile int chained_code;
static volatile void *chained_addr;

static void on_siginfo(int sig, siginfo_t *info, void *context)
{
    (void)sig; (void)context;
    chained_code = info->si_code;
    chained_addr = info->si_addr;
    siglongjmp(escape, 1);
}

static void on_plain(int sig)
{
    (void)sig;
    siglongjmp(escape, 2);
}

/* A shared mapping of a new SIZE-byte file, already cut to KEPT bytes. */
static char *truncated_mapping(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, SIZE) < 0) {
        perror(path);
        exit(10);
    }
    char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(11);
    }
    memset(p, 'a', SIZE);
    if (ftruncate(fd, KEPT) < 0) {
        perror("ftruncate");
        exit(12);
    }
    close(fd);
    unlink(path);
    return p;
}

static void install_previous(const char *mode)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    if (strcmp(mode, "siginfo") == 0) {
        act.sa_sigaction = on_siginfo;
        act.sa_flags = SA_SIGINFO;
    } else if (strcmp(mode, "plain") == 0) {
        act.sa_handler = on_plain;
    } else if (strcmp(mode, "ign") == 0) {
        act.sa_handler = SIG_IGN;
    } else {
        act.sa_handler = SIG_DFL;
    }
    sigaction(SIGBUS, &act, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *mode = argv[1];
    const char *dir = argv[2];
    setvbuf(stdout, NULL, _IONBF, 0);
    install_previous(mode);

    char *ours = truncated_mapping(dir, "registered");
    int slot = jshm_fault_register(ours, SIZE, ours, 0);
    if (slot < 0) {
        printf("REGISTER failed %d\n", slot);
        return 3;
    }
    int64_t *word = jshm_fault_word(slot);

    if (strcmp(mode, "heal") == 0) {
        /* Each access lies below the last one's page, so each faults: a store, a locked
         * read-modify-write, a memcpy. */
        ours[5 * KEPT] = 'x';
        long long after_store = (long long)__atomic_load_n(word, __ATOMIC_SEQ_CST);
        int32_t previous = -1;
        jshm_atomic_fetch_add_i32(ours, SIZE, 3 * KEPT, 1, &previous);
        long long after_rmw = (long long)__atomic_load_n(word, __ATOMIC_SEQ_CST);
        char copy[100];
        memset(copy, 'c', sizeof copy);
        jshm_copy_out(ours, SIZE, 2 * KEPT + 10, copy, sizeof copy);
        long long after_copy = (long long)__atomic_load_n(word, __ATOMIC_SEQ_CST);
        printf("WORDS %lld %lld %lld\n", after_store, after_rmw, after_copy);
        printf("VALUES %d %d\n", previous, copy[0]);
        ours[100] = 'b';
        printf("BELOW %s\n", ours[100] == 'b' && ours[KEPT - 1] == 'a' ? "ok" : "broken");
        return jshm_fault_unregister(slot) == 0 ? 0 : 4;
    }

    char *other = truncated_mapping(dir, "unregistered");
    if (strcmp(mode, "ign") == 0) {
        kill(getpid(), SIGBUS);
        printf("IGNORED\n");
    }
    int jumped = sigsetjmp(escape, 1);
    if (jumped == 0) {
        expected_addr = other + 2 * KEPT;
        printf("FAULTING\n");
        *(volatile char *)(other + 2 * KEPT) = 'y';
        printf("NOT CHAINED\n");
        return 5;
    }
    if (jumped == 1)
        printf("CHAINED siginfo addr=%s code=%s\n", chained_addr == expected_addr ? "ok" : "wrong",
               chained_code == BUS_ADRERR ? "ok" : "wrong");
    else
        printf("CHAINED plain\n");
    /* Ours was not touched by the other mapping's fault. */
    printf("WORD %s\n", __atomic_load_n(word, __ATOMIC_SEQ_CST) == INT64_MAX ? "untouched" : "changed");
    return 0;
}
