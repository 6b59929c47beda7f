package io.framewire.schedule;

import java.util.function.Consumer;

/**
 * A stream's unprocessed frames, newest last, and the one place its drops are counted. When full,
 * a new frame replaces the oldest one ("latest frame wins").
 *
 * <p>The mailbox queues itself with its {@link Scheduler}: nobody acts on its behalf. Its states:
 * <pre>
 *   IDLE   --offer-->            QUEUED   (the mailbox enqueues itself)
 *   QUEUED --scheduler takes-->  TAKEN    (one frame at a worker, as a {@link Job})
 *   TAKEN  --job answered-->     QUEUED   when more frames wait (back of the queue), else IDLE
 *   QUEUED --taken when closed-> IDLE
 *   IDLE   --offer, when frames need no worker--> TAKEN (answered by the offering thread at once)
 * </pre>
 * A mailbox is queued at most once and has at most one frame at a worker, so a stream's answers
 * stay in order, and each answer charges the worker time its frame took to the stream (the
 * scheduler shares workers by time).
 *
 * <p>Drops: a frame refused before the mailbox ({@link #skip()}, over the rate limit) or replaced
 * in it is reported in the {@code dropped} of the next answer whose frame is newer than it, exactly
 * once ({@link Job#dropped()}); what no answer reported by the end is {@link #unreportedDrops()}.
 */
public final class Mailbox {

    private enum State { IDLE, QUEUED, TAKEN }

    private final String streamId;
    private final Scheduler scheduler;
    private final ResultSink sink;
    private final Runnable onReplaced;
    private final Object context;
    // a ring of waiting frames, oldest at head, and for each the drops that came just before it
    private final Frame[] frames;
    private final long[] dropsBefore;
    private int head;
    private int size;
    private State state = State.IDLE;
    private boolean closed;
    private long skipsPending; // refused since the last frame offered: they go with the next one
    private long replacedUnreported; // replaced since the last take, with what they carried
    private long droppedTotal;
    private long takenTotal;
    // the scheduler's, under its lock: this stream's place in worker time (see Scheduler)
    private volatile long workNanos; // written by the one worker holding the stream's frame
    long virtualStart;
    long lastCost; // worker time of its last frame
    long passCost; // moving average of its detector passes' worker time: what a shortcut is charged at least
    boolean heavyHeld; // a worker holds a frame of it while it counted as heavy
    long virtualFinish;
    long arrival;

    /**
     * {@code sink}: where the stream's answers go. {@code onReplaced}: runs (under the mailbox's lock:
     * keep it cheap) for every replaced frame. {@code context}: what the workers keep about this
     * stream between frames (inference's StreamContext), opaque here so that scheduling does not
     * depend on inference; it needs no lock of its own, as the mailbox hands the stream's frames to
     * one worker at a time and its lock orders one worker's writes before the next one's reads.
     */
    public Mailbox(String streamId, int depth, Scheduler scheduler, ResultSink sink, Runnable onReplaced,
                   Object context) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1");
        }
        this.streamId = streamId;
        this.scheduler = scheduler;
        this.sink = sink;
        this.onReplaced = onReplaced;
        this.context = context;
        this.frames = new Frame[depth];
        this.dropsBefore = new long[depth];
    }

    public String streamId() {
        return streamId;
    }

    /** The per-stream state given at construction; null when none. */
    public Object context() {
        return context;
    }

    /**
     * Adds a frame, which the mailbox now owns (it releases frames it replaces or discards), and
     * queues the stream with the scheduler unless it is queued or at a worker already. When frames
     * need no worker ({@link Scheduler#answerOnArrival}) and nothing of this stream waits or is at
     * a worker, the frame is answered here, on the caller's thread, before this returns.
     */
    public void offer(Frame frame) {
        Consumer<Job> answerer = scheduler.answerer();
        Job here = null;
        synchronized (this) {
            if (closed) {
                frame.release();
                return;
            }
            if (answerer != null && state == State.IDLE) {
                // idle means nothing waits (an open idle mailbox is empty): answering now keeps seq order
                here = new Job(this, frame, replacedUnreported + skipsPending, scheduler.now(), false);
                skipsPending = 0;
                replacedUnreported = 0;
                takenTotal++;
                state = State.TAKEN;
            } else {
                if (size == frames.length) {
                    Frame replaced = frames[head];
                    replacedUnreported += 1 + dropsBefore[head];
                    frames[head] = null;
                    head = (head + 1) % frames.length;
                    size--;
                    droppedTotal++;
                    replaced.release();
                    onReplaced.run();
                }
                int tail = (head + size) % frames.length;
                frames[tail] = frame;
                dropsBefore[tail] = skipsPending;
                skipsPending = 0;
                size++;
                if (state != State.IDLE) {
                    return;
                }
                state = State.QUEUED;
            }
        }
        if (here != null) {
            answerer.accept(here); // answers it: the mailbox is idle again (or queued, if a frame came meanwhile)
        } else {
            scheduler.enqueue(this); // outside the lock: a worker may take it at once
        }
    }

    /** A frame refused before the mailbox (over the rate limit): a drop reported with the next frame's answer. */
    public synchronized void skip() {
        skipsPending++;
        droppedTotal++;
    }

    /** Scheduler: the oldest waiting frame, as a job; null (and idle again) once closed. */
    synchronized Job take(long nowNanos) {
        if (size == 0) { // only when closed: an open queued mailbox has a frame
            state = State.IDLE;
            notifyAll(); // awaitIdle
            return null;
        }
        Frame frame = frames[head];
        long dropped = replacedUnreported + dropsBefore[head];
        frames[head] = null;
        head = (head + 1) % frames.length;
        size--;
        replacedUnreported = 0;
        takenTotal++;
        state = State.TAKEN;
        return new Job(this, frame, dropped, nowNanos, true);
    }

    /** {@link Job#answer}: the answer goes out before the stream is handed back (what {@link #awaitIdle} relies on). */
    void answered(Job job, String message, Job.Work kind) {
        long work = scheduler.now() - job.takenNanos();
        workNanos += work;
        if (job.scheduled()) {
            scheduler.charge(this, work, kind); // before it can queue again
        }
        try {
            sink.send(message);
        } finally {
            job.frame().release();
            boolean again;
            synchronized (this) {
                again = !closed && size > 0;
                state = again ? State.QUEUED : State.IDLE;
                if (!again) {
                    notifyAll(); // awaitIdle
                }
            }
            if (again) {
                scheduler.enqueue(this);
            }
        }
    }

    /**
     * Waits until every frame offered so far has been answered (or the mailbox was closed); false
     * when {@code deadlineNanos} came first.
     */
    public synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (state != State.IDLE && !closed) {
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
        return size + (state == State.TAKEN ? 1 : 0);
    }

    /**
     * Drops no answer has reported yet, now counted as reported: skips after the last frame offered
     * (a drained stream tells its client about them in a last message).
     */
    public synchronized long unreportedDrops() {
        long n = skipsPending + replacedUnreported;
        skipsPending = 0;
        replacedUnreported = 0;
        return n;
    }

    /** Stops accepting frames and discards waiting ones; returns how many were discarded. */
    public synchronized int close() {
        closed = true;
        notifyAll();
        int discarded = size;
        for (int i = 0; i < size; i++) {
            int at = (head + i) % frames.length;
            frames[at].release();
            frames[at] = null;
        }
        size = 0;
        return discarded;
    }

    /** Worker time this stream's frames took so far (taken to answered), in nanoseconds. */
    public long workNanos() {
        return workNanos;
    }

    /** Frames handed to workers so far. */
    public synchronized long takenTotal() {
        return takenTotal;
    }

    /** Frames of this stream never processed: replaced in the mailbox or refused before it. */
    public synchronized long droppedTotal() {
        return droppedTotal;
    }
}
