package io.framewire.schedule;

/**
 * One frame at a worker: taken from its stream's {@link Mailbox} by the {@link Scheduler}, and
 * {@link #answer answered} exactly once. The answer is the job's only way out: it sends the
 * stream its message, releases the frame and hands the stream back to the scheduler, so a frame
 * cannot be answered twice, and a worker cannot give a stream back without answering.
 *
 * <p>Held by one thread at a time (a worker, or a decoder then the executor it queues to), so
 * it needs no lock.
 */
public final class Job {

    private final Mailbox mailbox;
    private final Frame frame;
    private final long dropped;
    private final long takenNanos;
    private final boolean scheduled;
    private boolean answered;

    Job(Mailbox mailbox, Frame frame, long dropped, long takenNanos, boolean scheduled) {
        this.mailbox = mailbox;
        this.frame = frame;
        this.dropped = dropped;
        this.takenNanos = takenNanos;
        this.scheduled = scheduled;
    }

    /** Taken by a worker through the scheduler; false: answered by the thread that offered it (no worker time to charge). */
    boolean scheduled() {
        return scheduled;
    }

    public Frame frame() {
        return frame;
    }

    /** Frames of this stream never processed since its previous answer: what this answer's {@code dropped} says. */
    public long dropped() {
        return dropped;
    }

    /** When a worker took it: {@code takenNanos - frame.receivedNanos()} is the mailbox wait. */
    public long takenNanos() {
        return takenNanos;
    }

    public String streamId() {
        return mailbox.streamId();
    }

    /** The workers' per-stream state (see {@link Mailbox#context()}); null when none. */
    public Object context() {
        return mailbox.context();
    }

    public boolean answered() {
        return answered;
    }

    /** What answered a frame: how the scheduler charges the stream for it (see {@link Scheduler}). */
    public enum Work {
        /** A detector pass: charged the worker time it took, which also tells the scheduler what this stream's passes cost. */
        DETECTOR,
        /**
         * Answered without a pass (gated, predicted): charged the worker time, but no less than this
         * stream's passes, so that under overload a still camera gets no more answers than one with people in view.
         */
        SHORTCUT,
        /** Anything else (a refusal): charged the worker time it took. */
        OTHER
    }

    /** {@link #answer(String, Work)} for a detector pass. */
    public void answer(String message) {
        answer(message, Work.DETECTOR);
    }

    /**
     * Sends {@code message} (this frame's result or error) to the stream, releases the frame and
     * hands the stream back to the scheduler, charged for {@code work}. Once: a second answer is a
     * bug, and throws.
     */
    public void answer(String message, Work work) {
        if (answered) {
            throw new IllegalStateException("frame " + frame.seq() + " of stream " + streamId() + " answered twice");
        }
        answered = true;
        mailbox.answered(this, message, work);
    }
}
