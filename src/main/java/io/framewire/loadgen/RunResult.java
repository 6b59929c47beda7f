package io.framewire.loadgen;

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
        LoadgenCost cost) {

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

    /** CPU the load generator itself used during the window and how well it kept its schedule. */
    record LoadgenCost(double cpuSeconds, double maxSendLagMs, long lateSkipped) {
    }
}
