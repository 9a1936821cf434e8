package dev.jshm.internal;

import dev.jshm.Segment;
import java.lang.invoke.MethodHandles;

/**
 * Hands the packages of this module the operations {@code dev.jshm} keeps to itself, as the JDK's
 * {@code SharedSecrets} does: {@code dev.jshm} registers its implementation from
 * {@link Segment}'s static initialiser, and reading forces that initialisation.
 *
 * <p>Not part of the API (see {@link SegmentMemory} for why calling it from the class path opens
 * nothing). Thread-safe.
 */
public final class Secrets {

    private static final String IMPLEMENTATION = "dev.jshm.SegmentMemoryBridge";
    private static final String OPENER_IMPLEMENTATION = "dev.jshm.RegularFileOpenerBridge";

    private static volatile SegmentMemory segmentMemory;
    private static volatile RegularFileOpener regularFileOpener;

    private Secrets() {
    }

    /**
     * Registers the one implementation; called by {@link Segment}'s static initialiser.
     *
     * @param memory the implementation
     * @throws IllegalArgumentException if {@code memory} is not {@code dev.jshm}'s implementation
     * @throws IllegalStateException    if one is registered already
     */
    public static synchronized void setSegmentMemory(SegmentMemory memory) {
        // Only dev.jshm's own implementation: any other would keep Segment from initialising.
        Class<?> type = memory.getClass();
        if (!type.getName().equals(IMPLEMENTATION) || type.getClassLoader() != Secrets.class.getClassLoader()) {
            throw new IllegalArgumentException("not the segment memory bridge of dev.jshm: " + type.getName());
        }
        if (segmentMemory != null) {
            throw new IllegalStateException("the segment memory bridge is registered already");
        }
        segmentMemory = memory;
    }

    /**
     * Registers the one opener of regular files; called by {@link Segment}'s static initialiser.
     *
     * @param opener the implementation
     * @throws IllegalArgumentException if {@code opener} is not {@code dev.jshm}'s implementation
     * @throws IllegalStateException    if one is registered already
     */
    public static synchronized void setRegularFileOpener(RegularFileOpener opener) {
        Class<?> type = opener.getClass();
        if (!type.getName().equals(OPENER_IMPLEMENTATION) || type.getClassLoader() != Secrets.class.getClassLoader()) {
            throw new IllegalArgumentException("not the regular file opener of dev.jshm: " + type.getName());
        }
        if (regularFileOpener != null) {
            throw new IllegalStateException("the regular file opener is registered already");
        }
        regularFileOpener = opener;
    }

    /**
     * {@return the opener {@code dev.jshm} registered} Initialises {@link Segment} first if need
     * be, so it is never null once {@code Segment}'s initialiser has run.
     */
    public static RegularFileOpener regularFileOpener() {
        RegularFileOpener opener = regularFileOpener;
        if (opener == null) {
            initializeSegment();
            opener = regularFileOpener;
        }
        return opener;
    }

    private static void initializeSegment() {
        try {
            MethodHandles.lookup().ensureInitialized(Segment.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@return the implementation {@code dev.jshm} registered} Initialises {@link Segment} first
     * if need be, so it is never null once {@code Segment}'s initialiser has run.
     */
    public static SegmentMemory segmentMemory() {
        SegmentMemory memory = segmentMemory;
        if (memory == null) {
            initializeSegment();
            memory = segmentMemory;
        }
        return memory;
    }
}
