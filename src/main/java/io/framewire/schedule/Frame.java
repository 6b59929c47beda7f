package io.framewire.schedule;

/**
 * One binary message as received: still encoded, since a frame that gets replaced is never decoded.
 *
 * @param seq           0-based index of the binary message on its connection
 * @param data          the encoded image
 * @param receivedNanos {@link System#nanoTime()} when the message was read
 */
public record Frame(long seq, byte[] data, long receivedNanos) {}
