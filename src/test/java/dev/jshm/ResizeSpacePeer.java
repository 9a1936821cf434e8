package dev.jshm;

import java.nio.file.Path;

/**
 * The child of {@link ResizeAllOrNothingTest}, run in a private mount namespace where
 * {@code /dev/shm} and {@code args[0]} are small tmpfs mounts: grows a POSIX object and a
 * reserved file past the free space and prints, one line each, what the failure said and what
 * was left.
 *
 * <pre>
 * RESIZE posix|file &lt;exception class&gt; | &lt;message&gt;
 * AFTER posix|file size=N stat=N data=ok|lost
 * GROWN posix|file size=N stat=N     (a resize that fits, afterwards)
 * DONE
 * </pre>
 */
public final class ResizeSpacePeer {

    static final long SIZE = 256 * 1024;
    static final long TOO_LARGE = 64L << 20;
    static final long FITS = 512 * 1024;

    public static void main(String[] args) throws Exception {
        try (PosixSegment posix = PosixSegment.create("/jshm-resize-space", SIZE)) {
            try {
                check("posix", posix, () -> posix.resize(TOO_LARGE), () -> posix.stat().size());
                posix.resize(FITS);
                System.out.println("GROWN posix size=" + posix.size() + " stat=" + posix.stat().size());
            } finally {
                posix.unlink();
            }
        }
        Path file = Path.of(args[0], "reserved");
        try (MappedFileSegment mapped = MappedFileSegment.builder(file).size(SIZE).reserve().create()) {
            check("file", mapped, () -> mapped.resize(TOO_LARGE), () -> mapped.stat().size());
            mapped.resize(FITS);
            System.out.println("GROWN file size=" + mapped.size() + " stat=" + mapped.stat().size());
        }
        System.out.println("DONE");
    }

    private static void check(String kind, Segment segment, Runnable resize, java.util.function.LongSupplier stat) {
        for (long at = 0; at < SIZE; at += 4096) {
            segment.putLong(at, at + 1);
        }
        try {
            resize.run();
            System.out.println("RESIZE " + kind + " none");
        } catch (RuntimeException e) {
            System.out.println("RESIZE " + kind + " " + e.getClass().getName() + " | " + e.getMessage());
        }
        boolean intact = true;
        for (long at = 0; at < SIZE; at += 4096) {
            intact &= segment.getLong(at) == at + 1;
        }
        System.out.println("AFTER " + kind + " size=" + segment.size() + " stat=" + stat.getAsLong() + " data=" + (intact ? "ok" : "lost"));
    }
}
