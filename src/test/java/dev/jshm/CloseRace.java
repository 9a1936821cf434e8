package dev.jshm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Closes segments while threads read and write them, over and over: what {@link CloseRaceTest}
 * runs in the test JVM and {@link CloseRaceMain} in a child JVM.
 *
 * <p>Each round creates a private segment (already marked for removal), starts one worker of
 * each {@link Work} kind, waits until every worker has done its first access, and closes the
 * segment from the calling thread at a slightly random moment. A worker stops at the first
 * {@link IllegalStateException} that says "closed"; anything else it sees is collected as
 * unexpected. The forbidden outcomes: a crash (the JVM dies), an unexpected exception, a worker
 * that never sees the close, a segment left behind.
 */
final class CloseRace {

    static final long SEGMENT_SIZE = 64 * 1024;

    /** How long a worker may go on without seeing the close before it counts as a failure. */
    private static final long WORKER_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What one worker does in its loop. */
    enum Work {
        /** Typed puts and gets of every width at random offsets. */
        TYPED,
        /** Native copies of the whole segment out to an array. */
        BULK_READ,
        /** Native copies of an array over the whole segment. */
        BULK_WRITE,
        /** Native fills of the whole segment. */
        FILL,
        /** putString, and getString that scans (natively) for the NUL. */
        STRINGS,
        /** One view of the whole segment, read and written long by long, kept across the close. */
        VIEW,
        /** A new small window at a random offset each time. */
        WINDOWS,
        /** Small copies at random offsets in and out. */
        SMALL_COPIES
    }

    /** What a run saw. */
    record Result(int rounds, List<Throwable> unexpected, List<Integer> shmids, long viewPassesAfterClose,
                  long accessesOverlappingClose) {

        /** One line for the log: how much racing actually happened. */
        String summary() {
            return "close race: rounds=" + rounds + " unexpected=" + unexpected.size() + " viewPassesAfterClose="
                    + viewPassesAfterClose + " (accesses that finished after close() began: "
                    + accessesOverlappingClose + ")";
        }
    }

    private CloseRace() {
    }

    /** Runs {@code rounds} rounds with {@code workersPerKind} workers of each kind. */
    static Result run(int rounds, int workersPerKind) throws InterruptedException {
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        List<Integer> shmids = new ArrayList<>();
        AtomicLong viewPassesAfterClose = new AtomicLong();
        AtomicLong overlapping = new AtomicLong();
        Work[] kinds = Work.values();
        int workers = kinds.length * workersPerKind;

        for (int round = 0; round < rounds; round++) {
            SysVSegment segment = SysVSegment.createPrivate(SEGMENT_SIZE);
            shmids.add(segment.shmid());
            try {
                segment.remove();
            } catch (RuntimeException e) {
                segment.close();
                throw e;
            }
            CountDownLatch running = new CountDownLatch(workers);
            List<Thread> threads = new ArrayList<>(workers);
            for (int i = 0; i < workers; i++) {
                Work kind = kinds[i % kinds.length];
                Thread thread = new Thread(() -> work(kind, segment, running, unexpected, viewPassesAfterClose, overlapping),
                        "close-race-" + round + "-" + kind);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            if (!running.await(10, TimeUnit.SECONDS)) {
                unexpected.add(new AssertionError("round " + round + ": the workers did not all start within 10 s"));
            }
            // Close at a slightly different point of the workers' loops each round.
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(0, 300_000));
            segment.close();
            for (Thread thread : threads) {
                thread.join(TimeUnit.NANOSECONDS.toMillis(WORKER_DEADLINE_NANOS) + 5_000);
                if (thread.isAlive()) {
                    unexpected.add(new AssertionError(thread.getName() + " still runs long after the close"));
                    thread.interrupt();
                }
            }
        }
        return new Result(rounds, new ArrayList<>(unexpected), shmids, viewPassesAfterClose.get(), overlapping.get());
    }

    private static void work(Work kind, SysVSegment segment, CountDownLatch running, List<Throwable> unexpected,
                             AtomicLong viewPassesAfterClose, AtomicLong overlapping) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int size = (int) segment.size();
        byte[] whole = new byte[size];
        byte[] small = new byte[64];
        ByteBuffer view = null;
        long deadline = System.nanoTime() + WORKER_DEADLINE_NANOS;
        boolean started = false;
        try {
            if (kind == Work.VIEW) {
                view = segment.asByteBuffer();
            }
            while (true) {
                switch (kind) {
                    case TYPED -> {
                        long offset = random.nextInt(size - Long.BYTES + 1);
                        segment.putLong(offset, offset);
                        segment.getLong(offset);
                        segment.putInt(offset, 1);
                        segment.getInt(offset);
                        segment.putShort(offset, (short) 2);
                        segment.getShort(offset);
                        segment.putByte(offset, (byte) 3);
                        segment.getByte(offset);
                        segment.putDouble(offset, 4.0);
                        segment.getDouble(offset);
                        segment.putFloat(offset, 5.0f);
                        segment.getFloat(offset);
                    }
                    case BULK_READ -> segment.read(0, whole);
                    case BULK_WRITE -> segment.write(0, whole);
                    case FILL -> segment.fill(0, size, (byte) random.nextInt(1, 256));
                    case STRINGS -> {
                        long offset = random.nextInt(size - 64);
                        segment.putString(offset, "close race");
                        segment.getString(offset);
                        segment.getString(offset, 32);
                    }
                    case VIEW -> {
                        viewPass(view);
                        segment.asByteBuffer(0, Long.BYTES).getLong(0); // throws once closed
                    }
                    case WINDOWS -> {
                        ByteBuffer window = segment.asByteBuffer(random.nextInt(size - 64), 64);
                        window.putLong(0, window.getLong(56) + 1);
                    }
                    case SMALL_COPIES -> {
                        long offset = random.nextInt(size - small.length + 1);
                        segment.read(offset, small);
                        segment.write(size - small.length - offset, small);
                    }
                }
                if (segment.isClosed()) {
                    // This access began before the close and finished after it began.
                    overlapping.incrementAndGet();
                }
                if (!started) {
                    started = true;
                    running.countDown();
                }
                // Two cores, nine busy threads: let the closing thread and the others in.
                Thread.yield();
                if (System.nanoTime() > deadline) {
                    unexpected.add(new AssertionError(kind + " worker never saw the close"));
                    return;
                }
            }
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().contains("closed")) {
                unexpected.add(e);
            }
            if (view != null) {
                // Use after close on purpose: the old view must still be harmless.
                viewPass(view);
                viewPassesAfterClose.incrementAndGet();
            }
        } catch (Throwable e) {
            unexpected.add(e);
        } finally {
            if (!started) {
                running.countDown();
            }
        }
    }

    private static void viewPass(ByteBuffer view) {
        long sum = 0;
        for (int i = 0; i + Long.BYTES <= view.capacity(); i += Long.BYTES) {
            sum += view.getLong(i);
            view.putLong(i, sum);
        }
    }
}
