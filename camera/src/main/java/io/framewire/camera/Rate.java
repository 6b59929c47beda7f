package io.framewire.camera;

import java.util.function.LongSupplier;

/** Events per second over the last few whole seconds (a ring of one-second buckets). */
final class Rate {
    private static final int SECONDS = 5;
    private static final long SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final long[] counts = new long[SECONDS + 1];
    private final long[] stamps = new long[SECONDS + 1];

    Rate(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    synchronized void mark() {
        long sec = nanoTime.getAsLong() / SECOND;
        int i = (int) Math.floorMod(sec, (long) counts.length);
        if (stamps[i] != sec) {
            stamps[i] = sec;
            counts[i] = 0;
        }
        counts[i]++;
    }

    /** Per second over the last {@value #SECONDS} complete seconds. */
    synchronized double perSecond() {
        long now = nanoTime.getAsLong() / SECOND;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (stamps[i] < now && stamps[i] >= now - SECONDS) {
                sum += counts[i];
            }
        }
        return sum / (double) SECONDS;
    }
}
