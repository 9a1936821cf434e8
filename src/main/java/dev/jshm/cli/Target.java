package dev.jshm.cli;

import java.nio.file.Path;

import dev.jshm.Access;
import dev.jshm.MappedFileSegment;
import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SegmentLocator;
import dev.jshm.SysVSegment;

/**
 * A segment the user named, by option or by locator text ({@code sysv:key=0x..}, {@code sysv:id=N},
 * {@code posix:/x}, {@code file:/p?offset=&size=}), and the library calls that reach it. It is
 * always a {@link SegmentLocator}: the tool names segments the way the library does.
 */
final class Target {

    private final SegmentLocator locator;

    private Target(SegmentLocator locator) {
        this.locator = locator;
    }

    /**
     * The target a locator names.
     *
     * @throws IllegalArgumentException for key 0 (IPC_PRIVATE names no segment) or a negative id
     */
    static Target of(SegmentLocator locator) {
        Target target = new Target(locator);
        if (locator.kind() == SegmentLocator.Kind.SYSV_KEY && target.key() == SysVSegment.IPC_PRIVATE) {
            throw new IllegalArgumentException("--key 0 is IPC_PRIVATE, which names no segment: use --id");
        }
        if (locator.kind() == SegmentLocator.Kind.SYSV_ID && target.idText() < 0) {
            throw new IllegalArgumentException("--id " + locator.target() + ": a segment id is never negative");
        }
        return target;
    }

    /**
     * The target of locator text, as {@code rm} and {@code reap} take them.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    static Target parse(String text) {
        return of(SegmentLocator.parse(text));
    }

    SegmentLocator locator() {
        return locator;
    }

    SegmentLocator.Kind kind() {
        return locator.kind();
    }

    /** {@code sysv}, {@code posix} or {@code file}, as the tool's output names kinds. */
    String kindName() {
        return isSysV() ? "sysv" : kind() == SegmentLocator.Kind.POSIX ? "posix" : "file";
    }

    boolean isSysV() {
        return kind() == SegmentLocator.Kind.SYSV_KEY || kind() == SegmentLocator.Kind.SYSV_ID;
    }

    /** The System V key of a {@code sysv:key=} target. */
    int key() {
        return SegmentLocator.parseKey(locator.target());
    }

    private long idText() {
        return Long.parseLong(locator.target());
    }

    /**
     * The shmid of a System V target: as given, or the one its key has now.
     *
     * @throws dev.jshm.SegmentNotFoundException if the key has no segment
     */
    int sysvId() {
        return kind() == SegmentLocator.Kind.SYSV_ID ? Integer.parseInt(locator.target()) : SysVSegment.idOf(key());
    }

    /** The POSIX name of a {@code posix:} target. */
    String posixName() {
        return locator.target();
    }

    /** The path of a {@code file:} target. */
    Path path() {
        return Path.of(locator.target());
    }

    /**
     * Attaches or maps the segment; the caller closes it. Read-only access accepts POSIX objects
     * and files of other users (only looking cannot be hurt by their truncating it: the library's
     * copies turn that into an exception); writing needs them to be this user's, as the library says.
     *
     * @throws dev.jshm.SegmentNotFoundException if there is no such segment
     * @throws dev.jshm.ShmPermissionException   if its mode does not allow {@code access}
     * @param command the command that opens it, as its messages name it ({@code read}, {@code stat})
     * @throws LocalFileException                if a file target is not a regular file
     */
    Segment open(Access access, String command) {
        boolean readOnly = access == Access.READ_ONLY;
        return switch (kind()) {
            case SYSV_KEY -> SysVSegment.open(key(), access);
            case SYSV_ID -> SysVSegment.openById(sysvId(), access);
            case POSIX -> {
                PosixSegment.Builder builder = PosixSegment.builder(posixName()).access(access);
                yield (readOnly ? builder.anyOwner() : builder).open();
            }
            case FILE -> {
                // Refused by type before any open: opening a FIFO would block until a writer came.
                LocalFiles.requireRegular(command + " --file", path());
                MappedFileSegment.Builder builder = MappedFileSegment.builder(path()).offset(locator.offset()).access(access);
                if (locator.size() > 0) {
                    builder.size(locator.size());
                }
                yield (readOnly ? builder.anyOwner() : builder).open();
            }
        };
    }

    @Override
    public String toString() {
        return locator.toString();
    }
}
