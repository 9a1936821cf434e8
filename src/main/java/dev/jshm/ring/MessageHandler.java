package dev.jshm.ring;

import java.nio.ByteBuffer;

/**
 * Receives the messages that {@link MessageRing#poll} reads, one call per message, in order, on
 * the thread that polls. An exception thrown by {@link #onMessage} ends the poll and propagates
 * from it; the message it was given counts as consumed.
 */
@FunctionalInterface
public interface MessageHandler {

    /**
     * One message.
     *
     * @param msgTypeId the type the producer gave it (always {@code >= 1})
     * @param buffer    a read-only view of the ring's record area, native byte order; the
     *                  message is {@code buffer[offset, offset + length)}. Valid only during the
     *                  call: the ring reuses the space as soon as the poll returns. Read it with
     *                  absolute gets (the ring resets position and limit before every call).
     * @param offset    where the message starts in {@code buffer}
     * @param length    its length in bytes, possibly 0
     */
    void onMessage(int msgTypeId, ByteBuffer buffer, int offset, int length);
}
