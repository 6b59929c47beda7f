package io.framewire.schedule;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Dispatch of ready streams to inference workers, shared by worker time used, not by frames
 * (start-time fair queueing, an equivalent of deficit round robin): each stream has a virtual
 * time that its frames' worker time advances, and the ready stream with the earliest one goes
 * next. A stream whose frames cost ten times as much (a mosaic of faces) gets a tenth of the
 * frames, and the same share of the workers' time as a cheap one. A stream that comes back from
 * idle starts at the current virtual time: idling earns no credit. The queue holds mailboxes, not
 * frames: a stream that sends ten times faster than another still gets no more than its share.
 * Mailboxes queue themselves ({@link Mailbox#offer}, {@link Job#answer}); workers only take.
 */
public final class Scheduler {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final PriorityQueue<Mailbox> ready = new PriorityQueue<>(
            Comparator.comparingLong((Mailbox m) -> m.virtualStart).thenComparingLong(m -> m.arrival));
    private long virtualNow; // the virtual start of the stream taken last
    private long arrivals; // ties go first come, first served
    private final LongSupplier clock;

    public Scheduler() {
        this(System::nanoTime);
    }

    /** {@code clock}: nanoseconds (System.nanoTime in service) for when jobs are taken and answered, so worker time is measured. */
    public Scheduler(LongSupplier clock) {
        this.clock = clock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Mailbox only: the stream has a frame for a worker, and is neither queued nor at a worker. */
    void enqueue(Mailbox mailbox) {
        lock.lock();
        try {
            mailbox.virtualStart = Math.max(mailbox.virtualFinish, virtualNow);
            mailbox.arrival = arrivals++;
            ready.add(mailbox);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Mailbox only, before it queues again: its last frame took {@code nanos} of a worker's time. */
    void charge(Mailbox mailbox, long nanos) {
        lock.lock();
        try {
            mailbox.virtualFinish = mailbox.virtualStart + Math.max(0, nanos);
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
            Job job = box.take(clock.getAsLong());
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
            while ((box = ready.poll()) == null) {
                if (waitNanos < 0) {
                    notEmpty.await();
                } else if (waitNanos == 0) {
                    return null;
                } else {
                    waitNanos = Math.max(0, notEmpty.awaitNanos(waitNanos));
                }
            }
            virtualNow = Math.max(virtualNow, box.virtualStart);
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
