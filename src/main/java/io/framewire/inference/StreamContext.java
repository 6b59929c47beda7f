package io.framewire.inference;

import io.framewire.tracking.Tracker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the workers keep about one stream between its frames: the motion gate (null when gating
 * is off for it) and its tracker. Workers reach it through the stream's mailbox, which hands a
 * stream's frames to one worker at a time, so no lock is needed for the gate and tracker; the
 * confirmed-track count is shared with the {@code tracks alive} gauge.
 */
public final class StreamContext {

    private final MotionGate gate;
    private final Tracker tracker;
    private final AtomicInteger tracksAlive;
    private int confirmed; // this stream's share of tracksAlive
    private boolean closed;

    public StreamContext(MotionGate gate, Tracker tracker, AtomicInteger tracksAlive) {
        this.gate = gate;
        this.tracker = tracker;
        this.tracksAlive = tracksAlive;
    }

    MotionGate gate() {
        return gate;
    }

    Tracker tracker() {
        return tracker;
    }

    /** After each tracker update: moves this stream's confirmed tracks into the gauge. */
    synchronized void tracksChanged() {
        if (closed) {
            return;
        }
        int now = tracker.confirmed();
        tracksAlive.addAndGet(now - confirmed);
        confirmed = now;
    }

    /** The stream ended: its tracks leave the gauge (a worker finishing its last frame changes nothing after). */
    public synchronized void close() {
        closed = true;
        tracksAlive.addAndGet(-confirmed);
        confirmed = 0;
    }
}
