package io.framewire.bench.loadgen;

/**
 * Per-stream bookkeeping: send times by seq (for latency) and the counters that let every
 * sent frame be accounted for as result, error or dropped. Send-side fields have one writer
 * (the send loop); reply-side fields have one writer at a time (the session's reader).
 * Fields are volatile so the reporter can read them from another thread without locks.
 *
 * <p>With {@code --reconnect} one ledger spans all connections of a stream: seqs here are the
 * stream's, and each connection's seqs (which restart at 0) are offset by the value
 * {@link #beginConnection} returned. Frames still unanswered when a connection ended are
 * counted as lost on close.
 */
final class StreamLedger {
    /** Ring of send times; at 15 fps this remembers ~4.5 minutes, far beyond any sane latency. */
    static final int RING = 4096;
    private static final int MASK = RING - 1;

    private final long[] sendNanos = new long[RING];

    // send side
    private volatile long sent;       // binary messages handed to the socket == next seq
    private volatile long skipped;    // frames not sent because the previous send was still pending

    // reply side
    private volatile long results;
    private volatile long frameErrors;   // error replies that carry a seq
    private volatile long streamErrors;  // error replies without a seq
    private volatile long dropped;       // sum of the server's "dropped" fields
    private long reportedEarly;          // drops a status message reported, folded into the next answer's
    private volatile long lastSeq = -1;  // highest seq answered by a result or error
    private volatile long unknownSeq;    // replies whose seq we never sent or whose send time was overwritten

    // across connections (--reconnect)
    private volatile int connections;    // connections opened so far
    private volatile long lostOnClose;   // frames sent on a connection that ended before answering them
    private volatile long offline;       // frames due while the stream had no open connection
    private volatile long connectionBase; // the stream's seq of the current connection's seq 0
    private volatile long lastResultNanos;  // reply side: when the last result came (0: none yet)
    private volatile long maxResultGapNanos; // longest time between two results, across connections

    /** Records the send time of the next seq and returns that seq. */
    long recordSend(long nanos) {
        long seq = sent;
        sendNanos[(int) (seq & MASK)] = nanos;
        sent = seq + 1; // volatile write publishes the slot above
        return seq;
    }

    void recordSkip() {
        skipped++;
    }

    /** A frame came due while the stream was between connections (the send loop's thread). */
    void recordOffline() {
        offline++;
    }

    /**
     * A connection of this stream opened: frames the previous one left unanswered become lost,
     * and the new connection's seq 0 is this ledger's {@code sent} (returned). Called while no
     * other connection of the stream is open, before the first send on the new one.
     */
    long beginConnection() {
        long s = sent;
        long unanswered = s - (lastSeq + 1);
        if (unanswered > 0) {
            lostOnClose += unanswered;
        }
        lastSeq = s - 1;
        connections++;
        connectionBase = s;
        return s;
    }

    int connections() {
        return connections;
    }

    long lostOnClose() {
        return lostOnClose;
    }

    long offline() {
        return offline;
    }

    /** Frames the stream sent before its current connection opened. */
    long connectionBase() {
        return connectionBase;
    }

    /** Counts a result and returns its latency in ns, or -1 when the seq's send time is unknown. */
    long onResult(long seq, long droppedBefore, long nowNanos) {
        results++;
        long prev = lastResultNanos;
        if (prev != 0 && nowNanos - prev > maxResultGapNanos) {
            maxResultGapNanos = nowNanos - prev;
        }
        lastResultNanos = nowNanos;
        account(seq, droppedBefore);
        long s = sent; // volatile read first: makes the ring slot visible
        if (seq < 0 || seq >= s || seq < s - RING) {
            unknownSeq++;
            return -1;
        }
        return nowNanos - sendNanos[(int) (seq & MASK)];
    }

    void onError(long seq, long droppedBefore) {
        if (seq < 0) {
            streamErrors++;
            dropped += Math.max(0, droppedBefore) + reportedEarly;
            reportedEarly = 0;
            return;
        }
        frameErrors++;
        account(seq, droppedBefore);
    }

    /**
     * A status message's drops: frames older than one still waiting, which no later answer reports
     * again. Counted with the next answer, so that until then they stay among the unanswered.
     */
    void onStatus(long droppedBefore) {
        reportedEarly += Math.max(0, droppedBefore);
    }

    private void account(long seq, long droppedBefore) {
        dropped += Math.max(0, droppedBefore) + reportedEarly;
        reportedEarly = 0;
        if (seq > lastSeq) {
            lastSeq = seq;
        }
    }

    Counts counts() {
        return new Counts(sent, skipped, results, frameErrors + streamErrors, dropped, unknownSeq);
    }

    /** When the last result came (System.nanoTime()); 0 before the first. */
    long lastResultNanos() {
        return lastResultNanos;
    }

    /** The longest time between two consecutive results of this stream, over all its connections. */
    long maxResultGapNanos() {
        return maxResultGapNanos;
    }

    /**
     * Send time of the oldest frame sent and not yet answered (by a result, an error, or a later
     * answer's {@code dropped}); -1 when none is outstanding. Any thread.
     */
    long oldestUnansweredSendNanos() {
        long s = sent; // volatile read first: makes the ring slot visible
        long first = lastSeq + 1;
        if (first >= s) {
            return -1;
        }
        return sendNanos[(int) (Math.max(first, s - RING) & MASK)];
    }

    long frameErrors() {
        return frameErrors;
    }

    /** Frames up to the last answered seq that are neither result, error, dropped nor lost on a close (0 when consistent). */
    long accountingGap() {
        return (lastSeq + 1) - (results + frameErrors + dropped + lostOnClose);
    }

    /** Frames sent after the last answered seq: still in flight, or replaced and never reported. */
    long unanswered() {
        return sent - (lastSeq + 1);
    }

    /** A point-in-time copy of the counters; windows are differences of two copies. */
    record Counts(long sent, long skipped, long results, long errors, long dropped, long unknownSeq) {
        static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

        Counts plus(Counts o) {
            return new Counts(sent + o.sent, skipped + o.skipped, results + o.results,
                    errors + o.errors, dropped + o.dropped, unknownSeq + o.unknownSeq);
        }

        Counts minus(Counts o) {
            return new Counts(sent - o.sent, skipped - o.skipped, results - o.results,
                    errors - o.errors, dropped - o.dropped, unknownSeq - o.unknownSeq);
        }
    }
}
