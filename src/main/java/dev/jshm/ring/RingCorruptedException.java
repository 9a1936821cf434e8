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

    private final String field;
    private final long position;
    private final long value;

    RingCorruptedException(String ring, String operation, String field, long position, long value, String expected) {
        super("corrupt " + ring + ": " + field + " at position " + position + " reads " + value + ", " + expected,
                operation + " of " + ring, 0, null);
        this.field = field;
        this.position = position;
        this.value = value;
    }

    /** The field that holds an impossible value ({@code "head"}, {@code "tail"}, {@code "record length"}, ...). */
    public String field() {
        return field;
    }

    /** The ring position (bytes since creation) of the record, or the value of {@code head} for a header field. */
    public long position() {
        return position;
    }

    /** The value read. */
    public long value() {
        return value;
    }
}
