package dev.jshm.internal;

import dev.jshm.SysVSegment;

/**
 * Run in a child JVM by {@link AccessorClassesTest}: maps a segment, reads and writes it through
 * the typed methods (the JDK's buffer accessors), then prints {@link #MARK} and exits. Nothing
 * else runs in the child, so what it loaded before the mark, it loaded for that.
 */
public final class AccessorClassesMain {

    static final String MARK = "segment mapped and accessed";

    private AccessorClassesMain() {
    }

    public static void main(String[] args) {
        try (SysVSegment segment = SysVSegment.createPrivate(4096)) {
            segment.remove();
            segment.putLong(8, 42L);
            if (segment.getLong(8) != 42L || segment.getByte(8) != 42) {
                throw new AssertionError("read back something else than 42");
            }
        }
        System.out.println(MARK);
    }
}
