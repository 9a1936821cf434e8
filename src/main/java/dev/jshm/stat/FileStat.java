package dev.jshm.stat;

import java.time.Instant;

/**
 * What {@code fstat} says about the file behind a POSIX shared memory object or a mapped file
 * ({@link dev.jshm.FileBackedSegment#stat()}), or {@code lstat} about an object in
 * {@code /dev/shm} ({@link PosixObjectInfo}). A snapshot; immutable, so thread-safe.
 *
 * @param size         the file's size in bytes (the object's size for POSIX shared memory)
 * @param mode         the permission bits with the set-id and sticky bits
 *                     ({@code st_mode & 07777}), such as {@code 0600}
 * @param uid          the owner's user id
 * @param gid          the owner's group id
 * @param device       the device id of the file system that holds it
 * @param inode        its inode number
 * @param links        the number of names it has (0 once unlinked)
 * @param modifiedTime the last modification, in whole seconds
 */
public record FileStat(long size, int mode, long uid, long gid, long device, long inode, long links,
                       Instant modifiedTime) {
}
