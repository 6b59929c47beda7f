package io.framewire.bench.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Builds the one-line JSON summary; flat, snake_case keys so bench scripts can read it with jq. */
final class Summary {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Summary() {
    }

    static ObjectNode toJson(RunResult r) {
        LoadGenConfig c = r.config();
        double secs = r.windowSeconds();
        StreamLedger.Counts w = r.window();
        ObjectNode root = MAPPER.createObjectNode();

        ObjectNode cfg = root.putObject("config");
        cfg.put("url", c.url().toString());
        cfg.put("streams", c.streams());
        cfg.put("fps", c.fps());
        cfg.put("source", c.source().toString());
        cfg.put("frames", r.frameCount());
        cfg.put("frame_bytes_avg", r.frameBytesAvg());
        cfg.put("ramp_s", seconds(c.ramp()));
        cfg.put("warmup_s", seconds(c.warmup()));
        cfg.put("duration_s", seconds(c.duration()));
        cfg.put("client", c.client().name().toLowerCase(Locale.ROOT));
        if (c.client() == LoadGenConfig.Client.NIO) {
            cfg.put("io_threads", c.ioThreads());
        } else {
            cfg.put("clients", c.clients());
        }

        root.put("window_s", round(secs, 3));
        root.put("frames_sent", w.sent());
        root.put("frames_sent_per_s", round(rate(w.sent(), secs), 1));
        root.put("send_skipped", w.skipped());
        root.put("send_failures", r.sendFailures());
        root.put("results", w.results());
        root.put("results_per_s", round(rate(w.results(), secs), 1));
        root.put("errors", w.errors());
        putMap(root, "error_codes", r.errorCodes());
        root.put("dropped", w.dropped());
        long answered = w.results() + w.errors() + w.dropped();
        root.put("dropped_ratio", round(answered == 0 ? 0 : (double) w.dropped() / answered, 4));
        root.put("unknown_seq", w.unknownSeq());
        putMap(root, "other_messages", r.otherMessages());

        Histogram h = r.latencyMicros();
        ObjectNode lat = root.putObject("latency_ms");
        lat.put("count", h.getTotalCount());
        boolean any = h.getTotalCount() > 0;
        lat.put("mean", any ? round(h.getMean() / 1000.0, 3) : 0);
        lat.put("p50", ms(h, 50.0));
        lat.put("p90", ms(h, 90.0));
        lat.put("p99", ms(h, 99.0));
        lat.put("p99_9", ms(h, 99.9));
        lat.put("max", any ? round(h.getMaxValue() / 1000.0, 3) : 0);

        RunResult.Connections conn = r.connections();
        ObjectNode cn = root.putObject("connections");
        cn.put("attempted", conn.attempted());
        cn.put("open_at_window_start", conn.openAtWindowStart());
        cn.put("open_at_window_end", conn.openAtWindowEnd());
        cn.put("connect_failures", conn.failures());
        putMap(cn, "connect_failure_reasons", conn.failureReasons());
        cn.put("unexpected_closes", conn.unexpectedCloses());
        putMap(cn, "close_reasons", conn.closeReasons());
        putMap(cn, "ws_errors", conn.wsErrors());

        long[] per = r.perStreamResults();
        ObjectNode fair = root.putObject("fairness");
        fair.put("streams", per.length);
        double j = Fairness.jain(per);
        if (Double.isNaN(j)) {
            fair.putNull("jain");
        } else {
            fair.put("jain", round(j, 4));
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long v : per) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        fair.put("min_results", per.length == 0 ? 0 : min);
        fair.put("max_results", max);

        RunResult.Accounting a = r.accounting();
        ObjectNode acc = root.putObject("accounting");
        acc.put("sent", a.sent());
        acc.put("results", a.results());
        acc.put("errors", a.frameErrors());
        acc.put("dropped", a.dropped());
        acc.put("unanswered", a.unanswered());
        acc.put("streams_checked", a.streamsChecked());
        acc.put("streams_mismatched", a.streamsMismatched());
        acc.put("gap_total", a.gapTotal());
        acc.put("consistent", a.streamsMismatched() == 0);

        RunResult.Reconnects rc = r.reconnects();
        ObjectNode re = root.putObject("reconnect");
        re.put("enabled", rc.enabled());
        re.put("streams_reconnected", rc.streamsReconnected());
        Histogram g = rc.gapMicros();
        re.put("reconnects", g.getTotalCount());
        ObjectNode gap = re.putObject("gap_ms");
        gap.put("p50", ms(g, 50.0));
        gap.put("p99", ms(g, 99.0));
        gap.put("max", g.getTotalCount() > 0 ? round(g.getMaxValue() / 1000.0, 3) : 0);
        re.put("streams_down_at_end", rc.downAtEnd());
        re.put("lost_on_close", rc.lostOnClose());
        re.put("offline", rc.offline());

        RunResult.Advice adv = r.advice();
        ObjectNode an = root.putObject("advice");
        an.put("followed", adv.followed());
        an.put("frames_not_sent", adv.framesNotSent());
        // uplink in the window: frames sent (and not sent) times the average frame size
        an.put("uplink_bytes", w.sent() * r.frameBytesAvg());
        an.put("uplink_bytes_saved", adv.framesNotSent() * r.frameBytesAvg());
        an.put("uplink_saved_ratio", round(w.sent() + adv.framesNotSent() == 0 ? 0
                : (double) adv.framesNotSent() / (w.sent() + adv.framesNotSent()), 4));
        an.put("fps_min", adv.minFps());
        an.put("fps_median", adv.medianFps());
        an.put("fps_max", adv.maxFps());
        RunResult.LoadgenCost cost = r.cost();
        ObjectNode lg = root.putObject("loadgen");
        lg.put("cpu_s", round(cost.cpuSeconds(), 3));
        lg.put("cpu_us_per_frame_sent", w.sent() == 0 ? 0 : round(cost.cpuSeconds() * 1e6 / w.sent(), 1));
        lg.put("cpu_us_per_result", w.results() == 0 ? 0 : round(cost.cpuSeconds() * 1e6 / w.results(), 1));
        lg.put("max_send_lag_ms", round(cost.maxSendLagMs(), 3));
        lg.put("late_skipped", cost.lateSkipped());
        return root;
    }

    private static void putMap(ObjectNode parent, String name, Map<String, Long> m) {
        ObjectNode o = parent.putObject(name);
        m.forEach(o::put);
    }

    private static double ms(Histogram h, double pct) {
        return h.getTotalCount() == 0 ? 0 : round(h.getValueAtPercentile(pct) / 1000.0, 3);
    }

    private static double seconds(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }

    static double rate(long count, double secs) {
        return secs <= 0 ? 0 : count / secs;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
