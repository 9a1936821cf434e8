package dev.jshm;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child of {@link HugePagesTest}'s truncation test: maps a file of two huge pages on the
 * hugetlbfs mount {@code args[0]} (with {@code jvmCopies()} when {@code args[1]} is {@code jvm},
 * by default when it is {@code native}), cuts the file to one huge page, and copies out of the
 * cut-off page with a length that takes the native path by default. It prints:
 *
 * <pre>
 * NATIVE true|false                      (what the segment's copies may use)
 * THREW &lt;exception class&gt; | &lt;message&gt;   (or RETURNED, should the read not fail)
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
            try {
                segment.read(huge + 4096, new byte[length]);
                System.out.println("RETURNED");
            } catch (RuntimeException e) {
                System.out.println("THREW " + e.getClass().getName() + " | " + e.getMessage());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        System.out.println("ALIVE");
    }

    private HugeTruncationPeer() {
    }
}
