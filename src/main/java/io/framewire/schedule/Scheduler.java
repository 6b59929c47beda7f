package io.framewire.schedule;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Round-robin dispatch of ready streams to inference workers. The queue holds mailboxes, not
 * frames: a stream that sends ten times faster than another still gets one turn per round.
 */
public final class Scheduler {

    private final LinkedBlockingQueue<Mailbox> ready = new LinkedBlockingQueue<>();

    /** Called by a stream when {@link Mailbox#offer} says so. */
    public void ready(Mailbox mailbox) {
        ready.add(mailbox);
    }

    /**
     * Fills {@code batch} with up to {@code max} jobs, one per stream: blocks for the first, takes
     * whatever else is ready at once, then waits at most {@code maxWaitNanos} in total for more.
     */
    public void next(List<Job> batch, int max, long maxWaitNanos) throws InterruptedException {
        long deadline = 0;
        while (batch.size() < max) {
            Mailbox box;
            if (batch.isEmpty()) {
                box = ready.take();
            } else {
                box = ready.poll();
                if (box == null && maxWaitNanos > 0) {
                    if (deadline == 0) {
                        deadline = System.nanoTime() + maxWaitNanos;
                    }
                    box = ready.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                if (box == null) {
                    return;
                }
            }
            Job job = box.take(System.nanoTime());
            if (job != null) {
                batch.add(job);
            } else {
                box.release(); // closed while queued
            }
        }
    }

    /** A worker is done with a job's frame: the stream goes to the back of the queue if more frames wait. */
    public void done(Job job) {
        if (job.mailbox().release()) {
            ready.add(job.mailbox());
        }
    }

    /** Streams waiting for a worker (a gauge for capacity planning). */
    public int queued() {
        return ready.size();
    }
}
