/**
 * Segments: shared memory mapped into this process, of three kinds behind one API.
 *
 * <ul>
 * <li>{@link dev.jshm.SysVSegment}: System V shared memory ({@code shmget}, {@code shmat}), found
 *     by a 32-bit key or an id; fixed size; lives until removed and detached everywhere.</li>
 * <li>{@link dev.jshm.PosixSegment}: a POSIX shared memory object ({@code shm_open}, a file in
 *     {@code /dev/shm}), found by a name such as {@code /orders}; grows; lives until unlinked and
 *     unmapped everywhere.</li>
 * <li>{@link dev.jshm.MappedFileSegment}: a range of a file ({@code mmap}), found by its path;
 *     grows; lives as long as the file.</li>
 * </ul>
 *
 * <p>All three are a {@link dev.jshm.Segment}: typed values at {@code long} offsets in native
 * byte order, bulk copies, C strings, zero-copy {@link java.nio.ByteBuffer} views, and
 * cross-process atomics ({@link dev.jshm.SegmentAtomics}). Every access is checked in Java before
 * memory is touched, closing a segment that other threads still use never crashes the JVM, and
 * neither does another process truncating a POSIX object or a file
 * ({@link dev.jshm.SegmentFaultException}). A {@link dev.jshm.SegmentLocator} tells a child
 * process where to find a segment.
 *
 * <p>Failures: system errors become {@link dev.jshm.ShmException} subclasses that name the call,
 * its arguments and the errno; bad arguments throw {@link IllegalArgumentException} or
 * {@link IndexOutOfBoundsException} before any system call; use after close throws
 * {@link IllegalStateException}. If jshm's native library cannot be loaded, every operation that
 * needs it throws {@link dev.jshm.NativeUnavailableException}; loading the classes never fails.
 *
 * <p>Coordination between processes (futex, locks, idle strategies) is in {@code dev.jshm.sync},
 * the message ring in {@code dev.jshm.ring}, and listings and status records in
 * {@code dev.jshm.stat}.
 */
package dev.jshm;
