package dev.jshm.cli;

import java.nio.file.Path;

import dev.jshm.SegmentLocator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Which existing segment a command works on: exactly one of {@code --key}, {@code --id}
 * (System V), {@code --name} (POSIX) or {@code --file} (a mapped file, with an optional
 * {@code --file-offset}). Commands take it as an exclusive {@code @ArgGroup}, so picocli rejects
 * none or two before the command runs; {@code rm} takes it repeated.
 */
final class SegmentSelector {

    @Option(names = "--key", required = true, paramLabel = "KEY", converter = KeyConverter.class,
            description = "System V key: " + KeyConverter.FORMS + ".")
    private Integer key;

    @Option(names = "--id", required = true, paramLabel = "ID",
            description = "System V segment id (shmid), as create, list or ipcs -m shows it.")
    private Integer id;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "POSIX shared memory object, such as /orders (the file /dev/shm/orders).")
    private String name;

    @ArgGroup(exclusive = false)
    private FileOptions file;

    /** {@code --file PATH [--file-offset BYTES]}: the offset only means something with a file. */
    static final class FileOptions {
        @Option(names = "--file", required = true, paramLabel = "PATH",
                description = "A mapped file (never followed through a symbolic link).")
        private Path path;

        @Option(names = "--file-offset", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
                description = "Where the segment starts in the file (default: ${DEFAULT-VALUE}).")
        private long offset;
    }

    /**
     * The selected segment.
     *
     * @throws IllegalArgumentException for {@code --key 0} (IPC_PRIVATE), a negative id or offset,
     *                                  or an invalid POSIX name
     */
    Target target() {
        if (key != null) {
            return Target.of(SegmentLocator.sysvKey(key));
        }
        if (id != null) {
            return Target.of(SegmentLocator.sysvId(id));
        }
        if (name != null) {
            return Target.of(SegmentLocator.posix(name));
        }
        if (file.offset < 0) {
            throw new IllegalArgumentException("--file-offset " + file.offset + ": an offset is never negative");
        }
        return Target.of(SegmentLocator.file(file.path, file.offset, 0));
    }
}
