package dev.jshm;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child of {@link HugePagesTest}'s truncation test: maps a file of two huge pages on the
 * hugetlbfs mount {@code args[0]} (with {@code jvmCopies()} when {@code args[1]} is {@code jvm},
 * by default when it is {@code native}), cuts the file to one huge page, and copies out of the
 * cut-off page with a length that takes the native path by default, then reads a string there.
 * It prints:
 *
 * <pre>
 * NATIVE true|false                      (what the segment's copies may use)
 * THREW &lt;exception class&gt; | &lt;message&gt;   (the read; or RETURNED, should it not fail)
 * THREW &lt;exception class&gt; | &lt;message&gt;   (getString; or RETURNED)
 * ALIVE
 * </pre>
 *
 * A JVM that dies in the copy prints neither of the last two lines and leaves its crash log.
 */
public final class HugeTruncationPeer {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0], "cut-" + args[1]);
        long huge = KernelLimits.hugePageSize();
        MappedFileSegment.Builder builder = MappedFileSegment.builder(file).size(2 * huge);
        if (args[1].equals("jvm")) {
            builder.jvmCopies();
        }
        try (MappedFileSegment segment = builder.create()) {
            System.out.println("NATIVE " + segment.usesNativeCopies());
            segment.fill(0, 2 * huge, (byte) 1);
            try (RandomAccessFile cut = new RandomAccessFile(file.toFile(), "rw")) {
                cut.setLength(huge);
            }
            int length = (int) Math.min(Math.max(BulkCopy.NATIVE_COPY_THRESHOLD, 4096), huge - 4096);
            report(() -> segment.read(huge + 4096, new byte[length]));
            report(() -> segment.getString(huge + 8192, 64));
        } finally {
            Files.deleteIfExists(file);
        }
        System.out.println("ALIVE");
    }

    private static void report(Runnable access) {
        try {
            access.run();
            System.out.println("RETURNED");
        } catch (RuntimeException | InternalError e) {
            System.out.println("THREW " + e.getClass().getName() + " | " + e.getMessage());
        }
    }

    private HugeTruncationPeer() {
    }
}
