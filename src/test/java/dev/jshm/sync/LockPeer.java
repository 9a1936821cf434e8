package dev.jshm.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;
import dev.jshm.TestProcesses;
import dev.jshm.sync.RobustLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The C peer of a {@link RobustLock} ({@code src/test/c/lock_holder.c}), built from the C core
 * as a C program sharing memory with Java would build it, once per test JVM.
 */
final class LockPeer {

    private static final Path BINARY = TestProcesses.targetDir().resolve("test-bin/lock_holder");
    private static boolean built;

    private LockPeer() {
    }

    /** The built program; builds it into a temporary name first, so a concurrent build never runs a half-written file. */
    static synchronized Path binary() throws IOException, InterruptedException {
        if (!built) {
            Files.createDirectories(BINARY.getParent());
            Path partial = Files.createTempFile(BINARY.getParent(), "lock_holder", ".partial");
            Path base = TestProcesses.basedir();
            List<String> command = new ArrayList<>(List.of("gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror",
                    "-D_GNU_SOURCE", "-I" + base.resolve("src/main/c"), "-o", partial.toString(),
                    base.resolve("src/test/c/lock_holder.c").toString()));
            command.addAll(TestProcesses.cCoreSources());
            TestProcesses.Result gcc = TestProcesses.run(Duration.ofSeconds(120),
                    new ProcessBuilder(command).redirectErrorStream(true), null);
            assertEquals(0, gcc.exit(), () -> String.join(" ", command) + "\n" + gcc.out());
            Files.move(partial, BINARY, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            built = true;
        }
        return BINARY;
    }

    /** Field 22 of {@code /proc/<tid>/stat}: the thread's start time in clock ticks after boot. */
    static long startTicks(long tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + tid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[22 - 3]);
    }

    /** The lock word that names thread {@code tid} started at {@code ticks} as the owner. */
    static long ownerWord(long tid, long ticks) {
        return tid | (ticks & 0xffffffffL) << 32;
    }

    /** Starts {@code lock_holder MODE KIND TARGET OFFSET EXTRA...} on the lock at {@code offset} of {@code segment}. */
    static TestProcesses.Child start(String mode, Segment segment, long offset, String... extra)
            throws IOException, InterruptedException {
        String kind = segment instanceof SysVSegment ? "sysv" : "posix";
        String target = segment instanceof SysVSegment s ? Integer.toString(s.shmid()) : ((PosixSegment) segment).name();
        List<String> command = new ArrayList<>(List.of(binary().toString(), mode, kind, target, Long.toString(offset)));
        command.addAll(List.of(extra));
        return TestProcesses.start(command);
    }
}
