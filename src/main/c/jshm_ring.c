/*
 * The jshm message ring in C (see jshm_ring.h and docs/ring-format.md): the same records and the
 * same protocol as dev.jshm.ring.MessageRing, so C and Java processes produce into and consume
 * from each other's rings.
 */
/* Plain C11 plus POSIX (clock_gettime, getpid; key_t for jshm.h): no GNU extensions. */
#if !defined(_GNU_SOURCE) && !defined(_XOPEN_SOURCE)
#define _XOPEN_SOURCE 700
#endif

#include "jshm_ring.h"
#include "jshm.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Static_assert(offsetof(struct jshm_ring_header, version) == 8, "layout");
_Static_assert(offsetof(struct jshm_ring_header, flags) == 12, "layout");
_Static_assert(offsetof(struct jshm_ring_header, capacity) == 16, "layout");
_Static_assert(offsetof(struct jshm_ring_header, max_message_length) == 20, "layout");
_Static_assert(offsetof(struct jshm_ring_header, header_length) == 24, "layout");
_Static_assert(offsetof(struct jshm_ring_header, tail) == 128, "layout");
_Static_assert(offsetof(struct jshm_ring_header, head_cache) == 136, "layout");
_Static_assert(offsetof(struct jshm_ring_header, producer_heartbeat_ms) == 144, "layout");
_Static_assert(offsetof(struct jshm_ring_header, producer_pid) == 152, "layout");
_Static_assert(offsetof(struct jshm_ring_header, head) == 256, "layout");
_Static_assert(offsetof(struct jshm_ring_header, consumer_heartbeat_ms) == 264, "layout");
_Static_assert(offsetof(struct jshm_ring_header, consumer_pid) == 272, "layout");
_Static_assert(offsetof(struct jshm_ring_header, futex) == 384, "layout");
_Static_assert(offsetof(struct jshm_ring_header, sleepers) == 388, "layout");
_Static_assert(sizeof(struct jshm_ring_header) == JSHM_RING_HEADER_LENGTH, "layout");
_Static_assert(sizeof(_Atomic int64_t) == 8 && sizeof(_Atomic int32_t) == 4, "plain and atomic sizes agree");

/* The header and the records are plain memory shared with other processes; these view a field
 * as the C11 atomic object it is used as (same size and alignment on every Linux target). */
#define A32(p)  ((_Atomic int32_t *)(void *)(p))
#define AU32(p) ((_Atomic uint32_t *)(void *)(p))
#define A64(p)  ((_Atomic int64_t *)(void *)(p))
#define AU64(p) ((_Atomic uint64_t *)(void *)(p))

#define RECORD_HEADER ((uint32_t)JSHM_RING_RECORD_HEADER_LENGTH)

/* The longest sleep of a consumer whose membarrier failed (see wake_consumers): 1 ms. */
#define JSHM_RING_UNFENCED_SLEEP_NS INT64_C(1000000)

static inline uint32_t align8(uint32_t value)
{
    return (value + (JSHM_RING_ALIGNMENT - 1)) & ~(JSHM_RING_ALIGNMENT - 1);
}

/* A hint that this thread spins on memory another CPU is writing, as Java's Thread.onSpinWait(). */
static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline int aligned8(int64_t position)
{
    return (position & (int64_t)(JSHM_RING_ALIGNMENT - 1)) == 0;
}

/* Notes what was impossible, for the caller, and returns -EBADMSG. */
static int corrupt(struct jshm_ring *ring, const char *field, int64_t position, int64_t value)
{
    ring->corrupt_field = field;
    ring->corrupt_position = position;
    ring->corrupt_value = value;
    return -EBADMSG;
}

/* The extent (rounded to 8) of a claim whose length reads negative, if it fits in `room`
 * bytes; else 0. INT32_MIN included: negated in 64 bits. */
static uint32_t claim_extent(int32_t length, uint32_t room)
{
    int64_t extent = -(int64_t)length;
    if (extent < (int64_t)JSHM_RING_RECORD_HEADER_LENGTH || extent > (int64_t)room)
        return 0;
    uint32_t rounded = align8((uint32_t)extent);
    return rounded <= room ? rounded : 0;
}

static int capacity_ok(uint32_t capacity)
{
    return capacity >= JSHM_RING_MIN_CAPACITY && capacity <= JSHM_RING_MAX_CAPACITY
        && (capacity & (capacity - 1)) == 0;
}

int64_t jshm_ring_clock_ms(void)
{
    struct timespec now;
    /* CLOCK_MONOTONIC, not CLOCK_REALTIME: a wall clock stepped forward would make every live
     * producer look dead and let a consumer skip a message still being written. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

size_t jshm_ring_required_size(uint32_t capacity)
{
    return capacity_ok(capacity) ? (size_t)JSHM_RING_HEADER_LENGTH + capacity : 0;
}

static void init_handle(struct jshm_ring *ring, void *memory, const struct jshm_ring_header *h)
{
    ring->header = memory;
    ring->records = (uint8_t *)memory + JSHM_RING_HEADER_LENGTH;
    ring->capacity = h->capacity;
    ring->mask = h->capacity - 1;
    ring->max_message_length = h->max_message_length;
    ring->flags = h->flags;
    ring->pid = (int32_t)getpid();
    ring->producer_beat_ms = 0;
    ring->consumer_beat_ms = 0;
    ring->producer_claims = 0;
    ring->consumer_polls = 0;
    ring->last_claim_index = -1;
    ring->last_claim_length = 0;
    ring->corrupt_field = NULL;
    ring->corrupt_position = 0;
    ring->corrupt_value = 0;
}

int jshm_ring_create(struct jshm_ring *ring, void *memory, size_t size, uint32_t capacity,
                     uint32_t flags)
{
    if (ring == NULL || memory == NULL || (uintptr_t)memory % 8 != 0 || !capacity_ok(capacity)
        || (flags & ~JSHM_RING_KNOWN_FLAGS) != 0)
        return -EINVAL;
    size_t required = jshm_ring_required_size(capacity);
    if (required > size)
        return -ERANGE;

    struct jshm_ring_header *h = memory;
    /* Re-formatting memory that held a ring: take the old magic away before anything else. */
    atomic_store_explicit(AU64(&h->magic), 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    memset((uint8_t *)memory + sizeof(h->magic), 0, required - sizeof(h->magic));
    h->flags = flags;
    h->capacity = capacity;
    h->max_message_length = JSHM_RING_MAX_MESSAGE_LENGTH(capacity);
    h->header_length = JSHM_RING_HEADER_LENGTH;
    h->version = JSHM_RING_VERSION;
    atomic_store_explicit(AU64(&h->magic), JSHM_RING_MAGIC, memory_order_release);
    init_handle(ring, memory, h);
    return 0;
}

int jshm_ring_attach(struct jshm_ring *ring, void *memory, size_t size)
{
    if (ring == NULL || memory == NULL || (uintptr_t)memory % 8 != 0)
        return -EINVAL;
    if (size < JSHM_RING_HEADER_LENGTH)
        return -ERANGE;
    const struct jshm_ring_header *h = memory;
    uint64_t magic = atomic_load_explicit(AU64(&h->magic), memory_order_acquire);
    if (magic == 0)
        return -ENODATA;
    if (magic != JSHM_RING_MAGIC)
        return -EBADMSG;
    if (h->version != JSHM_RING_VERSION)
        return -EPROTONOSUPPORT;
    if (h->header_length != JSHM_RING_HEADER_LENGTH || !capacity_ok(h->capacity)
        || h->max_message_length != JSHM_RING_MAX_MESSAGE_LENGTH(h->capacity)
        || (h->flags & ~JSHM_RING_KNOWN_FLAGS) != 0)
        return -EBADMSG;
    if (!JSHM_RANGE_OK(JSHM_RING_HEADER_LENGTH, h->capacity, size))
        return -ERANGE;
    init_handle(ring, memory, h);
    return 0;
}

void jshm_ring_heartbeat_producer(struct jshm_ring *ring)
{
    int64_t now = jshm_ring_clock_ms();
    ring->producer_beat_ms = now;
    atomic_store_explicit(A32(&ring->header->producer_pid), ring->pid, memory_order_relaxed);
    atomic_store_explicit(A64(&ring->header->producer_heartbeat_ms), now, memory_order_release);
}

void jshm_ring_heartbeat_consumer(struct jshm_ring *ring)
{
    int64_t now = jshm_ring_clock_ms();
    ring->consumer_beat_ms = now;
    atomic_store_explicit(A32(&ring->header->consumer_pid), ring->pid, memory_order_relaxed);
    atomic_store_explicit(A64(&ring->header->consumer_heartbeat_ms), now, memory_order_release);
}

/* Reading the clock costs more than the rest of a claim: beat on the first claim (poll) and then
 * on every JSHM_RING_BEAT_INTERVAL-th, when the millisecond changed. */
static void beat_producer_if_due(struct jshm_ring *ring)
{
    if ((ring->producer_claims++ & (JSHM_RING_BEAT_INTERVAL - 1)) != 0)
        return;
    int64_t now = jshm_ring_clock_ms();
    if (now != ring->producer_beat_ms) {
        ring->producer_beat_ms = now;
        atomic_store_explicit(A32(&ring->header->producer_pid), ring->pid, memory_order_relaxed);
        atomic_store_explicit(A64(&ring->header->producer_heartbeat_ms), now, memory_order_release);
    }
}

/* After a poll: `interval` is JSHM_RING_BEAT_INTERVAL, or JSHM_RING_IDLE_BEAT_INTERVAL when the
 * poll found no record at the head. */
static void beat_consumer_if_due(struct jshm_ring *ring, uint32_t interval)
{
    if ((ring->consumer_polls++ & (interval - 1)) != 0)
        return;
    if (jshm_ring_clock_ms() != ring->consumer_beat_ms)
        jshm_ring_heartbeat_consumer(ring);
}

/* A record header (length, then type) as the one 8-byte word a claim stores. */
static uint64_t record_header(int32_t length, int32_t type)
{
    int32_t fields[2] = {length, type};
    uint64_t word;
    memcpy(&word, fields, sizeof word);
    return word;
}

/* Stores a whole record header: the type first, then the length with release, so a consumer
 * that reads the length (acquire) sees the type. */
static void put_record_header(uint8_t *record, int32_t length, int32_t type)
{
    atomic_store_explicit(A32(record + 4), type, memory_order_relaxed);
    atomic_store_explicit(A32(record), length, memory_order_release);
}

/*
 * Takes the space found free at `tail` for the single producer, which owns all free space (see
 * docs/ring-format.md, "Claiming space"): everything of the claim a consumer may read is written
 * before the tail moves, so a producer that dies at any point leaves no claim or one whose first
 * header says how far it goes. The header after the claim is cleared: the consumer does not zero
 * what it consumed, and a poll stops there. Relaxed stores, a release fence, then the tail
 * (relaxed): the fence orders the marks before the tail (an unblocking consumer reads the tail
 * with acquire) and before the caller's writes of the payload, which a release store of the tail
 * would not, so the claim needs no second fence. A polling consumer sees the cleared header
 * through the release store of the claim's commit, or of the padding's length below.
 */
static void take_space_alone(struct jshm_ring *ring, int64_t tail, uint32_t tail_index, uint32_t padding,
                             uint32_t start, uint32_t required, uint64_t claim_header)
{
    atomic_store_explicit(A64(ring->records + ((start + required) & ring->mask)), 0, memory_order_relaxed);
    atomic_store_explicit(A64(ring->records + start), claim_header, memory_order_relaxed);
    if (padding != 0)
        atomic_store_explicit(A32(ring->records + tail_index), -(int32_t)padding, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(A64(&ring->header->tail), tail + (int64_t)padding + required, memory_order_relaxed);
    if (padding != 0)
        put_record_header(ring->records + tail_index, (int32_t)padding, JSHM_RING_PADDING_TYPE);
}

/*
 * Reserves `required` bytes (a multiple of 8, at most capacity / 2) for records at one
 * contiguous index, with a padding record first when they do not fit before the end of the area,
 * and writes `claim_header` (record_header: the negative claim length and the type) into the
 * first header there, ordered by a release fence before the caller's writes of the payload.
 * Returns the index, -EAGAIN, or -EBADMSG. Positions read from shared memory are checked before
 * they index anything: the tail 8-aligned, the head at most capacity behind it and never ahead
 * of it. A tail read before another producer moved it may trail the head: such a tail is read
 * again, and only one that reads the same twice is corrupt. The single producer keeps the 8 bytes
 * after its claim free too (the cleared header): its ring holds at most capacity - 8 bytes.
 */
static int64_t claim_space(struct jshm_ring *ring, uint32_t required, uint64_t claim_header)
{
    struct jshm_ring_header *h = ring->header;
    const int64_t capacity = ring->capacity;
    int64_t head = atomic_load_explicit(A64(&h->head_cache), memory_order_acquire);
    int64_t tail = atomic_load_explicit(A64(&h->tail), memory_order_acquire);
    const int single = (ring->flags & JSHM_RING_MANY_PRODUCERS) == 0;
    const int64_t end_mark = single ? (int64_t)RECORD_HEADER : 0;
    uint32_t tail_index;
    int64_t padding;

    beat_producer_if_due(ring);
    for (;;) {
        if (!aligned8(tail))
            return corrupt(ring, "tail", tail, tail);
        tail_index = (uint32_t)tail & ring->mask;
        int64_t to_end = capacity - tail_index;
        padding = required > to_end ? to_end : 0;
        int64_t needed = required + padding; /* < capacity: padding < required <= capacity / 2 */
        int64_t taken = needed + end_mark;
        /* Unsigned difference: any two positions, however corrupt, without signed overflow. */
        int64_t used = (int64_t)((uint64_t)tail - (uint64_t)head);
        if (used < 0 || used > capacity - taken) {
            head = atomic_load_explicit(A64(&h->head), memory_order_acquire);
            used = (int64_t)((uint64_t)tail - (uint64_t)head);
            if (used < 0) {
                int64_t again = atomic_load_explicit(A64(&h->tail), memory_order_acquire);
                if (again == tail)
                    return corrupt(ring, "tail", head, tail);
                tail = again;
                continue;
            }
            if (used > capacity)
                return corrupt(ring, "tail", head, tail);
            if (used > capacity - taken)
                return -EAGAIN;
            atomic_store_explicit(A64(&h->head_cache), head, memory_order_relaxed);
        }
        uint32_t start = padding != 0 ? 0 : tail_index;
        if (single) {
            take_space_alone(ring, tail, tail_index, (uint32_t)padding, start, required, claim_header);
            return start;
        }
        if (atomic_compare_exchange_weak_explicit(A64(&h->tail), &tail, tail + needed,
                                                  memory_order_acq_rel, memory_order_acquire)) {
            /* The space is ours only now: padding and claim mark come after the swap, and the
             * mark before any byte of the payload (a record whose length reads 0 has nothing
             * written yet, what unblocking relies on). */
            if (padding != 0)
                put_record_header(ring->records + tail_index, (int32_t)padding, JSHM_RING_PADDING_TYPE);
            /* Release: the padding before the mark, as in Java (ManyToOneMessageRing.takeSpace). */
            atomic_store_explicit(A64(ring->records + start), claim_header, memory_order_release);
            atomic_thread_fence(memory_order_release);
            return start;
        }
        /* Lost the race: `tail` now holds the winner's value; the cached head may be newer too. */
        head = atomic_load_explicit(A64(&h->head_cache), memory_order_acquire);
    }
}

/* Whether this process is a target of jshm_membarrier (registered once, on first use): then a
 * producer's commit needs no fence of its own (wake_consumers). A race between two first calls
 * registers twice, which is harmless. */
static int producer_fence_elided(void)
{
    static atomic_int state; /* 0: not asked yet; 1: registered; -1: the kernel refused */
    int s = atomic_load_explicit(&state, memory_order_relaxed);
    if (s == 0) {
        s = jshm_membarrier_register() == 0 ? 1 : -1;
        atomic_store_explicit(&state, s, memory_order_relaxed);
    }
    return s > 0;
}

/* The signal block (docs/ring-format.md, "Blocking"; dev.jshm.SignalBlock is the Java side).
 * A Dekker store->load pattern with an asymmetric fence:
 *   producer: commit (release store of the length); a compiler barrier (a full fence if this
 *             process could not register for membarrier); read sleepers; if non-zero: exchange
 *             it with 0; if that found non-zero: bump the word, FUTEX_WAKE.
 *   consumer (jshm_ring_wait): read the word (w0); exchange sleepers with 1 (seq_cst);
 *             membarrier (MEMBARRIER_CMD_GLOBAL_EXPEDITED), then a seq_cst fence; look at the
 *             ring (acquire); FUTEX_WAIT while the word is w0.
 * The membarrier returns only after every running thread of every registered process executed
 * a full barrier at some point B during the call (a thread not running passed through a context
 * switch, also a full barrier). Our store and load keep program order (the compiler barrier;
 * the processor may still let the load pass the store, but not across B). So either our load
 * comes after B: then it comes after the consumer's exchange, which completed before the call,
 * and reads its 1 (or a producer's later 0, see below); or our load comes before B: then so does
 * the commit, which B made visible before the call returned, so the consumer's look sees the
 * record and it does not sleep. The atomic_signal_fence is exactly the ordering C11 gives between
 * a thread and a handler interrupting it, which is what the membarrier's interrupt is.
 * Then, if some producer saw the 1, the one whose exchange takes it back to 0 bumps the word
 * after the consumer read w0, so its FUTEX_WAIT returns at once (EAGAIN) or it is asleep and the
 * wake reaches it. No wake-up is lost. A producer that could not register keeps the full fence
 * (then the two fences alone make the Dekker pattern). A consumer whose membarrier fails cannot
 * rely on registered producers: it sleeps in slices of at most JSHM_RING_UNFENCED_SLEEP_NS,
 * so a wake-up is at worst that late. A consumer that dies asleep leaves one needless wake to
 * the next commit, not one per commit. */
static void wake_consumers(struct jshm_ring *ring)
{
    struct jshm_ring_header *h = ring->header;
    if (producer_fence_elided())
        atomic_signal_fence(memory_order_seq_cst);
    else
        atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(A32(&h->sleepers), memory_order_relaxed) != 0
        && atomic_exchange_explicit(A32(&h->sleepers), 0, memory_order_seq_cst) != 0) {
        atomic_fetch_add_explicit(AU32(&h->futex), 1, memory_order_seq_cst);
        (void)jshm_futex_wake(h, JSHM_RING_HEADER_LENGTH, offsetof(struct jshm_ring_header, futex), INT_MAX);
    }
}

static int check_message(const struct jshm_ring *ring, int32_t type, size_t length)
{
    if (type < 1)
        return -EINVAL;
    if (length > ring->max_message_length)
        return -EMSGSIZE;
    return 0;
}

int64_t jshm_ring_claim(struct jshm_ring *ring, int32_t type, size_t length, void **payload)
{
    int rc = check_message(ring, type, length);
    if (rc < 0)
        return rc;
    uint32_t record_length = RECORD_HEADER + (uint32_t)length;
    int64_t index = claim_space(ring, align8(record_length), record_header(-(int32_t)record_length, type));
    if (index < 0)
        return index;
    uint8_t *record = ring->records + index;
    /* claim_space ordered the claim mark before the caller's writes of the payload. */
    *payload = record + RECORD_HEADER;
    if ((ring->flags & JSHM_RING_MANY_PRODUCERS) == 0) {
        ring->last_claim_index = index + RECORD_HEADER;
        ring->last_claim_length = (int32_t)record_length;
    }
    return index + RECORD_HEADER;
}

/* The length of the claimed record of a payload index returned by claim: > 0, or -EINVAL when
 * there is no claim there, or -EBADMSG when the claim's length is impossible. The single
 * producer's last claim comes from the handle, without reading the header: the consumer spins on
 * that cache line while it waits, and reading it back made each zero-copy message fetch the line
 * once more before the commit's store took it again. Only this producer writes that claim; a
 * peer's scribble over its mark is overwritten with the length claimed. */
static int32_t claimed_length(struct jshm_ring *ring, int64_t index)
{
    if (index == ring->last_claim_index) {
        ring->last_claim_index = -1;
        return ring->last_claim_length;
    }
    if (index < (int64_t)RECORD_HEADER || index % JSHM_RING_ALIGNMENT != 0
        || !JSHM_RANGE_OK(index - RECORD_HEADER, RECORD_HEADER, ring->capacity))
        return -EINVAL;
    uint32_t record_index = (uint32_t)(index - RECORD_HEADER);
    int32_t length = atomic_load_explicit(A32(ring->records + record_index), memory_order_relaxed);
    if (length >= 0)
        return -EINVAL;
    if (claim_extent(length, ring->capacity - record_index) == 0
        || -(int64_t)length > (int64_t)(RECORD_HEADER + ring->max_message_length))
        return corrupt(ring, "claim length", record_index, length);
    return -length;
}

int jshm_ring_commit(struct jshm_ring *ring, int64_t index)
{
    int32_t length = claimed_length(ring, index);
    if (length < 0)
        return length;
    atomic_store_explicit(A32(ring->records + index - RECORD_HEADER), length, memory_order_release);
    wake_consumers(ring);
    return 0;
}

int jshm_ring_abort(struct jshm_ring *ring, int64_t index)
{
    int32_t length = claimed_length(ring, index);
    if (length < 0)
        return length;
    put_record_header(ring->records + index - RECORD_HEADER, length, JSHM_RING_PADDING_TYPE);
    wake_consumers(ring);
    return 0;
}

int jshm_ring_offer(struct jshm_ring *ring, int32_t type, const void *message, size_t length)
{
    void *payload = NULL;
    int64_t index = jshm_ring_claim(ring, type, length, &payload);
    if (index < 0)
        return (int)index;
    memcpy(payload, message, length);
    /* Our own claim: commit the length we claimed, not what the memory says now. */
    atomic_store_explicit(A32(ring->records + index - RECORD_HEADER), (int32_t)(RECORD_HEADER + length),
                          memory_order_release);
    ring->last_claim_index = -1;
    wake_consumers(ring);
    return 0;
}

int jshm_ring_poll(struct jshm_ring *ring, jshm_ring_handler handler, void *arg, int limit)
{
    struct jshm_ring_header *h = ring->header;
    /* Only the consumer writes head. */
    int64_t head = atomic_load_explicit(A64(&h->head), memory_order_relaxed);
    if (!aligned8(head))
        return corrupt(ring, "head", head, head);
    uint32_t head_index = (uint32_t)head & ring->mask;
    uint32_t contiguous = ring->capacity - head_index;
    uint32_t read = 0;
    uint32_t zeroed = 0; /* many producers: bytes from the head already zeroed */
    int zero_consumed = (ring->flags & JSHM_RING_MANY_PRODUCERS) != 0;
    int count = 0;
    int rc = 0;
    int32_t first_length = 0;

    while (read < contiguous && count < limit) {
        uint8_t *record = ring->records + head_index + read;
        /* Acquire: pairs with the producer's release store of the length at commit. */
        int32_t length = atomic_load_explicit(A32(record), memory_order_acquire);
        if (read == 0)
            first_length = length;
        if (length <= 0) {
            /* A claim at the head: its producer is writing this record now, from this cache line
             * on. Reading the line again at once takes it from the producer's stores, so pause in
             * proportion to what the claim has to write, as the Java consumer does (see
             * RingConsumer.pauseForClaim): one pause per 256 bytes, at least one, at most 32. The
             * length is negated in 64 bits: INT32_MIN from a corrupt header stays in bounds. */
            if (length < 0 && read == 0) {
                int64_t pauses = 1 + (-(int64_t)length >> JSHM_RING_CLAIM_PAUSE_SHIFT);
                for (int64_t i = 0; i < pauses && i < JSHM_RING_CLAIM_PAUSES_MAX; i++)
                    spin_pause();
            }
            break;
        }
        /* Compared before rounding: a length near INT32_MAX cannot wrap. */
        if ((uint32_t)length < RECORD_HEADER || (uint32_t)length > contiguous - read) {
            rc = corrupt(ring, "record length", head + read, length);
            break;
        }
        int32_t type = atomic_load_explicit(A32(record + 4), memory_order_relaxed);
        if (type == JSHM_RING_PADDING_TYPE) {
            read += align8((uint32_t)length);
            continue;
        }
        if (type < 1 || (uint32_t)length - RECORD_HEADER > ring->max_message_length) {
            rc = corrupt(ring, type < 1 ? "record type" : "record length", head + read,
                         type < 1 ? type : length);
            break;
        }
        uint32_t aligned = align8((uint32_t)length);
#if defined(__GNUC__)
        /* A consumer behind its producer finds each header from the length before it, one line
         * at a time from the producer's cache. Deep in a batch, prefetch the line
         * JSHM_RING_LOOKAHEAD_RECORDS records of this length ahead (the Java consumer has no
         * prefetch); masked, so it names a line of the record area whatever the sum. */
        if (count >= JSHM_RING_LOOKAHEAD_AFTER && aligned >= JSHM_RING_LOOKAHEAD_MIN_RECORD)
            __builtin_prefetch(ring->records
                               + ((head_index + read + JSHM_RING_LOOKAHEAD_RECORDS * aligned) & ring->mask));
#endif
        read += aligned;
        count++;
        handler(type, record + RECORD_HEADER, (size_t)length - RECORD_HEADER, arg);
        if (zero_consumed && read - zeroed >= JSHM_RING_ZERO_STEP) {
            /* See JSHM_RING_ZERO_STEP; the head has not moved, so no producer writes here yet. */
            memset(ring->records + head_index + zeroed, 0, read - zeroed);
            zeroed = read;
        }
    }
    if (read > 0) {
        /* Many producers: free space is zero, so a claim whose producer died before its claim
         * mark reads 0 up to the next record (unblocking needs that). The single producer clears
         * the header after each claim instead. Release: the handler's reads and the zeroes come
         * before a producer that reads this head (acquire) reuses the space. */
        if (zero_consumed)
            memset(ring->records + head_index + zeroed, 0, read - zeroed);
        atomic_store_explicit(A64(&h->head), head + read, memory_order_release);
    }
    beat_consumer_if_due(ring, first_length == 0 ? JSHM_RING_IDLE_BEAT_INTERVAL : JSHM_RING_BEAT_INTERVAL);
    return rc < 0 && count == 0 ? rc : count;
}

/* 1 when the record at the head is committed, 0 when not, -EBADMSG for an impossible head. */
static int record_ready(struct jshm_ring *ring)
{
    int64_t head = atomic_load_explicit(A64(&ring->header->head), memory_order_relaxed);
    if (!aligned8(head))
        return corrupt(ring, "head", head, head);
    const uint8_t *record = ring->records + ((uint32_t)head & ring->mask);
    return atomic_load_explicit(A32(record), memory_order_acquire) > 0;
}

int jshm_ring_wait(struct jshm_ring *ring, int64_t timeout_ns)
{
    struct jshm_ring_header *h = ring->header;
    /* The consumer's half of the protocol in wake_consumers: read the word, announce (seq_cst
     * exchange), look at the ring (acquire), sleep only while the word is what we read. */
    uint32_t seen = atomic_load_explicit(AU32(&h->futex), memory_order_seq_cst);
    atomic_exchange_explicit(A32(&h->sleepers), 1, memory_order_seq_cst);
    /* The heavy half of the fence that wake_consumers elides; without it, registered producers
     * may miss the 1 above, so sleep in bounded slices. */
    if (jshm_membarrier() != 0 && (timeout_ns < 0 || timeout_ns > JSHM_RING_UNFENCED_SLEEP_NS))
        timeout_ns = JSHM_RING_UNFENCED_SLEEP_NS;
    /* The look below is an acquire load, outside the seq_cst order: a seq_cst fence here and
     * the producer's (or the membarrier standing in for it) is what C11 needs for Dekker. */
    atomic_thread_fence(memory_order_seq_cst);
    int ready = record_ready(ring);
    if (ready != 0)
        return ready;
    /* Returns at once (-EAGAIN) if a producer bumped the word since we read it. */
    int rc = jshm_futex_wait(h, JSHM_RING_HEADER_LENGTH, offsetof(struct jshm_ring_header, futex),
                             (int32_t)seen, timeout_ns);
    if (rc < 0 && rc != -EAGAIN && rc != -ETIMEDOUT && rc != -EINTR)
        return rc;
    return record_ready(ring);
}
