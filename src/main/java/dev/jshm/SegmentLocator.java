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

    public SegmentLocator {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("locator offset and size must not be negative: offset=" + offset + " size=" + size);
        }
    }

    /** The locator of a System V key. */
    public static SegmentLocator sysvKey(int key) {
        return new SegmentLocator(Kind.SYSV_KEY, Errors.hexKey(key), 0, 0);
    }

    /** The locator of a System V id. */
    public static SegmentLocator sysvId(int shmid) {
        return new SegmentLocator(Kind.SYSV_ID, Integer.toString(shmid), 0, 0);
    }

    /** The locator of a POSIX object. */
    public static SegmentLocator posix(String name) {
        return new SegmentLocator(Kind.POSIX, PosixSegment.validateName(name), 0, 0);
    }

    /** The locator of a file range; size 0 maps to the end of the file. */
    public static SegmentLocator file(Path path, long offset, long size) {
        return new SegmentLocator(Kind.FILE, path.toAbsolutePath().toString(), offset, size);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
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

    /** A System V key: decimal, or hexadecimal with {@code 0x}; any 32-bit value. */
    public static int parseKey(String text) {
        String t = text.trim();
        long value = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        if (value < Integer.MIN_VALUE || value > 0xFFFF_FFFFL) {
            throw new NumberFormatException("key " + text + " does not fit in 32 bits");
        }
        return (int) value;
    }

    /** The locator in the process environment ({@value #ENVIRONMENT_VARIABLE}). */
    public static SegmentLocator fromEnvironment() {
        String value = System.getenv(ENVIRONMENT_VARIABLE);
        if (value == null) {
            throw new IllegalStateException(ENVIRONMENT_VARIABLE + " is not set: the parent passes it with SegmentLocator.passTo");
        }
        return parse(value);
    }

    /** Puts this locator into a child's environment as {@value #ENVIRONMENT_VARIABLE}; returns the builder. */
    public ProcessBuilder passTo(ProcessBuilder child) {
        Map<String, String> environment = child.environment();
        environment.put(ENVIRONMENT_VARIABLE, toString());
        return child;
    }

    /** Attaches or maps the segment this locator names. */
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
