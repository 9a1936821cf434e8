/**
 * What the kernel reports about shared memory: {@link dev.jshm.stat.SysVStat} for a System V
 * segment ({@code shmctl(IPC_STAT)}, as {@code ipcs -m -i} shows it), {@link dev.jshm.stat.FileStat}
 * for the file behind a POSIX object or a mapped file ({@code fstat}), and
 * {@link dev.jshm.stat.PosixObjectInfo} for an object in {@code /dev/shm}. Each is an immutable
 * snapshot: the segment may change or go right after. The listings are
 * {@link dev.jshm.SysVSegment#list()} and {@link dev.jshm.PosixSegment#list()}.
 */
package dev.jshm.stat;
