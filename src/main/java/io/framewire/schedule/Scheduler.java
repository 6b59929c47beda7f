package io.framewire.schedule;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Dispatch of ready streams to inference workers, shared by worker time used, not by frames
 * (start-time fair queueing, an equivalent of deficit round robin): each stream has a virtual
 * time that its frames' worker time advances, and the ready stream with the earliest one goes
 * next. A stream whose frames cost ten times as much (a mosaic of faces) gets a tenth of the
 * frames, and the same share of the workers' time as a cheap one. A stream that comes back from
 * idle starts at the current virtual time: idling earns no credit. The queue holds mailboxes, not
 * frames: a stream that sends ten times faster than another still gets no more than its share.
 * A frame answered without a detector pass (gated, predicted) is charged at least what the same
 * stream's passes cost (their moving average): under overload, time alone would hand a still
 * camera twenty answers for each one of a camera with people in view, the one that matters. So
 * streams of like frames share by answers, and a stream's share follows its own passes' cost
 * (a mosaic's are dear), never another stream's.
 * Mailboxes queue themselves ({@link Mailbox#offer}, {@link Job#answer}); workers only take.
 */
public final class Scheduler {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final PriorityQueue<Mailbox> ready = new PriorityQueue<>(
            Comparator.comparingLong((Mailbox m) -> m.virtualStart).thenComparingLong(m -> m.arrival));
    private long virtualNow; // the virtual start of the stream taken last
    private long arrivals; // ties go first come, first served
    // Workers are not preempted: while cheap streams are active, frames of heavy streams (a frame
    // took more than HEAVY_NANOS) may occupy at most consumers - 1 workers, so a cheap frame never
    // waits for a heavy one to finish. With no cheap stream active, heavy ones use every worker.
    static final long HEAVY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long LIGHT_ACTIVE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private int consumers; // threads taking from this scheduler; 0 or 1: no reservation
    private int heavyBusy;
    private long lastLightAt = Long.MIN_VALUE / 2;
    private final LongSupplier clock;
    private volatile Consumer<Job> answerer;

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

    /**
     * Frames need no worker (a detector that looks at nothing: {@code none}): a stream's frame that
     * finds nothing of its stream waiting or at a worker is taken at once by the thread that offers
     * it (the stream's reader) and handed to {@code answerer}, which must answer it (exactly once,
     * {@link Job#answer}) before it returns. A worker wake-up per frame is the hop that cost a cheap
     * answer most of its latency (issue 27); frames that do meet a busy stream still queue here, so
     * seq order holds. Such a frame takes no worker time: the fair queue's shares are unchanged.
     */
    public void answerOnArrival(Consumer<Job> answerer) {
        this.answerer = answerer;
    }

    /** Mailbox: see {@link #answerOnArrival}; null while every frame goes to a worker. */
    Consumer<Job> answerer() {
        return answerer;
    }

    /**
     * How many threads take frames from here (the inline pipeline's workers): with two or more, one
     * is kept for cheap streams while any is active.
     */
    public void consumers(int n) {
        lock.lock();
        try {
            consumers = n;
        } finally {
            lock.unlock();
        }
    }

    private boolean heavy(Mailbox m) {
        return m.lastCost > HEAVY_NANOS;
    }

    /** Mailbox only: the stream has a frame for a worker, and is neither queued nor at a worker. */
    void enqueue(Mailbox mailbox) {
        lock.lock();
        try {
            mailbox.virtualStart = Math.max(mailbox.virtualFinish, virtualNow);
            mailbox.arrival = arrivals++;
            if (!heavy(mailbox)) {
                lastLightAt = clock.getAsLong();
            }
            ready.add(mailbox);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Mailbox only, before it queues again: its last frame took {@code nanos} of a worker's time, for {@code work}. */
    void charge(Mailbox mailbox, long nanos, Job.Work work) {
        lock.lock();
        try {
            long charged = Math.max(0, nanos);
            if (work == Job.Work.DETECTOR) { // a moving average (1/4): one odd pass moves it a little
                mailbox.passCost = mailbox.passCost == 0 ? charged : mailbox.passCost + (charged - mailbox.passCost) / 4;
            } else if (work == Job.Work.SHORTCUT) {
                charged = Math.max(charged, mailbox.passCost);
            }
            mailbox.virtualFinish = mailbox.virtualStart + charged;
            mailbox.lastCost = nanos;
            release(mailbox);
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
            } else {
                lock.lock();
                try {
                    release(box);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Under the lock: a heavy stream's worker is free again. */
    private void release(Mailbox m) {
        if (m.heavyHeld) {
            m.heavyHeld = false;
            heavyBusy--;
            notEmpty.signalAll(); // a heavy stream set aside may go now
        }
    }

    /**
     * The next ready mailbox, waiting up to {@code waitNanos} (forever when negative); null when none
     * came. Heavy streams over their share of workers (see {@link #HEAVY_NANOS}) are passed over.
     */
    private Mailbox take(long waitNanos) throws InterruptedException {
        lock.lockInterruptibly();
        List<Mailbox> aside = null;
        try {
            while (true) {
                Mailbox box = ready.poll();
                if (box != null && heavy(box) && consumers > 1 && heavyBusy >= consumers - 1
                        && clock.getAsLong() - lastLightAt < LIGHT_ACTIVE_NANOS) {
                    if (aside == null) {
                        aside = new java.util.ArrayList<>();
                    }
                    aside.add(box);
                    continue;
                }
                if (aside != null) {
                    ready.addAll(aside);
                    aside = null;
                }
                if (box != null) {
                    if (heavy(box)) {
                        box.heavyHeld = true;
                        heavyBusy++;
                    }
                    virtualNow = Math.max(virtualNow, box.virtualStart);
                    return box;
                }
                if (waitNanos < 0) {
                    // bounded: a heavy stream set aside may go once no cheap one has been active for a while
                    notEmpty.awaitNanos(LIGHT_ACTIVE_NANOS / 4);
                } else if (waitNanos == 0) {
                    return null;
                } else {
                    waitNanos = Math.max(0, notEmpty.awaitNanos(Math.min(waitNanos, LIGHT_ACTIVE_NANOS / 4)));
                    if (waitNanos == 0) {
                        return null;
                    }
                }
            }
        } finally {
            if (aside != null) {
                ready.addAll(aside);
            }
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
