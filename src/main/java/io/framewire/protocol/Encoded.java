package io.framewire.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A text message encoded once (UTF-8) and shared by every connection it goes to: 400 watchers of a
 * stream hold one copy of a result, not 400. Each send takes its own {@link #payload() view}; nobody
 * writes into the bytes.
 */
public final class Encoded {

    private final ByteBuffer bytes;

    private Encoded(ByteBuffer bytes) {
        this.bytes = bytes;
    }

    public static Encoded of(String message) {
        return new Encoded(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** Bytes on the wire (and held while queued). */
    public int size() {
        return bytes.limit();
    }

    /** A view of its own (position 0) for one send. */
    public ByteBuffer payload() {
        return bytes.duplicate();
    }

    /** The message as text (tests, logs). */
    public String text() {
        return StandardCharsets.UTF_8.decode(payload()).toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
