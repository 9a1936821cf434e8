/**
 * Coordination between threads and processes on a segment's memory: {@link dev.jshm.sync.Futex}
 * (shared futex wait and wake on an int word), {@link dev.jshm.sync.RobustLock} (a mutex that
 * survives its holder's death and refuses a corrupted state), {@link dev.jshm.sync.SignalBlock}
 * (the wait/wake protocol a producer signals and a consumer sleeps on) and the
 * {@link dev.jshm.sync.IdleStrategy} family, from {@link dev.jshm.sync.BusySpinIdleStrategy} to
 * {@link dev.jshm.sync.FutexIdleStrategy}. They work on every kind of segment, and the lock's and
 * the signal block's layouts are the C library's ({@code src/main/c/jshm.h},
 * {@code src/main/c/jshm_ring.h}), so C programs on the same host take part.
 *
 * <p>Atomic loads, stores and read-modify-writes on a segment are
 * {@link dev.jshm.Segment#atomics()}.
 */
package dev.jshm.sync;
