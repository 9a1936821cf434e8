/*
 * jshm ring: a bounded ring of variable-length messages in shared memory, which Java
 * (dev.jshm.ring.MessageRing) and C programs (this header, jshm_ring.c) share.
 *
 * One consumer; one producer (JSHM_RING_SINGLE_PRODUCER) or many producers in any number of
 * processes (JSHM_RING_MANY_PRODUCERS: they claim space with a compare-and-swap on the tail).
 * The design is agrona's OneToOneRingBuffer / ManyToOneRingBuffer; docs/ring-format.md is the
 * full description of the layout and the protocol, and this header is its C form.
 *
 * Layout (version 5), all fields in the host's byte order, at an 8-byte aligned address:
 *
 *   [0, 512)                header: struct jshm_ring_header, four 128-byte blocks so that what
 *                           producers write, what the consumer writes and the wake-up word
 *                           never share a cache line (nor an adjacent-line prefetch pair)
 *   [512, 512 + capacity)   records, each 8-byte aligned:
 *                             int32 length   header + payload bytes, not rounded up;
 *                                            0 = free, < 0 = claimed, not ready (-length is the
 *                                            extent of the claim), > 0 = committed
 *                             int32 type     > 0 for messages, JSHM_RING_PADDING_TYPE for padding
 *                             payload        length - 8 bytes, then any bytes up to the next multiple of 8
 *                           Free space is zero with many producers (the consumer zeroes what it
 *                           consumed); with one producer it holds old records, and the producer
 *                           clears the 8-byte header after each claim before the tail passes it.
 *
 * Positions (head, tail) count bytes since the ring was created and never wrap; the index of a
 * position in the record area is position & (capacity - 1).
 *
 * Every function returns 0 (or a count) on success and -errno on failure, as the rest of jshm.
 * -EBADMSG means the shared memory holds a value no correct peer writes (another process wrote
 * into the ring): the call touched nothing outside the ring and read or wrote nothing with that
 * value, and the handle's corrupt_field, corrupt_position and corrupt_value say what it found.
 *
 * Building: jshm_ring.c is plain C11 (gcc -std=c11 -Wall -Wextra -pedantic builds it); it calls
 * the futex functions of the jshm C library (jshm_sync.c). A C program compiles jshm_ring.c,
 * jshm_sync.c and the rest of src/main/c except jshm_jni.c with its own sources, or links the
 * libjshm.so the jar carries. A C++ program includes this header as it is (it is valid C++17
 * and declares everything extern "C") and compiles jshm_ring.c with a C compiler:
 *     gcc -std=c11 -O2 -c jshm_ring.c jshm_sync.c ... && g++ -std=c++17 app.cpp jshm_ring.o jshm_sync.o ...
 * The header uses plain integer types for the shared fields; only jshm_ring.c treats them as
 * atomics (C11 <stdatomic.h> has no C++17 counterpart for a plain struct in shared memory).
 */
#ifndef JSHM_RING_H
#define JSHM_RING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The first 8 bytes of a formatted ring: the ASCII bytes "JSHMRING" on a little-endian host.
 * Written last when a ring is created (with a release store), so a ring that is still being
 * formatted, or whose creator died half way, reads 0 here and is refused. */
#define JSHM_RING_MAGIC UINT64_C(0x474E49524D48534A)
/* The layout version this code reads and writes. Any change to the layout or the protocol
 * changes it; attach refuses other versions. */
#define JSHM_RING_VERSION 5u

/* Flags, fixed at create. */
#define JSHM_RING_SINGLE_PRODUCER 0x0u /* one producer thread at a time: a plain store on the tail */
#define JSHM_RING_MANY_PRODUCERS  0x1u /* any number of producers: compare-and-swap on the tail */
#define JSHM_RING_KNOWN_FLAGS     0x1u

#define JSHM_RING_HEADER_LENGTH        512u
#define JSHM_RING_RECORD_HEADER_LENGTH 8u
#define JSHM_RING_ALIGNMENT            8u
#define JSHM_RING_PADDING_TYPE         (-1)
/* Capacity (bytes of record area): a power of two in [MIN, MAX]. */
#define JSHM_RING_MIN_CAPACITY 1024u
#define JSHM_RING_MAX_CAPACITY (1u << 30)
/* The longest payload: capacity / 8. A record and the padding before it then always fit in an
 * empty ring. */
#define JSHM_RING_MAX_MESSAGE_LENGTH(capacity) ((capacity) / 8u)
/* The most record bytes (each record rounded up to 8) one batch may claim: capacity / 2. */
#define JSHM_RING_MAX_BATCH_LENGTH(capacity) ((capacity) / 2u)

/*
 * The header. Plain types here (so C++ can include this file); jshm_ring.c accesses the shared
 * fields through C11 atomics. Offsets are part of the format and checked at compile time.
 */
struct jshm_ring_header {
    /* Written once by create, read-only afterwards. */
    uint64_t magic;                  /*   0: JSHM_RING_MAGIC, written last */
    uint32_t version;                /*   8: JSHM_RING_VERSION, written just before magic */
    uint32_t flags;                  /*  12: JSHM_RING_*_PRODUCER(S) */
    uint32_t capacity;               /*  16: bytes of record area, a power of two */
    uint32_t max_message_length;     /*  20: longest payload, capacity / 8 */
    uint32_t header_length;          /*  24: where the record area starts, 512 */
    uint32_t reserved0;              /*  28 */
    uint8_t reserved1[96];           /*  32 */

    /* Written by producers. */
    int64_t tail;                    /* 128: position after the last claimed byte */
    int64_t head_cache;              /* 136: a recent value of head, so producers rarely read the consumer's line */
    int64_t producer_heartbeat_ms;   /* 144: CLOCK_MONOTONIC milliseconds of a recent claim or explicit beat, 0 = never */
    int32_t producer_pid;            /* 152: the process that wrote producer_heartbeat_ms */
    uint8_t reserved2[100];          /* 156 */

    /* Written by the consumer. */
    int64_t head;                    /* 256: position of the next record to read */
    int64_t consumer_heartbeat_ms;   /* 264: CLOCK_MONOTONIC milliseconds of a recent poll or explicit beat, 0 = never */
    int32_t consumer_pid;            /* 272: the process that wrote consumer_heartbeat_ms */
    uint8_t reserved3[108];          /* 276 */

    /* Blocking consumers: a signal block (dev.jshm.sync.SignalBlock), the protocol of jshm_ring_wait. */
    uint32_t futex;                  /* 384: bumped by a producer that clears sleepers; consumers sleep on it */
    int32_t sleepers;                /* 388: non-zero when a consumer may be asleep (or about to sleep) on futex */
    uint8_t reserved4[120];          /* 392 */
};

/* A process's handle on a ring: where it is and what it cached. Not shared; one per thread for
 * producers (it caches the last heartbeat), one for the consumer. */
struct jshm_ring {
    struct jshm_ring_header *header;
    uint8_t *records;
    uint32_t capacity;
    uint32_t mask;
    uint32_t max_message_length;
    uint32_t flags;
    int32_t pid;
    int64_t producer_beat_ms;
    int64_t consumer_beat_ms;
    uint32_t producer_claims;
    uint32_t consumer_polls;
    /* One producer: its last claim not yet committed or aborted (the payload index, or -1) and
     * that claim's record length, which commit and abort write back without reading the header
     * (this handle's, so one thread at a time, like the producer). */
    int64_t last_claim_index;
    int32_t last_claim_length;
    /* After -EBADMSG: the field that held an impossible value ("head", "tail", "record length",
     * "record type", "claim length"), the ring position it was found at (bytes since creation;
     * for header fields, the head), and the value read. NULL and 0 before any. */
    const char *corrupt_field;
    int64_t corrupt_position;
    int64_t corrupt_value;
};

/* JSHM_RING_HEADER_LENGTH + capacity, or 0 when the capacity is not a power of two in range. */
size_t jshm_ring_required_size(uint32_t capacity);

/* Formats a ring in [memory, memory + size): zeroes the header and the record area, writes the
 * fields, then version and magic. `memory` must be 8-byte aligned (64 is better) and no other
 * process may use the ring until this returns.
 * Returns 0, -EINVAL (capacity, flags or alignment) or -ERANGE (size too small). */
int jshm_ring_create(struct jshm_ring *ring, void *memory, size_t size, uint32_t capacity,
                     uint32_t flags);

/* Attaches to a ring another process created in [memory, memory + size).
 * Returns 0 or:
 *   -EINVAL          memory is NULL or not 8-byte aligned
 *   -ERANGE          size is smaller than the header, or than header + capacity
 *   -ENODATA         magic is 0: the ring is not formatted, or its creator died half way
 *   -EBADMSG         magic is not JSHM_RING_MAGIC, or a header field is out of range
 *   -EPROTONOSUPPORT version is not JSHM_RING_VERSION */
int jshm_ring_attach(struct jshm_ring *ring, void *memory, size_t size);

/* Copies one message into the ring and commits it, waking blocked consumers.
 * Returns 0, -EAGAIN (not enough free space now: try again later), -EMSGSIZE (longer than
 * max_message_length) or -EINVAL (type < 1). */
int jshm_ring_offer(struct jshm_ring *ring, int32_t type, const void *message, size_t length);

/* Claims space for a message of `length` bytes and sets *payload to where it goes; write it,
 * then jshm_ring_commit (or jshm_ring_abort) the returned index. Consumers stop at a claimed
 * record, so commit soon. Returns the index (>= 0) or the errors of jshm_ring_offer. */
int64_t jshm_ring_claim(struct jshm_ring *ring, int32_t type, size_t length, void **payload);
/* jshm_ring_offer and jshm_ring_claim also return -EBADMSG when tail or head are impossible. */

/* Makes a claimed message visible. Returns 0, -EINVAL when `index` is not a claimed record, or
 * -EBADMSG when the claim's length is impossible. */
int jshm_ring_commit(struct jshm_ring *ring, int64_t index);

/* Turns a claimed message into padding that consumers skip. Same results as commit. */
int jshm_ring_abort(struct jshm_ring *ring, int64_t index);

/* Called by jshm_ring_poll for each message. `message` is valid only during the call. */
typedef void (*jshm_ring_handler)(int32_t type, const void *message, size_t length, void *arg);

/* Reads up to `limit` messages that are committed, in order, stopping at the first that is not
 * (or at the end of the record area: the next poll continues from its start), then frees the
 * space read with one release store of head. Single consumer only.
 * Returns the number of messages, or -EBADMSG when the head or a record is impossible (the ring
 * is corrupt) before any message was read: the corrupt record is never consumed, the messages
 * before it are. */
int jshm_ring_poll(struct jshm_ring *ring, jshm_ring_handler handler, void *arg, int limit);

/* A poll that has read nothing and finds the head claimed pauses before it returns, so that a
 * consumer polling in a tight loop does not take the record's lines from the producer still
 * writing it: one pause per 1 << JSHM_RING_CLAIM_PAUSE_SHIFT claimed bytes, at least one, at most
 * JSHM_RING_CLAIM_PAUSES_MAX (whatever a corrupt length says). Java's consumer does the same. */
#define JSHM_RING_CLAIM_PAUSE_SHIFT 8u
#define JSHM_RING_CLAIM_PAUSES_MAX 32u

/* Many producers: a poll zeroes what it consumed in steps of at least JSHM_RING_ZERO_STEP bytes
 * as it goes (after each handler call that completes a step), and the rest before it moves the
 * head, rather than all of a long batch at the end: the lines are then still at hand. Java's
 * consumer does the same (RingConsumer.ZERO_STEP). */
#define JSHM_RING_ZERO_STEP 2048u

/* A poll that is deep in a batch (from its JSHM_RING_LOOKAHEAD_AFTER-th message) prefetches the
 * line JSHM_RING_LOOKAHEAD_RECORDS records of the current record's length ahead, for records of
 * JSHM_RING_LOOKAHEAD_MIN_RECORD bytes or more: a consumer behind its producer then fetches
 * several headers' lines at once instead of one after the other. C only: Java has no prefetch,
 * and a load in its place hurt on some hosts (see RingConsumer.poll). */
#define JSHM_RING_LOOKAHEAD_AFTER 16
#define JSHM_RING_LOOKAHEAD_MIN_RECORD 128u
#define JSHM_RING_LOOKAHEAD_RECORDS 4u

/* Blocks the consumer until a record is ready at the head, `timeout_ns` passes (< 0: no limit)
 * or a signal arrives. Producers wake it after they commit. Before it sleeps it announces itself
 * and calls membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED), which stands in for a fence in every
 * producer's commit (see wake_consumers in jshm_ring.c); where that call fails it sleeps at most
 * 1 ms at a time. Returns 1 when a record is ready,
 * 0 when not (timed out, interrupted: poll and wait again), -EBADMSG for an impossible head,
 * -errno on failure. Leaves nothing to undo: the producer that wakes it clears `sleepers`. */
int jshm_ring_wait(struct jshm_ring *ring, int64_t timeout_ns);

/* Claims (polls) between two reads of the heartbeat clock: a claim or poll beats on the first and
 * then on every JSHM_RING_BEAT_INTERVAL-th, when the millisecond changed; a poll that finds no
 * record at the head on every JSHM_RING_IDLE_BEAT_INTERVAL-th (a consumer spinning on an empty
 * ring polls every few nanoseconds). */
#define JSHM_RING_BEAT_INTERVAL 64u
#define JSHM_RING_IDLE_BEAT_INTERVAL 1024u

/* Records that the producer (consumer) is alive now: for producers (consumers) that offer (poll)
 * seldom, or block long. */
void jshm_ring_heartbeat_producer(struct jshm_ring *ring);
void jshm_ring_heartbeat_consumer(struct jshm_ring *ring);

/* The heartbeat clock: CLOCK_MONOTONIC in milliseconds (Java: System.nanoTime() / 1000000 on
 * Linux). Shared by all processes of one boot (and time namespace). */
int64_t jshm_ring_clock_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* JSHM_RING_H */
