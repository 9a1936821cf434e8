package dev.jshm;

import dev.jshm.sync.Futex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The child JVM of {@link TruncationTest}: maps a POSIX object or a file, has another process
 * (python) truncate it to {@value #KEPT} bytes, and reports how the faults arrived. It runs in
 * its own JVM because the JVM may deliver the InternalError of a fault asynchronously, after
 * the access returned: a test JVM could receive it anywhere.
 *
 * <pre>
 * java dev.jshm.TruncationPeer threads posix /jshm-test-x 1500   # every access path in threads
 * java dev.jshm.TruncationPeer threads file /tmp/dir/f 1500
 * java dev.jshm.TruncationPeer probe posix /jshm-test-x          # single faults, from a cold JVM
 * </pre>
 *
 * <p>Output, one fact a line:
 * <ul>
 * <li>{@code FAULTS <path> sfe=N ie=N ok=N other=N}, {@code SAMPLE <path> <message>},
 *     {@code OTHER <path> <exception>}, {@code STUCK <thread>} (threads);
 * <li>{@code FIRSTFAULT <op> <class> | <message> | cause=<class>} (probe, cold JVM);
 * <li>{@code STRING ok <text>} or {@code STRING failed <exception>}: a string that lies below the
 *     cut, read after the cut (probe);
 * <li>{@code GARBAGE returned=N then=<class>}: after the cut, how many reads of cut-off memory
 *     in compiled code returned a value before an error arrived (probe);
 * <li>{@code BELOW4096 <check> ok|failed <why>}: accesses below the cut still work;
 * <li>{@code DONE} at the end.
 * </ul>
 */
public final class TruncationPeer {

    static final int SIZE = 1 << 20;
    static final int KEPT = 4096;

    /** One way of touching the memory; returns something read so that reads are not optimised away. */
    @FunctionalInterface
    interface Op {
        long run(Segment segment, ByteBuffer view, int offset, byte[] buffer);
    }

    /** Every default access path, by name. */
    static Map<String, Op> paths() {
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("getByte", (s, v, at, b) -> s.getByte(at));
        ops.put("putByte", (s, v, at, b) -> {
            s.putByte(at, (byte) at);
            return 0;
        });
        ops.put("getShort", (s, v, at, b) -> s.getShort(at));
        ops.put("putShort", (s, v, at, b) -> {
            s.putShort(at, (short) at);
            return 0;
        });
        ops.put("getInt", (s, v, at, b) -> s.getInt(at));
        ops.put("putInt", (s, v, at, b) -> {
            s.putInt(at, at);
            return 0;
        });
        ops.put("getLong", (s, v, at, b) -> s.getLong(at));
        ops.put("putLong", (s, v, at, b) -> {
            s.putLong(at, at);
            return 0;
        });
        ops.put("getFloat", (s, v, at, b) -> (long) s.getFloat(at));
        ops.put("putFloat", (s, v, at, b) -> {
            s.putFloat(at, at);
            return 0;
        });
        ops.put("getDouble", (s, v, at, b) -> (long) s.getDouble(at));
        ops.put("putDouble", (s, v, at, b) -> {
            s.putDouble(at, at);
            return 0;
        });
        ops.put("read", (s, v, at, b) -> {
            s.read(at, b);
            return b[7];
        });
        ops.put("write", (s, v, at, b) -> {
            s.write(at, b);
            return 0;
        });
        ops.put("fill", (s, v, at, b) -> {
            s.fill(at, 4096, (byte) 'f');
            return 0;
        });
        ops.put("getString", (s, v, at, b) -> (at & 1) == 0 ? s.getString(at).length() : s.getString(at, 1000).length());
        // The fill's own bytes and a NUL: the strings the other paths scan stay as they were, only shorter.
        ops.put("putString", (s, v, at, b) -> s.putString(at, "aaaaaaa"));
        // A view cannot check each access: its user calls checkBacked after it, as documented.
        ops.put("viewGet", (s, v, at, b) -> {
            long value = v.getLong(at);
            s.checkBacked(at, Long.BYTES);
            return value;
        });
        ops.put("viewPut", (s, v, at, b) -> {
            v.putLong(at, at);
            s.checkBacked(at, Long.BYTES);
            return 0;
        });
        int aligned = ~7;
        ops.put("casInt", (s, v, at, b) -> s.atomics().compareAndSetInt(at & aligned, 0x61616161, 0x61616161) ? 1 : 0);
        ops.put("casLong", (s, v, at, b) -> s.atomics().compareAndSetLong(at & aligned, 1, 2) ? 1 : 0);
        ops.put("getAndAddLong", (s, v, at, b) -> s.atomics().getAndAddLong(at & aligned, 0));
        ops.put("getAndSetInt", (s, v, at, b) -> s.atomics().getAndSetInt(at & aligned, 0x61616161));
        ops.put("getLongVolatile", (s, v, at, b) -> s.atomics().getLongVolatile(at & aligned));
        ops.put("putLongRelease", (s, v, at, b) -> {
            s.atomics().putLongRelease(at & aligned, 0x6161616161616161L);
            return 0;
        });
        ops.put("nativeCasLong", (s, v, at, b) -> s.nativeAtomics().compareAndSetLong(at & aligned, 1, 2) ? 1 : 0);
        ops.put("nativeGetAndAddInt", (s, v, at, b) -> s.nativeAtomics().getAndAddInt(at & aligned, 0));
        ops.put("nativeGetIntAcquire", (s, v, at, b) -> s.nativeAtomics().getIntAcquire(at & aligned));
        ops.put("futexAwait", (s, v, at, b) -> Futex.await(s, at & aligned, 0x61616161, Duration.ZERO).ordinal());
        ops.put("futexWake", (s, v, at, b) -> Futex.wake(s, at & aligned, 1));
        return ops;
    }

    /** Every path of the threads scenario: {@link #paths()}, then {@link TruncationProtocolPaths#NAMES}. */
    static List<String> pathNames() {
        List<String> names = new ArrayList<>(paths().keySet());
        names.addAll(TruncationProtocolPaths.NAMES);
        return names;
    }

    /** Keeps a value read by a path, so that the read is not optimised away. */
    static void consume(long value) {
        sink += value;
    }

    /** What one path's thread saw. */
    static final class Counts {
        final LongAdder segmentFaults = new LongAdder();
        final LongAdder internalErrors = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder other = new LongAdder();
        /** Accesses wholly past the cut, begun after it, that returned without an exception. */
        final LongAdder silent = new LongAdder();
        final AtomicReference<Throwable> sample = new AtomicReference<>();
        final AtomicReference<Throwable> firstOther = new AtomicReference<>();

        void fault(Throwable t) {
            if (t instanceof SegmentFaultException) {
                segmentFaults.increment();
                sample.compareAndSet(null, t);
            } else {
                internalErrors.increment();
            }
        }

        void other(Throwable t) {
            other.increment();
            firstOther.compareAndSet(null, t);
        }
    }

    private static volatile boolean stop;
    /** Set once the object has been truncated. */
    private static volatile boolean cut;
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        boolean posix = args[1].equals("posix");
        String target = args[2];
        try {
            if (mode.equals("threads")) {
                threads(posix, target, Long.parseLong(args[3]));
            } else {
                probe(posix, target);
            }
        } catch (SegmentFaultException | InternalError e) {
            // A fault delivered late, after the step that caused it.
            System.out.println("LATE " + e);
        }
        System.out.println("DONE");
        System.out.flush();
        // A thread that did not stop (reported as STUCK) must not keep the JVM alive.
        System.exit(0);
    }

    // ---- probe: one access at a time -------------------------------------------------------------

    private static void probe(boolean posix, String target) throws Exception {
        String probe = posix ? target + "-probe" : target + ".probe";
        Segment segment = create(posix, probe, 64 * 1024);
        try {
            segment.fill(0, 64 * 1024, (byte) 'p');
            segment.putString(2500, "below the cut");
            truncate(file(posix, probe));
            // The JVM is cold: these run interpreted.
            firstFault("read", () -> segment.read(8192, new byte[256]));
            firstFault("getLong", () -> sink = segment.getLong(16384));
            firstFault("write", () -> segment.write(20000, new byte[300]));
            firstFault("viewGet", () -> sink = segment.asByteBuffer().getLong(30000));
            try {
                segment.checkBacked(30000, 8);
                System.out.println("VIEWCHECK none");
            } catch (SegmentFaultException e) {
                System.out.println("VIEWCHECK " + e.getClass().getName() + " " + e.getMessage());
            }
            try {
                String text = segment.getString(2500);
                settle();
                System.out.println("STRING ok " + text);
            } catch (Throwable t) {
                System.out.println("STRING failed " + t);
            }
            belowTheCut(segment);
        } finally {
            remove(posix, probe, segment);
        }
        jdkBuffer();
        garbage(posix, target);
    }

    /**
     * A SIGBUS outside jshm's mappings (the JDK's own MappedByteBuffer of a truncated file) still
     * reaches the JVM's handler, which jshm's handler calls for every fault it does not own.
     */
    private static void jdkBuffer() throws Exception {
        // In the working directory, which the test gives each child.
        Path file = Path.of("jdk-buffer-" + ProcessHandle.current().pid()).toAbsolutePath();
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.MappedByteBuffer buffer = channel.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 64 * 1024);
            buffer.put(20000, (byte) 1);
            truncate(file.toString());
            firstFault("jdkBuffer", () -> sink = buffer.get(20000));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void firstFault(String op, Runnable access) {
        try {
            access.run();
            settle();
            System.out.println("FIRSTFAULT " + op + " none");
        } catch (Throwable t) {
            Throwable cause = t.getCause();
            System.out.println("FIRSTFAULT " + op + " " + t.getClass().getName() + " | " + t.getMessage() + " | cause="
                    + (cause == null ? "none" : cause.getClass().getName()));
        }
    }

    /**
     * Gives a pending asynchronous fault the chance to arrive here rather than in the next step:
     * the interpreter checks for one when it enters the VM, as it does to throw.
     */
    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            try {
                throw new IllegalStateException("settle");
            } catch (IllegalStateException expected) {
                sink += expected.getMessage().length();
            }
            Thread.sleep(5);
        }
    }

    /** Reads of cut-off memory from compiled code: how many return a value before an error arrives. */
    private static void garbage(boolean posix, String target) throws Exception {
        Segment segment = create(posix, target, SIZE);
        try {
            segment.fill(0, SIZE, (byte) 0x11);
            long sum = 0;
            for (int i = 0; i < 3_000_000; i++) {
                sum += readAt(segment, (i * 8L) % (SIZE / 2));
            }
            sink += sum;
            truncate(file(posix, target));
            long returned = 0;
            String then = "none";
            try {
                for (long i = 0; i < 10_000_000L; i++) {
                    sum += readAt(segment, 8192 + (i & 1023) * 8);
                    returned++;
                }
            } catch (SegmentFaultException | InternalError e) {
                then = e.getClass().getName();
            }
            sink += sum;
            System.out.println("GARBAGE returned=" + returned + " then=" + then);
        } finally {
            remove(posix, target, segment);
        }
    }

    private static long readAt(Segment segment, long offset) {
        return segment.getLong(offset);
    }

    // ---- threads: every path at once -------------------------------------------------------------

    private static void threads(boolean posix, String target, long runMillis) throws Exception {
        Segment segment = create(posix, target, SIZE + TruncationProtocolPaths.BYTES);
        try {
            // Non-zero bytes with a NUL every 4 KiB, so that string scans end but read something first.
            segment.fill(0, SIZE, (byte) 'a');
            for (int at = KEPT - 1; at < SIZE; at += KEPT) {
                segment.putByte(at, (byte) 0);
            }
            Map<String, Counts> counts = new LinkedHashMap<>();
            List<Thread> threads = new ArrayList<>();
            Map<String, Op> ops = paths();
            // Above SIZE, where the paths above never write: wholly past the cut.
            Map<String, Op> protocols = TruncationProtocolPaths.paths(segment, SIZE, () -> cut);
            ops.putAll(protocols);
            CountDownLatch started = new CountDownLatch(ops.size());
            int seed = 1;
            for (Map.Entry<String, Op> entry : ops.entrySet()) {
                Counts c = new Counts();
                counts.put(entry.getKey(), c);
                int threadSeed = seed++;
                boolean wholeBeyondCut = protocols.containsKey(entry.getKey());
                Thread thread = new Thread(() -> {
                    try {
                        loop(segment, entry.getValue(), c, threadSeed, started, wholeBeyondCut);
                    } catch (SegmentFaultException | InternalError e) {
                        // Delivered at the return of loop(), after its last access.
                        c.fault(e);
                    } catch (RuntimeException e) {
                        c.other(e);
                    }
                }, "access-" + entry.getKey());
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            started.await();
            // Every path runs (and, unless the JIT is off, gets compiled) before the cut, which
            // then comes at a random moment.
            long delay = 300 + java.util.concurrent.ThreadLocalRandom.current().nextLong(300);
            System.out.println("CUT after " + delay + " ms");
            Thread.sleep(delay);
            truncate(file(posix, target));
            cut = true;
            // In compiled code the JVM skips a faulting access and raises the error at the
            // thread's next safepoint check; safepoints now and then make sure it arrives.
            for (long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis); System.nanoTime() < end; ) {
                Thread.sleep(100);
                System.gc();
            }
            stop = true;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(20));
                if (thread.isAlive()) {
                    System.out.println("STUCK " + thread.getName());
                }
            }
            for (Map.Entry<String, Counts> entry : counts.entrySet()) {
                Counts c = entry.getValue();
                System.out.println("FAULTS " + entry.getKey() + " sfe=" + c.segmentFaults.sum() + " ie=" + c.internalErrors.sum()
                        + " ok=" + c.ok.sum() + " other=" + c.other.sum() + " silent=" + c.silent.sum());
                Throwable sample = c.sample.get();
                if (sample != null) {
                    System.out.println("SAMPLE " + entry.getKey() + " " + sample.getMessage() + " | cause="
                            + (sample.getCause() == null ? "none" : sample.getCause().getClass().getName()));
                }
                Throwable other = c.firstOther.get();
                if (other != null) {
                    System.out.println("OTHER " + entry.getKey() + " " + other);
                }
            }
            belowTheCut(segment);
        } finally {
            remove(posix, target, segment);
        }
    }

    /** @param wholeBeyondCut whether every access of {@code op} is past the cut, whatever its offset argument */
    private static void loop(Segment segment, Op op, Counts counts, int seed, CountDownLatch started, boolean wholeBeyondCut) {
        ByteBuffer view = segment.asByteBuffer();
        byte[] buffer = new byte[512];
        int x = seed * 0x9E3779B9;
        started.countDown();
        long local = 0;
        int n = 0;
        while (!stop) {
            // The outer catch takes an error delivered after an access returned, outside the inner try.
            try {
                while (!stop) {
                    x ^= x << 13;
                    x ^= x >>> 17;
                    x ^= x << 5;
                    int at = (x & 0x7fffffff) % (SIZE - 8192);
                    boolean afterCut = cut;
                    try {
                        local += op.run(segment, view, at, buffer);
                        counts.ok.increment();
                        if (afterCut && (at >= KEPT || wholeBeyondCut)) {
                            // The memory was gone before the access began, and no one said so.
                            counts.silent.increment();
                        }
                    } catch (SegmentFaultException | InternalError e) {
                        counts.fault(e);
                    } catch (RuntimeException e) {
                        counts.other(e);
                    }
                    if (!cut && (++n & 0xFF) == 0) {
                        // Leave the truncating process some CPU. Not after the cut: a thread
                        // that is in native code (yield) at a safepoint misses the chance to
                        // receive its pending fault there.
                        Thread.yield();
                    }
                }
            } catch (SegmentFaultException | InternalError e) {
                counts.fault(e);
            } catch (RuntimeException e) {
                counts.other(e);
            }
        }
        sink += local;
    }

    // ---- shared -------------------------------------------------------------------------------

    /** Below the cut the memory is still backed: typed, bulk and view accesses work there. */
    private static void belowTheCut(Segment segment) {
        check("typed", () -> {
            segment.putLong(64, 0x0123456789ABCDEFL);
            segment.putInt(128, 77);
            segment.putDouble(KEPT - 8, 2.5);
            return segment.getLong(64) == 0x0123456789ABCDEFL && segment.getInt(128) == 77 && segment.getDouble(KEPT - 8) == 2.5;
        });
        check("bulk", () -> {
            byte[] data = new byte[1000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            segment.write(1000, data);
            byte[] back = new byte[1000];
            segment.read(1000, back);
            segment.fill(2100, 100, (byte) 9);
            return Arrays.equals(data, back) && segment.getByte(2199) == 9 && segment.getString(2500, 100) != null;
        });
        check("view", () -> {
            ByteBuffer view = segment.asByteBuffer(0, KEPT);
            view.putLong(3000, 5);
            return segment.getLong(3000) == 5 && view.getLong(64) == 0x0123456789ABCDEFL;
        });
    }

    @FunctionalInterface
    private interface Check {
        boolean run() throws Exception;
    }

    private static void check(String name, Check check) {
        try {
            boolean ok = check.run();
            settle();
            System.out.println("BELOW4096 " + name + (ok ? " ok" : " failed: wrong value read back"));
        } catch (Throwable t) {
            System.out.println("BELOW4096 " + name + " failed: " + t);
        }
    }

    private static Segment create(boolean posix, String target, int size) {
        return posix ? PosixSegment.create(target, size) : MappedFileSegment.create(Path.of(target), size);
    }

    private static String file(boolean posix, String target) {
        return posix ? "/dev/shm" + target : target;
    }

    private static void remove(boolean posix, String target, Segment segment) throws IOException {
        segment.close();
        if (posix) {
            PosixSegment.unlink(target);
        } else {
            Files.delete(Path.of(target));
        }
    }

    /** Another process cuts the file to {@value #KEPT} bytes. */
    private static void truncate(String file) throws IOException, InterruptedException {
        TestProcesses.Result python = TestProcesses.run(Duration.ofSeconds(60), null, null,
                List.of("python3", "-c", "import os, sys; os.truncate(sys.argv[1], " + KEPT + ")", file));
        if (python.exit() != 0) {
            throw new IllegalStateException("python could not truncate " + file + ":\n" + python.describe());
        }
        if (Files.size(Path.of(file)) != KEPT) {
            throw new IllegalStateException(file + " was not truncated");
        }
    }
}
