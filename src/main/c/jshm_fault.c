/*
 * Heal and report: a SIGBUS inside a registered mapping (a POSIX object or a file that another
 * process truncated) replaces the memory from the faulting page to the end of that mapping with
 * private zero pages, records where the replacement starts in the mapping's fault word, and
 * returns, so the faulting instruction runs again on harmless memory. Whoever accessed the
 * mapping reads the fault word afterwards and reports the fault. Every other SIGBUS goes to the
 * handler that was installed before ours (the JVM's), as if ours were not there.
 *
 * The handler runs on the faulting thread, at any instruction, possibly while another thread
 * registers or unregisters a range. So it only reads the table with atomic loads, takes no lock,
 * allocates nothing, and calls nothing but raw system calls.
 */
#include "jshm.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * One registered mapping. `state` is a seqlock word: odd while the slot is being filled or
 * emptied (or free), even and non-zero while it describes a live mapping. A reader takes the
 * state, reads the fields, and takes the state again: the same even value both times means the
 * fields belong together.
 */
struct jshm_fault_range {
    uint64_t state;
    uintptr_t base;   /* page-aligned start of the kernel's mapping */
    uintptr_t end;    /* base + mapped length */
    uintptr_t origin; /* the address that offsets in the fault word count from */
    int prot;
};

#define JSHM_SLOT_FREE 1u /* odd: never matches */

static struct jshm_fault_range ranges[JSHM_FAULT_MAX_RANGES];
/* Each slot's fault word: the lowest replaced offset from origin, INT64_MAX if none. Apart from
 * the ranges, in one array, so that Java reads them all through one buffer made once. The word
 * after the last slot counts the replacements in this process (JSHM_FAULT_REPLACEMENTS). */
static int64_t words[JSHM_FAULT_MAX_RANGES + 1];
/* Slots at or above this index have never been used: the handler scans only below it. */
static int used_slots;
/* Where registration starts looking for a free slot: a hint, not a promise (a racing
 * unregistration may free a slot below it), so a search that finds nothing above it looks below
 * it before giving up. It keeps registration O(1) while thousands of closed mappings wait for
 * the collector to unmap them. */
static int free_hint;
static struct sigaction previous;
static size_t page_size;
/* 0: not installed, 1: being installed, 2: installed. */
static int install_state;

static int heal(uintptr_t addr);
static void chain(int sig, siginfo_t *info, void *context);

static void handle_sigbus(int sig, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    /* BUS_ADRERR: an access to a page the file no longer has (beyond its end, or no space on
     * the file system to back it). Other codes (a machine check, a signal sent with kill) are
     * not a truncation. */
    if (info != NULL && info->si_code == BUS_ADRERR && heal((uintptr_t)info->si_addr)) {
        errno = saved_errno;
        return;
    }
    errno = saved_errno;
    chain(sig, info, context);
}

/* Lowers *word to value if it is higher; returns nothing, every racer ends with the minimum. */
static void lower_to(int64_t *word, int64_t value)
{
    int64_t seen = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    while (value < seen
           && !__atomic_compare_exchange_n(word, &seen, value, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
}

/* Replaces [page of addr, end of its range) when addr lies in a registered range; 1 if done. */
static int heal(uintptr_t addr)
{
    int n = __atomic_load_n(&used_slots, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++) {
        struct jshm_fault_range *r = &ranges[i];
        uint64_t before = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
        if (before == 0 || (before & 1u) != 0)
            continue;
        uintptr_t base = __atomic_load_n(&r->base, __ATOMIC_RELAXED);
        uintptr_t end = __atomic_load_n(&r->end, __ATOMIC_RELAXED);
        uintptr_t origin = __atomic_load_n(&r->origin, __ATOMIC_RELAXED);
        int prot = __atomic_load_n(&r->prot, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->state, __ATOMIC_RELAXED) != before)
            continue; /* refilled while read: it cannot be the mapping that faulted */
        if (addr < base || addr >= end)
            continue;
        uintptr_t page = addr & ~(uintptr_t)(page_size - 1);
        /* The count and the fault word change before the memory is replaced. Another thread
         * that finds zero pages there (and so takes no fault of its own) can only do so after
         * this mmap took effect, which the kernel makes visible to it after these stores: its
         * own reads of the count and the fault word, after its access, then see the fault. */
        __atomic_add_fetch(&words[JSHM_FAULT_REPLACEMENTS], 1, __ATOMIC_SEQ_CST);
        lower_to(&words[i], page > origin ? (int64_t)(page - origin) : 0);
        long p = syscall(SYS_mmap, (void *)page, (size_t)(end - page), prot,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, (off_t)0);
        if (p == -1 || (uintptr_t)p != page)
            return 0; /* not healed (a huge page mapping, no memory): the previous handler decides */
        return 1;
    }
    return 0;
}

/* Calls the previous handler as the kernel would have: its mask, its flags, its signature. */
static void chain(int sig, siginfo_t *info, void *context)
{
    struct sigaction *p = &previous;
    if (p->sa_handler == SIG_IGN || p->sa_handler == SIG_DFL) {
        /* What the kernel does for a SIGBUS that nobody handles: a fault (the instruction will
         * fault again when we return) or an ignored fault kills the process; an ignored signal
         * sent by someone is dropped. Restore the default so the repeat or the re-raise ends the
         * process with the right status and core dump. */
        int synchronous = info != NULL && info->si_code > 0;
        if (p->sa_handler == SIG_IGN && !synchronous)
            return;
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
        if (!synchronous)
            raise(sig);
        return;
    }
    sigset_t mask = p->sa_mask, old;
    if ((p->sa_flags & SA_NODEFER) == 0)
        sigaddset(&mask, sig);
    sigprocmask(SIG_SETMASK, &mask, &old);
    if (p->sa_flags & SA_SIGINFO) {
        void (*action)(int, siginfo_t *, void *) = p->sa_sigaction;
        if (p->sa_flags & SA_RESETHAND)
            p->sa_handler = SIG_DFL;
        action(sig, info, context);
    } else {
        void (*handler)(int) = p->sa_handler;
        if (p->sa_flags & SA_RESETHAND)
            p->sa_handler = SIG_DFL;
        handler(sig);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Installs the handler once, keeping the one before it. Racing callers wait for the winner. */
static int install(void)
{
    int state = __atomic_load_n(&install_state, __ATOMIC_ACQUIRE);
    if (state == 2)
        return 0;
    int expected = 0;
    if (!__atomic_compare_exchange_n(&install_state, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&install_state, __ATOMIC_ACQUIRE) != 2) {
            if (__atomic_load_n(&install_state, __ATOMIC_ACQUIRE) == 0)
                return install(); /* the winner failed: try again */
            sched_yield();
        }
        return 0;
    }
    page_size = jshm_page_size();
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = handle_sigbus;
    /* SA_ONSTACK: a thread that set up an alternate signal stack (for its own stack overflows)
     * runs the handler there. The mask is the previous handler's, so that it runs, when
     * chained, with the signals blocked that it asked for. */
    act.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    struct sigaction old;
    if (sigaction(SIGBUS, NULL, &old) < 0)
        goto failed;
    act.sa_mask = old.sa_mask;
    /* `previous` is written before the handler can run: sigaction is a system call, and the
     * handler reads it on the thread the kernel delivers to, after the kernel saw our handler. */
    previous = old;
    if (sigaction(SIGBUS, &act, NULL) < 0)
        goto failed;
    __atomic_store_n(&install_state, 2, __ATOMIC_RELEASE);
    return 0;
failed:;
    int err = errno;
    __atomic_store_n(&install_state, 0, __ATOMIC_RELEASE);
    return -err;
}

/* Claims and fills the first free slot in [from, to); its index, or -1 if none is free. */
static int claim(uintptr_t b, size_t len, uintptr_t origin, int read_only, int from, int to)
{
    for (int i = from; i < to; i++) {
        struct jshm_fault_range *r = &ranges[i];
        uint64_t s = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
        /* A never-used slot is 0; a free one is odd and not being filled (odd after even). */
        if (s != 0 && (s & 3u) != JSHM_SLOT_FREE)
            continue;
        /* Claim it: 0 or 4k+1 -> 4k+3 (odd, so the handler skips it while it is filled). */
        uint64_t filling = s == 0 ? 3u : s + 2u;
        if (!__atomic_compare_exchange_n(&r->state, &s, filling, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            continue;
        __atomic_store_n(&r->base, b, __ATOMIC_RELAXED);
        __atomic_store_n(&r->end, b + len, __ATOMIC_RELAXED);
        __atomic_store_n(&r->origin, origin, __ATOMIC_RELAXED);
        __atomic_store_n(&r->prot, read_only ? PROT_READ : PROT_READ | PROT_WRITE, __ATOMIC_RELAXED);
        __atomic_store_n(&words[i], INT64_MAX, __ATOMIC_RELAXED);
        int used = __atomic_load_n(&used_slots, __ATOMIC_RELAXED);
        while (used <= i && !__atomic_compare_exchange_n(&used_slots, &used, i + 1, 0,
                                                         __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
        }
        /* Release: a handler that reads the live (even) state reads the fields stored above. */
        __atomic_store_n(&r->state, filling + 1u, __ATOMIC_RELEASE);
        return i;
    }
    return -1;
}

int jshm_fault_register(void *base, size_t len, void *origin, int read_only)
{
    uintptr_t b = (uintptr_t)base;
    if (len == 0 || (uintptr_t)origin < b || (uintptr_t)origin - b >= len || len > UINTPTR_MAX - b)
        return -EINVAL;
    int rc = install();
    if (rc < 0)
        return rc;
    int hint = __atomic_load_n(&free_hint, __ATOMIC_RELAXED);
    int slot = claim(b, len, (uintptr_t)origin, read_only, hint, JSHM_FAULT_MAX_RANGES);
    if (slot < 0 && hint > 0)
        slot = claim(b, len, (uintptr_t)origin, read_only, 0, hint);
    if (slot < 0)
        return -ENOSPC;
    /* Only forward from the value this search started at: a racing unregistration that lowered
     * the hint keeps it lower. */
    __atomic_compare_exchange_n(&free_hint, &hint, slot + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return slot;
}

int64_t *jshm_fault_word(int slot)
{
    return slot >= 0 && slot < JSHM_FAULT_MAX_RANGES ? &words[slot] : NULL;
}

int64_t *jshm_fault_words(void)
{
    return words;
}

int jshm_fault_unregister(int slot)
{
    if (slot < 0 || slot >= JSHM_FAULT_MAX_RANGES)
        return -EINVAL;
    struct jshm_fault_range *r = &ranges[slot];
    uint64_t s = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
    if (s == 0 || (s & 1u) != 0)
        return -EINVAL;
    /* Live 4k+4 -> free 4k+5 (JSHM_SLOT_FREE modulo 4). */
    if (!__atomic_compare_exchange_n(&r->state, &s, s + 1u, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return -EINVAL;
    int hint = __atomic_load_n(&free_hint, __ATOMIC_RELAXED);
    while (slot < hint && !__atomic_compare_exchange_n(&free_hint, &hint, slot, 0, __ATOMIC_RELAXED,
                                                       __ATOMIC_RELAXED)) {
    }
    return 0;
}
