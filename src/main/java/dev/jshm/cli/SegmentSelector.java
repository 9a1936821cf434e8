package dev.jshm.cli;

import dev.jshm.Access;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;
import picocli.CommandLine.Option;

/**
 * Which existing segment a command works on: exactly one of {@code --key} or {@code --id}.
 * Commands take it as an exclusive {@code @ArgGroup} with multiplicity 1, so picocli rejects
 * none or both before the command runs. Other kinds of segment add their own alternatives here.
 */
final class SegmentSelector {

    @Option(names = "--key", required = true, paramLabel = "KEY", converter = KeyConverter.class,
            description = "System V key: " + KeyConverter.FORMS + ".")
    private Integer key;

    @Option(names = "--id", required = true, paramLabel = "ID",
            description = "System V segment id (shmid), as create or ipcs -m shows it.")
    private Integer id;

    /**
     * The shmid of the selected segment: {@code --id} as given, or the id that {@code --key}
     * has now.
     *
     * @throws dev.jshm.SegmentNotFoundException if the key has no segment
     * @throws IllegalArgumentException          if the key is IPC_PRIVATE or the id is negative
     */
    int sysvId() {
        if (id != null) {
            if (id < 0) {
                throw new IllegalArgumentException("--id " + id + ": a segment id is never negative");
            }
            return id;
        }
        return SysVSegment.idOf(checkedKey());
    }

    /**
     * Attaches the selected segment with {@code access}; the caller closes it.
     *
     * @throws dev.jshm.SegmentNotFoundException if there is no such segment
     * @throws dev.jshm.ShmPermissionException   if its mode does not allow {@code access}
     */
    Segment open(Access access) {
        if (id != null) {
            return SysVSegment.openById(sysvId(), access);
        }
        return SysVSegment.open(checkedKey(), access);
    }

    private int checkedKey() {
        // shmget(IPC_PRIVATE, ...) always makes a new segment: key 0 can never find one.
        if (key == SysVSegment.IPC_PRIVATE) {
            throw new IllegalArgumentException("--key 0 is IPC_PRIVATE, which names no segment: use --id");
        }
        return key;
    }
}
