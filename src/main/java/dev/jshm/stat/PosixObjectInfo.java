package dev.jshm.stat;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A POSIX shared memory object as {@code /dev/shm} shows it, without opening or mapping it: what
 * {@link PosixSegment#list()} answers for each object. A snapshot: the object may change or go
 * right after. Immutable, so thread-safe.
 *
 * @param name the object's name, such as {@code /orders} (the file {@code /dev/shm/orders})
 * @param stat what {@code lstat} says about the file: its size is the object's size
 */
public record PosixObjectInfo(String name, FileStat stat) {

    /** Where Linux keeps POSIX shared memory objects (glibc's {@code shm_open} directory). */
    public static final Path DIRECTORY = Path.of("/dev/shm");

    // Linux's st_mode file-type bits and errno value (<sys/stat.h>, <errno.h>).
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int ENOENT = 2;

    /**
     * An object's name and status, as given.
     *
     * @param name the object's name, such as {@code /orders}; not checked against the POSIX
     *             naming rules here ({@link #of} and {@link #list()} give valid ones)
     * @param stat what {@code lstat} says about the file
     * @throws NullPointerException if {@code name} or {@code stat} is null
     */
    public PosixObjectInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stat, "stat");
    }

    /**
     * What {@code /dev/shm} says about the object {@code name} now, without opening it; a symbolic
     * link is not followed. Thread-safe.
     *
     * @param name the object's name, such as {@code /orders}, or {@code orders} without the slash
     *             ({@link PosixSegment#validateName})
     * @return the object's name, with its slash, and its {@code lstat}
     * @throws IllegalArgumentException if the name is not a valid POSIX name
     *                                  ({@link PosixSegment#validateName})
     * @throws SegmentNotFoundException if there is no such object, or it is not a regular file
     * @throws ShmException             if its attributes cannot be read
     */
    public static PosixObjectInfo of(String name) {
        name = PosixSegment.validateName(name);
        Path path = DIRECTORY.resolve(name.substring(1));
        String operation = "lstat(" + path + ")";
        FileStat stat;
        try {
            stat = lstat(path);
        } catch (NoSuchFileException e) {
            throw new SegmentNotFoundException(operation + " failed: ENOENT (No such file or directory); no POSIX object "
                    + name + " in " + DIRECTORY, operation, ENOENT, "ENOENT");
        } catch (IOException e) {
            throw new ShmException(operation + " failed: " + e, operation, 0, null);
        }
        if (stat == null) {
            throw new SegmentNotFoundException(path + " is not a regular file, so not a POSIX shared memory object",
                    operation, 0, null);
        }
        return new PosixObjectInfo(name, stat);
    }

    /** {@return the object's file, {@code /dev/shm/<name>}} */
    public Path path() {
        return DIRECTORY.resolve(name.substring(1));
    }

    /**
     * Every POSIX shared memory object in {@link #DIRECTORY}, by name: what
     * {@link PosixSegment#list()} returns (see there).
     *
     * <p>Thread-safe.
     *
     * @return the objects, sorted by name
     * @throws ShmException if {@code /dev/shm} cannot be read
     */
    public static List<PosixObjectInfo> list() {
        return list(DIRECTORY);
    }

    /**
     * The regular files in {@code directory} as objects, by name; see {@link PosixSegment#list()}.
     *
     * @throws ShmException if the directory cannot be read
     */
    static List<PosixObjectInfo> list(Path directory) {
        List<PosixObjectInfo> objects = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                try {
                    FileStat stat = lstat(entry);
                    if (stat != null) {
                        objects.add(new PosixObjectInfo("/" + entry.getFileName(), stat));
                    }
                } catch (NoSuchFileException vanished) {
                    // Unlinked between the directory read and the lstat: no longer an object.
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ShmException("list POSIX shared memory objects: cannot read " + directory + ": " + e,
                    "opendir(" + directory + ")", 0, null);
        }
        objects.sort(Comparator.comparing(PosixObjectInfo::name));
        return objects;
    }

    /**
     * The {@code lstat} of {@code path} as a {@link FileStat}, or null if it is not a regular file.
     * Times are whole seconds, as the C core's {@code fstat} reports them.
     */
    static FileStat lstat(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & S_IFMT) != S_IFREG) {
            return null;
        }
        return new FileStat(((Number) a.get("size")).longValue(), mode & 07777, ((Number) a.get("uid")).longValue(),
                ((Number) a.get("gid")).longValue(), ((Number) a.get("dev")).longValue(),
                ((Number) a.get("ino")).longValue(), ((Number) a.get("nlink")).longValue(),
                Instant.ofEpochSecond(((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS)));
    }
}
