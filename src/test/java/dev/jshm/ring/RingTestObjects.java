package dev.jshm.ring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentNotFoundException;

/** POSIX objects for one test, each with a name of its own; {@link #close()} unmaps and unlinks them all. */
final class RingTestObjects implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final List<PosixSegment> created = new ArrayList<>();

    /** A new object of {@code size} bytes, named {@code /jshm-ring-test-<pid>-<n>}. */
    PosixSegment create(long size) {
        String name = "/jshm-ring-test-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        PosixSegment segment = PosixSegment.create(name, size);
        created.add(segment);
        return segment;
    }

    @Override
    public void close() {
        for (PosixSegment segment : created) {
            segment.close();
            try {
                segment.unlink();
            } catch (SegmentNotFoundException alreadyGone) {
                // the test unlinked it itself
            }
        }
        created.clear();
    }
}
