package io.framewire.bench.loadgen;

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
    private int failedConnects;      // failed connect attempts over the run
    private long resultsAtLoss;      // the ledger's results when the last connection ended
    private final List<Double> gapsMs = new ArrayList<>();
    private final List<String> closes = new ArrayList<>(); // "<ms since start>:<code>"

    /**
     * The open connection ended ({@code atMs} since the run started, close code); returns whether it
     * got at least one result (the contract's backoff starts over after such a connection).
     */
    synchronized boolean lost(long nowNanos, long atMs, int code) {
        if (outageStart < 0) {
            outageStart = nowNanos;
        }
        closes.add(atMs + ":" + code);
        // no result arrives between a connection's end and the next one's upgrade: the count at the
        // previous end is the count at this connection's start
        long results = ledger.counts().results();
        boolean gotResult = results > resultsAtLoss;
        resultsAtLoss = results;
        return gotResult;
    }

    /** A connect attempt failed. */
    synchronized void failedConnect() {
        failedConnects++;
    }

    synchronized int failedConnects() {
        return failedConnects;
    }

    /** A connection opened; returns the outage it ended in ms, or -1 when there was none (the first connect). */
    synchronized double opened(long nowNanos) {
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
