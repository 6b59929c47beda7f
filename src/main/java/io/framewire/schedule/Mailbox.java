package io.framewire.schedule;

import java.util.ArrayDeque;

/**
 * A stream's unprocessed frames, newest last. When full, a new frame replaces the oldest one
 * ("latest frame wins"); replaced frames are counted and reported with the next result.
 *
 * <p>A mailbox is <em>scheduled</em> from the moment it is handed to the {@link Scheduler} until a
 * worker finishes with it and finds it empty. A scheduled mailbox is never queued twice, so each
 * stream has at most one frame in flight: results stay in order and every stream waits for the
 * same round-robin turn.
 */
public final class Mailbox {

    private final String streamId;
    private final ResultSink sink;
    private final Runnable onReplaced;
    private final ArrayDeque<Frame> frames;
    private final Object context;
    private final int depth;
    private boolean scheduled;
    private boolean inFlight;
    private boolean closed;
    private long droppedUnreported;
    private long droppedTotal;
    private long takenTotal;

    /** {@code onReplaced} runs (under the mailbox's lock: keep it cheap) for every replaced frame. */
    public Mailbox(String streamId, int depth, ResultSink sink, Runnable onReplaced) {
        this(streamId, depth, sink, onReplaced, null);
    }

    /**
     * {@code context}: what the workers keep about this stream between frames (inference's
     * StreamContext), opaque here so the scheduler does not depend on inference. It needs no lock
     * of its own: the mailbox hands the stream's frames to one worker at a time, and its lock
     * orders one worker's writes before the next worker's reads.
     */
    public Mailbox(String streamId, int depth, ResultSink sink, Runnable onReplaced, Object context) {
        this.context = context;
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1");
        }
        this.streamId = streamId;
        this.depth = depth;
        this.sink = sink;
        this.onReplaced = onReplaced;
        this.frames = new ArrayDeque<>(depth);
    }

    public String streamId() {
        return streamId;
    }

    public ResultSink sink() {
        return sink;
    }

    /** The per-stream state given at construction; null when none. */
    public Object context() {
        return context;
    }

    /**
     * Adds a frame, which the mailbox now owns (it releases frames it replaces or discards); returns
     * true when the caller must hand this mailbox to the scheduler.
     */
    public synchronized boolean offer(Frame frame) {
        if (closed) {
            frame.release();
            return false;
        }
        if (frames.size() == depth) {
            Frame replaced = frames.pollFirst();
            replaced.release();
            droppedUnreported += 1 + replaced.skippedBefore();
            droppedTotal++;
            onReplaced.run();
        }
        frames.addLast(frame);
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    /**
     * The oldest waiting frame, for a worker, which releases it; null once closed. Drops reported
     * with it are those replaced since the previous take: all of them older than this frame.
     */
    synchronized Job take(long nowNanos) {
        Frame frame = frames.pollFirst();
        if (frame == null) {
            return null;
        }
        takenTotal++;
        inFlight = true;
        long dropped = droppedUnreported + frame.skippedBefore();
        droppedUnreported = 0;
        return new Job(this, frame, dropped, nowNanos);
    }

    /** After a worker is done with its frame: true when more frames wait and the mailbox must be queued again. */
    synchronized boolean release() {
        inFlight = false;
        if (closed || frames.isEmpty()) {
            scheduled = false;
            notifyAll(); // awaitIdle
            return false;
        }
        return true;
    }

    /**
     * Waits until every frame offered so far has been processed and answered (the worker hands the
     * answer to the sink before it releases the mailbox); false when {@code deadlineNanos} came first.
     */
    public synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (scheduled && !closed) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Frames waiting plus the one at a worker. */
    public synchronized int unfinished() {
        return frames.size() + (inFlight ? 1 : 0);
    }

    /** Stops accepting frames and discards waiting ones; returns how many were discarded. */
    public synchronized int close() {
        closed = true;
        notifyAll();
        int discarded = frames.size();
        frames.forEach(Frame::release);
        frames.clear();
        return discarded;
    }

    /** Frames handed to workers so far. */
    public synchronized long takenTotal() {
        return takenTotal;
    }

    public synchronized long droppedTotal() {
        return droppedTotal;
    }
}
