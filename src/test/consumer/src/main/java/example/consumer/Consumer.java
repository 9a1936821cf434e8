package example.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;
import dev.jshm.ring.MessageRing;

/**
 * What a new user tries first: a private System V segment, a POSIX object, an atomic
 * compare-and-set and a message ring. Prints one line per step to stdout and nothing to stderr;
 * any failure is an exception and a non-zero exit.
 */
public final class Consumer {

    private Consumer() {
    }

    public static void main(String[] args) {
        Module jshm = Segment.class.getModule();
        System.out.println("jshm module: " + (jshm.isNamed() ? jshm.getName() : "unnamed"));

        try (SysVSegment segment = SysVSegment.createPrivate(4096)) {
            segment.putString(0, "hello from a consumer");
            check("sysv", segment.getString(0), "hello from a consumer");
            segment.remove();
        }

        String name = "/jshm-consumer-" + ProcessHandle.current().pid();
        try (PosixSegment segment = PosixSegment.create(name, 4096)) {
            try {
                segment.putLong(64, 0x0102030405060708L);
                check("posix", Long.toHexString(segment.getLong(64)), "102030405060708");

                var atomics = segment.atomics();
                boolean swapped = atomics.compareAndSetLong(64, 0x0102030405060708L, 42);
                boolean stale = atomics.compareAndSetLong(64, 0x0102030405060708L, 43);
                check("cas", swapped + " " + stale + " " + segment.getLong(64), "true false 42");
            } finally {
                segment.unlink();
            }
        }

        int capacity = 1 << 12;
        try (SysVSegment segment = SysVSegment.createPrivate(MessageRing.requiredSize(capacity))) {
            try {
                MessageRing ring = MessageRing.create(segment, capacity);
                byte[] payload = "order 17".getBytes(StandardCharsets.UTF_8);
                if (!ring.offer(7, payload, 0, payload.length)) {
                    throw new IllegalStateException("ring: offer refused on an empty ring");
                }
                List<String> received = new ArrayList<>();
                int polled = ring.poll((type, buffer, offset, length) -> {
                    byte[] bytes = new byte[length];
                    buffer.get(offset, bytes);
                    received.add(type + ":" + new String(bytes, StandardCharsets.UTF_8));
                }, 10);
                check("ring", polled + " " + received, "1 [7:order 17]");
            } finally {
                segment.remove();
            }
        }
    }

    private static void check(String step, String actual, String expected) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(step + ": expected '" + expected + "', got '" + actual + "'");
        }
        System.out.println(step + " ok: " + actual);
    }
}
