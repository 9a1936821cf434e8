/**
 * What the module's packages share and do not export: {@link dev.jshm.internal.SegmentMemory},
 * the checked native operations that {@code dev.jshm.sync} performs on a segment's memory
 * (reached through {@link dev.jshm.internal.Secrets}), {@link dev.jshm.internal.RegularFileOpener},
 * how the command-line tool opens the user's files without blocking on a FIFO (reached the same
 * way), and {@link dev.jshm.internal.Timeouts},
 * how {@code Futex} and {@code RobustLock} turn a timeout into nanoseconds, and
 * {@link dev.jshm.internal.BufferViews}, the native-order views of a buffer that every package
 * reads and writes shared memory through. Not part of the API: the module does not
 * export the package, and it may change in any release.
 */
package dev.jshm.internal;
