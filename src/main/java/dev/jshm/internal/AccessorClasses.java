package dev.jshm.internal;

/**
 * Loads the JDK-internal classes that the JDK's buffer accessors name in their signatures, once,
 * before the first mapping exists, so that the JIT inlines those accessors from its first
 * compilation on.
 *
 * <p>C2 does not inline a method whose signature names a class that is not loaded yet (on JDK 17;
 * later JDKs in fewer cases, JDK-8294609). Every access of a direct buffer goes through such
 * methods. On JDK 17, {@code Buffer.scope()} and the {@code ScopedMemoryAccess} accessors name
 * {@code ScopedMemoryAccess.Scope}, and the byte buffer views ({@link BufferViews}) call
 * {@code bufferSegment}, which returns a {@code MemorySegmentProxy}; on JDK 25 the same methods
 * name {@code MemorySessionImpl} and {@code AbstractMemorySegmentImpl}. The JDK loads none of
 * them when a buffer is made or read: a program that maps segments and reads them has loaded
 * neither of JDK 17's when it exits, and one that runs a hot loop loads them at a moment of its
 * own, which races with the loop's first compilations (0.14 to 0.58 s in, in three runs of one
 * program here). A method compiled before that keeps an out-of-line call in every access until
 * it is compiled again: in JMH forks of the typed access benchmarks on JDK 17,
 * {@code Segment.getLong} and the benchmark methods around {@code getInt} and {@code getLong}
 * were compiled that way in some forks and not in others; between two processes the
 * benchmarks' record protocol without checks ran round trips at 170 ns or at 210 to 230 ns by
 * the child JVM's compilations; on JDK 25 one run's compilation of the single-producer ring's
 * claim ({@code takeSpace}) lost its {@code bufferSegment}. Loading them first takes the race
 * away.
 *
 * <p>Each JDK has only some of the names; the others are skipped. Loading a class does not
 * initialize it and does not make it accessible: the classes stay in their non-exported
 * packages.
 */
public final class AccessorClasses {

    /** The classes of the buffer accessors' signatures, by their binary names: JDK 17's, then JDK 25's. */
    static final String[] NAMES = {
        "jdk.internal.misc.ScopedMemoryAccess$Scope",
        "jdk.internal.access.foreign.MemorySegmentProxy",
        "jdk.internal.foreign.MemorySessionImpl",
        "jdk.internal.foreign.AbstractMemorySegmentImpl",
    };

    static {
        for (String name : NAMES) {
            try {
                // The boot loader's, where the buffer classes are; loaded, not initialized.
                Class.forName(name, false, null);
            } catch (ClassNotFoundException absentInThisJdk) {
                // Another JDK's buffers: nothing to load.
            } catch (SecurityException refused) {
                // A security manager that denies RuntimePermission("getClassLoader") (JDK 17 to
                // 23): the JDK loads the class when it will, as without this class. The library
                // must not fail to map over a speed measure.
            }
        }
    }

    private AccessorClasses() {
    }

    /** Loads the classes, the first time only: the class's initialization does it. */
    public static void load() {
        // The static initializer above runs once, before this returns.
    }
}
