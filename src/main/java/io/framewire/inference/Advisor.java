package io.framewire.inference;

import io.framewire.metrics.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The send rate advised to every stream: the frames per second the workers are measured to
 * answer per second of work (gated frames included, so a still scene earns a higher rate), times
 * the workers, shared by the streams whose frames took worker time lately. Measured over windows
 * of at least {@link #MIN_BUSY_NANOS} of worker time and smoothed, so one slow batch does not swing it.
 *
 * <p>The share is max-min fair in worker time, as the scheduler's is: each stream counts by the
 * worker time its frames took in the window, up to the level that the workers' time fills when
 * every stream wanting more gets that much ({@link #streamsSharing}). A stream sending below its
 * share leaves the rest to the others, so 400 streams each sending an empty or a tiny frame every
 * 4 s count for the little time they take, not as 400 equal shares (issue 25, D3); a stream whose
 * frames are never processed counts not at all.
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
    private volatile Supplier<long[]> usage = () -> new long[0];
    private long lastUsageAt = System.nanoTime();
    private volatile double framesPerBusySecond; // per worker; 0 until measured
    private volatile double fps;

    public Advisor(int workers) {
        this.workers = Math.max(1, workers);
    }

    /**
     * {@code usage}: each stream's worker time (ns) since the previous call, those with none left out;
     * called at most every {@link #MIN_WINDOW_NANOS}.
     */
    public void shareBy(Supplier<long[]> usage) {
        this.usage = usage;
    }

    /**
     * How many equal shares the workers are split into, from each stream's worker time {@code used}
     * over a window of {@code capacity} worker-nanoseconds: the capacity over the max-min fair level
     * (the water level at which streams wanting more get the same), at least 1.
     */
    static double streamsSharing(long[] used, long capacity) {
        if (used.length == 0) {
            return 1;
        }
        long[] d = used.clone();
        Arrays.sort(d);
        long total = 0;
        for (long x : d) {
            total += x;
        }
        double left = Math.max(capacity, total); // saturated: the time actually used is the capacity
        for (int k = 0; k < d.length; k++) {
            double level = left / (d.length - k);
            if (d[k] >= level) {
                return Math.max(1, Math.max(capacity, total) / level);
            }
            left -= d[k];
        }
        // not saturated: the busiest stream may grow into what the others leave
        return Math.max(1, capacity / (double) Math.max(1, capacity - (total - d[d.length - 1])));
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

    private synchronized void recompute() {
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
        long now = System.nanoTime();
        long window = Math.max(1, now - lastUsageAt);
        lastUsageAt = now;
        double shares = streamsSharing(usage.get(), window * workers);
        fps = Math.round(HEADROOM * framesPerBusySecond * workers / shares * 10) / 10.0;
    }

    /** The advised frames per second for a stream, rounded to 0.1; 0 before anything was measured. */
    public double fps() {
        return fps;
    }
}
