package io.framewire.schedule;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Round-robin dispatch of ready streams to inference workers. The queue holds mailboxes, not
 * frames: a stream that sends ten times faster than another still gets one turn per round.
 * Mailboxes queue themselves ({@link Mailbox#offer}, {@link Job#answer}); workers only take.
 */
public final class Scheduler {

    // an array deque under a lock: a linked queue allocated a node per frame
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Mailbox> ready = new ArrayDeque<>();

    /** Mailbox only: the stream has a frame for a worker, and is neither queued nor at a worker. */
    void enqueue(Mailbox mailbox) {
        lock.lock();
        try {
            ready.addLast(mailbox);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
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
                box = take(-1);
            } else {
                if (maxWaitNanos > 0 && deadline == 0) {
                    deadline = System.nanoTime() + maxWaitNanos;
                }
                box = take(maxWaitNanos > 0 ? Math.max(0, deadline - System.nanoTime()) : 0);
                if (box == null) {
                    return;
                }
            }
            Job job = box.take(System.nanoTime());
            if (job != null) { // else closed while queued
                batch.add(job);
            }
        }
    }

    /** The next ready mailbox, waiting up to {@code waitNanos} (forever when negative); null when none came. */
    private Mailbox take(long waitNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            Mailbox box;
            while ((box = ready.pollFirst()) == null) {
                if (waitNanos < 0) {
                    notEmpty.await();
                } else if (waitNanos == 0) {
                    return null;
                } else {
                    waitNanos = Math.max(0, notEmpty.awaitNanos(waitNanos));
                }
            }
            return box;
        } finally {
            lock.unlock();
        }
    }

    /** Streams waiting for a worker (a gauge for capacity planning). */
    public int queued() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }
}
