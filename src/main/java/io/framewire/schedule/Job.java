package io.framewire.schedule;

/**
 * One frame chosen for processing.
 *
 * @param dropped    frames of this stream replaced (never processed) since its previous result
 * @param takenNanos when a worker took it: {@code takenNanos - frame.receivedNanos()} is the mailbox wait
 */
public record Job(Mailbox mailbox, Frame frame, long dropped, long takenNanos) {}
