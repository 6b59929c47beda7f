package io.framewire.inference;

import io.framewire.metrics.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The send rate advised to every stream: the frames per second the workers are measured to
 * answer per second of work (gated frames included, so a still scene earns a higher rate), times
 * the workers, shared equally by the streams that sent a frame lately. Measured over windows of
 * at least {@link #MIN_BUSY_NANOS} of worker time and smoothed, so one slow batch does not swing it.
 *
 * <p>Equal shares are a simplification of max-min fairness: a stream sending below its share
 * leaves capacity that this advice does not hand to the others. It never advises a stream below
 * what the scheduler gives it anyway, since the scheduler's round robin is equal too.
 */
public final class Advisor {

    /** Advise a little under the measured share: at exactly 100 % busy, queues never drain. */
    static final double HEADROOM = 0.97;
    private static final long MIN_BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MIN_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final double SMOOTHING = 0.5;

    private final int workers;
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder frames = new LongAdder();
    private final AtomicLong nextAt = new AtomicLong();
    private volatile IntSupplier activeStreams = () -> 1;
    private volatile double framesPerBusySecond; // per worker; 0 until measured
    private volatile double fps;

    public Advisor(int workers) {
        this.workers = Math.max(1, workers);
    }

    /** Streams that share the workers now (the server counts those that sent lately). */
    public void countStreamsWith(IntSupplier active) {
        this.activeStreams = active;
    }

    /** A worker answered {@code n} frames in {@code busy} ns of its time. */
    void record(int n, long busy, long nowNanos) {
        frames.add(n);
        busyNanos.add(busy);
        long next = nextAt.get();
        if (nowNanos - next >= 0 && nextAt.compareAndSet(next, nowNanos + MIN_WINDOW_NANOS)) {
            recompute();
        }
    }

    private void recompute() {
        long busy = busyNanos.sum();
        if (busy >= MIN_BUSY_NANOS) {
            long n = frames.sumThenReset();
            busyNanos.add(-busy);
            double rate = n / Metrics.seconds(busy);
            framesPerBusySecond = framesPerBusySecond == 0 ? rate : SMOOTHING * rate + (1 - SMOOTHING) * framesPerBusySecond;
        } else if (framesPerBusySecond == 0 && busy > 0) {
            // the first frames: advise from them rather than from nothing
            framesPerBusySecond = frames.sum() / Metrics.seconds(busy);
        }
        fps = Math.round(HEADROOM * framesPerBusySecond * workers / Math.max(1, activeStreams.getAsInt()) * 10) / 10.0;
    }

    /** The advised frames per second for a stream, rounded to 0.1; 0 before anything was measured. */
    public double fps() {
        return fps;
    }
}
