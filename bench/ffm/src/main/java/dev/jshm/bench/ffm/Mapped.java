package dev.jshm.bench.ffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/** Files in /dev/shm mapped as {@link MemorySegment}s whose lifetime is an {@link Arena}'s. */
final class Mapped {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Mapped() {
    }

    static Path newPath(String tag) {
        return Path.of("/dev/shm", "jshm-bench-" + ProcessHandle.current().pid() + "-" + tag + "-" + COUNTER.incrementAndGet());
    }

    /** Creates {@code path} with {@code size} bytes and maps it read-write into {@code arena}. */
    static MemorySegment create(Path path, long size, Arena arena) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Maps an existing file whole. */
    static MemorySegment open(Path path, Arena arena) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void touch(MemorySegment segment) {
        for (long i = 0; i < segment.byteSize(); i += 512) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 1);
        }
    }
}
