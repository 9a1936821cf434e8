package dev.jshm;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a segment can be found by another process: a System V key or id, a POSIX name, or a
 * file path (with an offset and size). It is the Java counterpart of a mapping inherited across
 * {@code fork}: Java cannot fork, so a parent hands the locator to the child it starts, and the
 * child attaches the same memory.
 *
 * <p>The text form is short and easy to parse from any language:
 * {@code sysv:key=0x0000162e}, {@code sysv:id=5}, {@code posix:/orders},
 * {@code file:/var/lib/app/state} or {@code file:/var/lib/app/state?offset=4096&size=65536}.
 *
 * <pre>{@code
 * // parent
 * ProcessBuilder child = new ProcessBuilder("java", "-cp", classPath, "com.example.Worker");
 * segment.locator().passTo(child);                 // sets JSHM_SEGMENT in the child's environment
 * child.start();
 * // child (Java)
 * try (Segment shared = SegmentLocator.fromEnvironment().open(Access.READ_WRITE)) { ... }
 * // child (C): getenv("JSHM_SEGMENT") and shm_open / shmget / open the part after the colon
 * }</pre>
 *
 * <p>Immutable and thread-safe. A locator only names a segment: {@link #open(Access)} finds out
 * whether it is there.
 *
 * @param kind   the kind of segment
 * @param target the key ({@code 0x}-hex) or id for System V, the name for POSIX, the path for a file
 * @param offset where the segment starts in the file (0 for the other kinds)
 * @param size   how many bytes to map, or 0 for all of it
 */
public record SegmentLocator(Kind kind, String target, long offset, long size) {

    /** The environment variable {@link #passTo} sets and {@link #fromEnvironment()} reads. */
    public static final String ENVIRONMENT_VARIABLE = "JSHM_SEGMENT";

    /** The kinds a locator can name. */
    public enum Kind {
        /** A System V segment by key: {@code sysv:key=0x...}. */
        SYSV_KEY,
        /** A System V segment by id: {@code sysv:id=N}. */
        SYSV_ID,
        /** A POSIX shared memory object: {@code posix:/name}. */
        POSIX,
        /** A mapped file: {@code file:/path}. */
        FILE
    }

    /**
     * Checks the parts; a POSIX name or System V key is not checked here (the factories do).
     *
     * @param kind   the kind of segment
     * @param target the key ({@code 0x}-hex) or id for System V, the name for POSIX, the path for a file
     * @param offset where the segment starts in the file (0 for the other kinds)
     * @param size   how many bytes to map, or 0 for all of it
     * @throws NullPointerException     if {@code kind} or {@code target} is null
     * @throws IllegalArgumentException if {@code offset} or {@code size} is negative
     */
    public SegmentLocator {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("locator offset and size must not be negative: offset=" + offset + " size=" + size);
        }
    }

    /**
     * {@return the locator of a System V key}
     *
     * @param key any 32-bit key ({@link SysVSegment#IPC_PRIVATE} names no segment that
     *            {@link #open} can find)
     */
    public static SegmentLocator sysvKey(int key) {
        return new SegmentLocator(Kind.SYSV_KEY, Errors.hexKey(key), 0, 0);
    }

    /**
     * {@return the locator of a System V id}
     *
     * @param shmid the kernel's id for the segment
     */
    public static SegmentLocator sysvId(int shmid) {
        return new SegmentLocator(Kind.SYSV_ID, Integer.toString(shmid), 0, 0);
    }

    /**
     * {@return the locator of a POSIX object}
     *
     * @param name the object's name, such as {@code /orders}
     * @throws IllegalArgumentException if the name breaks a rule of {@link PosixSegment#validateName}
     */
    public static SegmentLocator posix(String name) {
        return new SegmentLocator(Kind.POSIX, PosixSegment.validateName(name), 0, 0);
    }

    /**
     * {@return the locator of a range of a file}
     *
     * @param path   the file, made absolute here
     * @param offset where the range starts in the file
     * @param size   the range's length, or 0 for everything from {@code offset} to the end of the file
     * @throws IllegalArgumentException if {@code offset} or {@code size} is negative
     */
    public static SegmentLocator file(Path path, long offset, long size) {
        return new SegmentLocator(Kind.FILE, path.toAbsolutePath().toString(), offset, size);
    }

    /**
     * Parses the text form (see {@link #toString()}).
     *
     * @param text a locator such as {@code posix:/orders}
     * @return the locator it names
     * @throws NullPointerException     if {@code text} is null
     * @throws IllegalArgumentException naming the text and what is wrong with it: no or an unknown
     *                                  kind, a bad number, an invalid POSIX name, an unknown or
     *                                  negative file parameter
     */
    public static SegmentLocator parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid segment locator \"" + text
                    + "\": expected sysv:key=0x..., sysv:id=N, posix:/name or file:/path");
        }
        String scheme = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        try {
            switch (scheme) {
                case "sysv":
                    if (rest.startsWith("key=")) {
                        return sysvKey(parseKey(rest.substring(4)));
                    }
                    if (rest.startsWith("id=")) {
                        return sysvId(Integer.parseInt(rest.substring(3)));
                    }
                    throw new IllegalArgumentException("expected key=0x... or id=N after sysv:");
                case "posix":
                    return posix(rest);
                case "file": {
                    int query = rest.lastIndexOf('?');
                    if (query < 0) {
                        return file(Path.of(rest), 0, 0);
                    }
                    long offset = 0;
                    long size = 0;
                    for (String pair : rest.substring(query + 1).split("&")) {
                        if (pair.startsWith("offset=")) {
                            offset = Long.parseLong(pair.substring(7));
                        } else if (pair.startsWith("size=")) {
                            size = Long.parseLong(pair.substring(5));
                        } else {
                            throw new IllegalArgumentException("unknown parameter \"" + pair + "\"");
                        }
                    }
                    return file(Path.of(rest.substring(0, query)), offset, size);
                }
                default:
                    throw new IllegalArgumentException("unknown kind \"" + scheme + "\"");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid segment locator \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a System V key: decimal, or hexadecimal after {@code 0x}, surrounding blanks ignored.
     * Any 32-bit value, signed or unsigned: {@code -1} and {@code 0xffffffff} are the same key.
     *
     * @param text the key, such as {@code 0x162e} or {@code 5678}
     * @return the key
     * @throws NumberFormatException if the text is no number or does not fit in 32 bits
     */
    public static int parseKey(String text) {
        String t = text.trim();
        long value = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        if (value < Integer.MIN_VALUE || value > 0xFFFF_FFFFL) {
            throw new NumberFormatException("key " + text + " does not fit in 32 bits");
        }
        return (int) value;
    }

    /**
     * {@return the locator in this process's environment variable {@value #ENVIRONMENT_VARIABLE}}
     *
     * @throws IllegalStateException    if the variable is not set
     * @throws IllegalArgumentException if its value is not a locator (see {@link #parse})
     */
    public static SegmentLocator fromEnvironment() {
        String value = System.getenv(ENVIRONMENT_VARIABLE);
        if (value == null) {
            throw new IllegalStateException(ENVIRONMENT_VARIABLE + " is not set: the parent passes it with SegmentLocator.passTo");
        }
        return parse(value);
    }

    /**
     * Puts this locator into a child's environment as {@value #ENVIRONMENT_VARIABLE}, replacing
     * any value there.
     *
     * @param child the builder of the child process
     * @return {@code child}, so that {@code start()} can follow
     */
    public ProcessBuilder passTo(ProcessBuilder child) {
        Map<String, String> environment = child.environment();
        environment.put(ENVIRONMENT_VARIABLE, toString());
        return child;
    }

    /**
     * Attaches or maps the segment this locator names, as {@link SysVSegment#open(int, Access)},
     * {@link SysVSegment#openById}, {@link PosixSegment#open(String, Access)} or
     * {@link MappedFileSegment.Builder#open()} (with the offset, and the size unless it is 0) do,
     * and fails as they do.
     *
     * @param access how to map it
     * @return the segment, which the caller closes
     * @throws SegmentNotFoundException if there is no such segment
     * @throws ShmException             if the system refuses (the message names the call)
     */
    public Segment open(Access access) {
        return switch (kind) {
            case SYSV_KEY -> SysVSegment.open(parseKey(target), access);
            case SYSV_ID -> SysVSegment.openById(Integer.parseInt(target), access);
            case POSIX -> PosixSegment.open(target, access);
            case FILE -> {
                MappedFileSegment.Builder builder = MappedFileSegment.builder(Path.of(target)).offset(offset).access(access);
                yield (size > 0 ? builder.size(size) : builder).open();
            }
        };
    }

    /**
     * {@return the text form} {@link #parse} reads it back, except for a file whose path contains
     * {@code ?} and that has neither offset nor size: the text then has no query to tell the two
     * apart.
     */
    @Override
    public String toString() {
        return switch (kind) {
            case SYSV_KEY -> "sysv:key=" + target;
            case SYSV_ID -> "sysv:id=" + target;
            case POSIX -> "posix:" + target;
            case FILE -> "file:" + target + (offset != 0 || size != 0 ? "?offset=" + offset + "&size=" + size : "");
        };
    }
}
