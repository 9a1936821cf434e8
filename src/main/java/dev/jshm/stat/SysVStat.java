package dev.jshm.stat;

import java.time.Instant;

/**
 * What the kernel knows about a System V segment ({@code shmctl(IPC_STAT)}), as {@code ipcs -m -i}
 * shows it. A snapshot; immutable, so thread-safe.
 *
 * @param key          the key, {@code 0} ({@code IPC_PRIVATE}) for a private or removed segment
 * @param shmid        the segment's id
 * @param size         the size in bytes
 * @param mode         the permission bits ({@code 0777} at most), such as {@code 0600}
 * @param uid          the owner's user id
 * @param gid          the owner's group id
 * @param cuid         the creator's user id
 * @param cgid         the creator's group id
 * @param cpid         the creator's process id
 * @param lpid         the process id of the last attach or detach
 * @param attachments  how many attachments exist now ({@code nattch})
 * @param attachTime   the last attach, in whole seconds; {@link Instant#EPOCH} if never
 * @param detachTime   the last detach, in whole seconds; {@link Instant#EPOCH} if never
 * @param changeTime   the creation or last {@code IPC_SET}, in whole seconds
 * @param removed      whether the segment is marked for removal ({@code SHM_DEST}): it goes
 *                     when the last attachment does
 * @param locked       whether its pages are locked in RAM ({@code SHM_LOCKED})
 */
public record SysVStat(int key, int shmid, long size, int mode, long uid, long gid, long cuid, long cgid,
                       long cpid, long lpid, long attachments, Instant attachTime, Instant detachTime,
                       Instant changeTime, boolean removed, boolean locked) {

    /**
     * {@return all fields, with the key in hex and the mode in octal as {@code ipcs} shows them}
     * For example {@code SysVStat[key=0x00005151, shmid=5, size=4096, mode=0600, ...]}.
     */
    @Override
    public String toString() {
        return String.format("SysVStat[key=0x%08x, shmid=%d, size=%d, mode=0%03o, uid=%d, gid=%d, cuid=%d, cgid=%d,"
                        + " cpid=%d, lpid=%d, attachments=%d, attachTime=%s, detachTime=%s, changeTime=%s, removed=%s,"
                        + " locked=%s]", key, shmid, size, mode, uid, gid, cuid, cgid, cpid, lpid, attachments,
                attachTime, detachTime, changeTime, removed, locked);
    }

    /** {@return the permission bits as {@code ls} shows them, such as {@code rw-------}} */
    public String permissions() {
        StringBuilder s = new StringBuilder(9);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = mode >> shift;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }
}
