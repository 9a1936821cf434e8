package dev.jshm.ring;

import dev.jshm.ShmException;

/**
 * The ring's shared memory holds a value no correct peer writes: a process wrote into it (a bug,
 * a stray pointer, another program that uses the memory) or a peer of another protocol version
 * shares it. The ring refuses before it reads or writes anything with that value; the message
 * names the ring, the field, the position and the value. The ring is not usable after this
 * without repair (the consumer cannot know where the next record starts).
 */
public final class RingCorruptedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** The field that holds an impossible value. */
    private final String field;
    /** Where the field was read. */
    private final long position;
    /** The value read. */
    private final long value;

    RingCorruptedException(String ring, String operation, String field, long position, long value, String expected) {
        super("corrupt " + ring + ": " + field + " at position " + position + " reads " + value + ", " + expected,
                operation + " of " + ring, 0, null);
        this.field = field;
        this.position = position;
        this.value = value;
    }

    /**
     * {@return the field that holds an impossible value} One of {@code "head"}, {@code "tail"},
     * {@code "record length"}, {@code "record type"}, {@code "claim length"}.
     */
    public String field() {
        return field;
    }

    /**
     * {@return where the value was read} For a record's field, the record's ring position (bytes
     * since creation), except from {@link MessageRing#commit} and {@link MessageRing#abort},
     * which give the record's index in the record area (their {@code index} minus 8). For the
     * head or the tail, the head as this process read it (the tail itself for a tail that is
     * not 8-aligned).
     */
    public long position() {
        return position;
    }

    /** {@return the value read} */
    public long value() {
        return value;
    }
}
