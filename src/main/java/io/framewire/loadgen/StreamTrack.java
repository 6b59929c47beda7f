package io.framewire.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated camera across its connections ({@code --reconnect}): the ledger they share, the
 * current outage and reconnect attempt, and what happened — each close (time, code) and each
 * reconnect gap (from the close to the next successful upgrade). Touched by the I/O threads,
 * the reconnect timer and the final report: every method is synchronized (a few calls per close).
 */
final class StreamTrack {
    final StreamLedger ledger = new StreamLedger();
    private long outageStart = -1;   // nanoTime the last connection ended; -1 while open (or never opened)
    private int attempts;            // failed reconnect attempts in this outage
    private int failedConnects;      // failed connect attempts over the run
    private final List<Double> gapsMs = new ArrayList<>();
    private final List<String> closes = new ArrayList<>(); // "<ms since start>:<code>"

    /** The open connection ended ({@code atMs} since the run started, close code). */
    synchronized void lost(long nowNanos, long atMs, int code) {
        if (outageStart < 0) {
            outageStart = nowNanos;
        }
        attempts = 0;
        closes.add(atMs + ":" + code);
    }

    /** A reconnect attempt failed; returns the index of the next attempt in this outage (for the backoff). */
    synchronized int failedAttempt() {
        failedConnects++;
        return ++attempts;
    }

    synchronized int failedConnects() {
        return failedConnects;
    }

    /** A connection opened; returns the outage it ended in ms, or -1 when there was none (the first connect). */
    synchronized double opened(long nowNanos) {
        attempts = 0;
        if (outageStart < 0) {
            return -1;
        }
        double gap = (nowNanos - outageStart) / 1e6;
        gapsMs.add(gap);
        outageStart = -1;
        return gap;
    }

    synchronized List<Double> gapsMs() {
        return List.copyOf(gapsMs);
    }

    synchronized List<String> closes() {
        return List.copyOf(closes);
    }

    /** Down right now after having been up: an outage that has not ended (yet). */
    synchronized boolean down() {
        return outageStart >= 0;
    }
}
