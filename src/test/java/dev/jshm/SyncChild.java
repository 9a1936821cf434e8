package dev.jshm;

import dev.jshm.sync.Futex;
import dev.jshm.sync.FutexIdleStrategy;
import dev.jshm.sync.IdleStrategy;
import dev.jshm.sync.RobustLock;
import dev.jshm.sync.WaitResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The other process of the coordination tests: attaches the segment its parent passed in
 * {@code JSHM_SEGMENT} and runs one scenario, talking over standard input and output.
 *
 * <ul>
 * <li>{@code cas-count OFFSET N java|native}: prints {@code ready}, waits for {@code go}, adds 1
 *     to the long at OFFSET N times with a compare-and-set loop, prints {@code done}.</li>
 * <li>{@code futex-wait OFFSET EXPECTED TIMEOUT_MS FLAG_OFFSET}: prints {@code waiting}, waits on
 *     the futex word, sets the int at FLAG_OFFSET to 1, prints the {@link WaitResult}.</li>
 * <li>{@code lock-count LOCK_OFFSET COUNTER_OFFSET N}: prints {@code ready}, waits for
 *     {@code go}, N times: lock, read the long counter, write it plus one (not atomically),
 *     unlock; prints {@code done}.</li>
 * <li>{@code futex-pingpong N}: answers N items with N acks, waiting with a
 *     {@link FutexIdleStrategy} that never spins or yields (see {@code IdleStrategyTest}).</li>
 * <li>{@code lock-hold LOCK_OFFSET}: locks, prints {@code locked}, and holds the lock until it is
 *     killed (or its standard input ends).</li>
 * </ul>
 */
public final class SyncChild {

    private SyncChild() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Segment segment = SegmentLocator.fromEnvironment().open(Access.READ_WRITE)) {
            switch (args[0]) {
                case "cas-count" -> {
                    long offset = Long.parseLong(args[1]);
                    int n = Integer.parseInt(args[2]);
                    SegmentAtomics atomics = args[3].equals("native") ? segment.nativeAtomics() : segment.atomics();
                    ready(in);
                    for (int i = 0; i < n; i++) {
                        long seen;
                        do {
                            seen = atomics.getLongVolatile(offset);
                        } while (!atomics.compareAndSetLong(offset, seen, seen + 1));
                    }
                    System.out.println("done");
                }
                case "futex-wait" -> {
                    long offset = Long.parseLong(args[1]);
                    int expected = Integer.parseInt(args[2]);
                    Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
                    long flag = Long.parseLong(args[4]);
                    System.out.println("waiting");
                    WaitResult result = Futex.await(segment, offset, expected, timeout);
                    segment.atomics().putIntVolatile(flag, 1);
                    System.out.println(result);
                }
                case "lock-count" -> {
                    RobustLock lock = RobustLock.attach(segment, Long.parseLong(args[1]));
                    long counter = Long.parseLong(args[2]);
                    int n = Integer.parseInt(args[3]);
                    ready(in);
                    for (int i = 0; i < n; i++) {
                        lock.lock();
                        try {
                            segment.putLong(counter, segment.getLong(counter) + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                    System.out.println("done");
                }
                case "lock-hold" -> {
                    RobustLock lock = RobustLock.attach(segment, Long.parseLong(args[1]));
                    lock.lock();
                    System.out.println("locked");
                    System.out.flush();
                    while (in.readLine() != null) {
                        // hold the lock until killed, or until the parent goes away
                    }
                }
                case "futex-pingpong" -> {
                    int n = Integer.parseInt(args[1]);
                    // Items arrive at 64 (signalled on the strategy word at 0); acks go to 72 (word at 8).
                    IdleStrategy idle = new FutexIdleStrategy(segment, 0, 0, 0, Duration.ofSeconds(30));
                    SegmentAtomics atomics = segment.atomics();
                    System.out.println("ready");
                    for (long i = 1; i <= n; i++) {
                        while (atomics.getLongAcquire(64) != i) {
                            idle.idle(0);
                        }
                        idle.idle(1);
                        atomics.putLongRelease(72, i);
                        FutexIdleStrategy.signal(segment, 8);
                    }
                    System.out.println("done");
                }
                default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
            }
        }
        System.out.flush();
    }

    private static void ready(BufferedReader in) throws IOException {
        System.out.println("ready");
        System.out.flush();
        String line = in.readLine();
        if (!"go".equals(line)) {
            throw new IllegalStateException("expected go, got " + line);
        }
    }
}
