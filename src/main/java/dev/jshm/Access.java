package dev.jshm;

/** How a segment is mapped into this process. */
public enum Access {
    /** Reads and writes; the default. */
    READ_WRITE,
    /**
     * Reads only: writes throw {@link ReadOnlySegmentException} before touching memory, and
     * buffer views are read-only.
     */
    READ_ONLY
}
