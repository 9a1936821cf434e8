/**
 * A bounded ring of variable-length messages in shared memory, for one or many producers and
 * one consumer in any processes, Java or C ({@code src/main/c/jshm_ring.h}):
 * {@link dev.jshm.ring.MessageRing}, made by {@code create} and joined by {@code attach}, in a
 * segment of any kind. Messages are read in place by a {@link dev.jshm.ring.MessageHandler}; a
 * consumer sleeps on the ring's {@link dev.jshm.sync.SignalBlock} with
 * {@link dev.jshm.ring.MessageRing#await} or {@link dev.jshm.ring.MessageRing#futexIdleStrategy()}.
 * A ring that another process scribbled on is reported, never followed outside its memory
 * ({@link dev.jshm.ring.RingCorruptedException}); memory that holds no ring of this layout
 * version is refused by {@code attach} ({@link dev.jshm.ring.RingFormatException}). The layout
 * and the protocol are {@code docs/ring-format.md}.
 */
package dev.jshm.ring;
