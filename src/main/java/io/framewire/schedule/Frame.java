package io.framewire.schedule;

/**
 * One binary message as received: still encoded, since a frame that gets replaced is never decoded.
 *
 * @param seq           0-based index of the binary message on its connection
 * @param data          the encoded image
 * @param receivedNanos {@link System#nanoTime()} when the message was read
 * @param skippedBefore frames of this stream refused before the mailbox (over the rate limit) since
 *                      the previous frame offered: reported in the {@code dropped} of this frame's answer
 */
public record Frame(long seq, byte[] data, long receivedNanos, long skippedBefore) {

    public Frame(long seq, byte[] data, long receivedNanos) {
        this(seq, data, receivedNanos, 0);
    }
}
