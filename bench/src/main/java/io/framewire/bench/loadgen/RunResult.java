package io.framewire.bench.loadgen;

import java.util.Map;
import org.HdrHistogram.Histogram;

/** Everything the run measured; {@link Summary} turns it into the JSON report. */
record RunResult(
        LoadGenConfig config,
        int frameCount,
        long frameBytesAvg,
        double windowSeconds,
        Connections connections,
        StreamLedger.Counts window,
        long[] perStreamResults,
        Histogram latencyMicros,
        Map<String, Long> errorCodes,
        Map<String, Long> otherMessages,
        long sendFailures,
        Accounting accounting,
        LoadgenCost cost,
        Reconnects reconnects,
        Advice advice) {

    RunResult(LoadGenConfig config, int frameCount, long frameBytesAvg, double windowSeconds, Connections connections,
            StreamLedger.Counts window, long[] perStreamResults, Histogram latencyMicros, Map<String, Long> errorCodes,
            Map<String, Long> otherMessages, long sendFailures, Accounting accounting, LoadgenCost cost,
            Reconnects reconnects) {
        this(config, frameCount, frameBytesAvg, windowSeconds, connections, window, perStreamResults, latencyMicros,
                errorCodes, otherMessages, sendFailures, accounting, cost, reconnects, Advice.NONE);
    }

    /**
     * The server's send-rate advice: whether the run followed it, frames due in the window that
     * were not sent because of it, and the streams' last advised rates (min, median, max; -1: none).
     */
    record Advice(boolean followed, long framesNotSent, double minFps, double medianFps, double maxFps) {
        static final Advice NONE = new Advice(false, 0, -1, -1, -1);
    }

    /** Connection outcomes over the whole run. */
    record Connections(int attempted, int openAtWindowStart, int openAtWindowEnd, long failures,
            Map<String, Long> failureReasons, long unexpectedCloses, Map<String, Long> closeReasons,
            Map<String, Long> wsErrors) {
    }

    /**
     * Whole-connection seq accounting after the drain: up to each stream's last answered seq,
     * every frame must be a result, an error or counted as dropped.
     */
    record Accounting(long sent, long results, long frameErrors, long dropped, long unanswered,
            int streamsChecked, int streamsMismatched, long gapTotal) {
    }

    /**
     * --reconnect: streams that came back after an outage, the outages (close to next upgrade),
     * streams still down at the window's end, frames lost on a close (sent, never answered) and
     * frames due while a stream had no connection.
     */
    record Reconnects(boolean enabled, int streamsReconnected, Histogram gapMicros, int downAtEnd,
            long lostOnClose, long offline) {
        static Reconnects none() {
            return new Reconnects(false, 0, new Histogram(1, StreamConn.Sinks.MAX_LATENCY_MICROS, 3), 0, 0, 0);
        }
    }

    /** CPU the load generator itself used during the window and how well it kept its schedule. */
    record LoadgenCost(double cpuSeconds, double maxSendLagMs, long lateSkipped) {
    }
}
