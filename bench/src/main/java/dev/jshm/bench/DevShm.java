package dev.jshm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's own way to share memory, for comparison: a file in {@code /dev/shm} mapped with
 * {@link FileChannel#map}. Names are unique per process so two runs never collide.
 */
final class DevShm {

    static final Path DIR = Path.of("/dev/shm");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private DevShm() {
    }

    /** A name no other benchmark process uses: {@code jshm-bench-<pid>-<tag>-<n>}. */
    static String uniqueName(String tag) {
        return "jshm-bench-" + ProcessHandle.current().pid() + "-" + tag + "-" + COUNTER.incrementAndGet();
    }

    /** A fresh path in /dev/shm that does not exist yet. */
    static Path newPath(String tag) {
        return DIR.resolve(uniqueName(tag));
    }

    /** Creates {@code path} with {@code size} bytes and maps it read-write in native order. */
    static MappedByteBuffer map(Path path, int size) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            buffer.order(ByteOrder.nativeOrder());
            return buffer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Unmaps a mapped buffer at once. JDK 17 has no public way: without this a loop of map calls
     * keeps every mapping until a GC, and runs into vm.max_map_count.
     */
    static void unmap(ByteBuffer buffer) {
        UNSAFE.invokeCleaner(buffer);
    }

    static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every byte once so that no benchmark pays for page faults. */
    static void touch(ByteBuffer buffer) {
        for (int i = 0; i < buffer.capacity(); i += 512) {
            buffer.put(i, (byte) 1);
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
