package io.framewire.inference;

import io.framewire.tracking.TrackHandover;
import io.framewire.tracking.TrackListener;
import io.framewire.tracking.Tracker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the workers keep about one stream between its frames: the motion gate (null when gating
 * is off for it), its detector interval and its tracker. Workers reach it through the stream's mailbox, which hands a
 * stream's frames to one worker at a time, so no lock is needed for the gate and tracker; the
 * confirmed-track count is shared with the {@code tracks alive} gauge. With Redis, the tracks
 * follow the stream to another host through {@link TrackHandover}: the worker publishes a snapshot
 * at most every {@link #SNAPSHOT_EVERY_NANOS}, and a snapshot handed in is adopted by the worker
 * at the stream's next frame.
 */
public final class StreamContext implements TrackHandover {

    static final long SNAPSHOT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final MotionGate gate;
    private final Tracker tracker;
    private final DetectorInterval interval = new DetectorInterval();
    private final AtomicInteger tracksAlive;
    private int confirmed; // this stream's share of tracksAlive
    private boolean closed;
    private volatile String snapshot; // the tracker's, for the shared state
    private volatile String adopt; // a previous connection's, for the worker
    private long snapshotAt; // worker's own
    private volatile TrackListener listener; // zones and events; null: nobody listens

    public StreamContext(MotionGate gate, Tracker tracker, AtomicInteger tracksAlive) {
        this.gate = gate;
        this.tracker = tracker;
        this.tracksAlive = tracksAlive;
    }

    MotionGate gate() {
        return gate;
    }

    DetectorInterval interval() {
        return interval;
    }

    /** The worker's way to the tracker: first adopts a snapshot handed in, if any. */
    Tracker tracker() {
        String s = adopt;
        if (s != null) {
            adopt = null;
            if (tracker.restore(s, System.nanoTime())) {
                tracksChanged();
            }
        }
        return tracker;
    }

    /** Who hears of this stream's tracks after each detector pass (zone events); set before its first frame. */
    public void listen(TrackListener listener) {
        this.listener = listener;
    }

    /** After each detector pass's tracker update: tells the listener, if any. */
    void tracked(List<Tracker.Observation> observations, int[] ids, int width, int height, java.nio.ByteBuffer image,
                 long receivedNanos) {
        TrackListener l = listener;
        if (l != null) {
            l.tracked(observations, ids, width, height, image, receivedNanos);
        }
    }

    /** After each tracker update: moves this stream's confirmed tracks into the gauge. */
    void tracksChanged() {
        if (!tracker.hasIds()) {
            return; // nothing tracked yet (an empty scene, --detector none): nothing to count or save
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            int now = tracker.confirmed();
            tracksAlive.addAndGet(now - confirmed);
            confirmed = now;
        }
        long now = System.nanoTime();
        if (snapshot == null || now - snapshotAt >= SNAPSHOT_EVERY_NANOS) {
            snapshotAt = now;
            snapshot = tracker.snapshot(now);
        }
    }

    @Override
    public String tracksSnapshot() {
        return snapshot;
    }

    @Override
    public void adoptTracks(String snapshot) {
        adopt = snapshot;
    }

    /** The stream ended: its tracks leave the gauge (a worker finishing its last frame changes nothing after). */
    public synchronized void close() {
        closed = true;
        tracksAlive.addAndGet(-confirmed);
        confirmed = 0;
    }
}
