package io.framewire.schedule;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * One binary message as received: still encoded, since a frame that gets replaced is never decoded.
 * Its bytes sit in a pooled buffer that goes back to the pool with {@link #release()}: exactly once,
 * by whoever holds the frame last (the mailbox when it replaces or discards it, else the worker).
 * A frame never released is only lost to the pool, not leaked: the GC takes it.
 *
 * @param seq           0-based index of the binary message on its connection
 * @param buffer        the encoded image, from position 0 to the limit
 * @param receivedNanos {@link System#nanoTime()} when the message was read
 * @param skippedBefore frames of this stream refused before the mailbox (over the rate limit) since
 *                      the previous frame offered: reported in the {@code dropped} of this frame's answer
 */
public record Frame(long seq, RetainableByteBuffer buffer, long receivedNanos, long skippedBefore) {

    /** An unpooled frame (tests, tools). */
    public Frame(long seq, byte[] data, long receivedNanos, long skippedBefore) {
        this(seq, RetainableByteBuffer.wrap(ByteBuffer.wrap(data)), receivedNanos, skippedBefore);
    }

    public Frame(long seq, byte[] data, long receivedNanos) {
        this(seq, data, receivedNanos, 0);
    }

    /** The encoded image, position 0 to limit; read it with absolute gets (or a duplicate). */
    public ByteBuffer data() {
        return buffer.getByteBuffer();
    }

    public void release() {
        buffer.release();
    }
}
