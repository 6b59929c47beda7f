package io.framewire.bench.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;

/**
 * One load run: ramp connections up, warm up, measure a fixed window, drain, close.
 * The main thread only keeps time (window edges, 5 s progress lines); pacing is {@link SendLoop},
 * replies are handled on the {@link Transport}'s I/O threads by each {@link StreamConn}.
 * With {@code --reconnect}, a stream whose connection ends (close frame, lost TCP, failed
 * connect) gets a fresh connection after the client contract's delay ({@link Backoff}), on a
 * timer thread; its {@link StreamTrack} keeps one ledger across the connections and times each outage.
 */
final class LoadRun {
    private static final long REPORT_EVERY = TimeUnit.SECONDS.toNanos(5);

    private final LoadGenConfig cfg;
    private final List<ByteBuffer> frames;
    private final StreamConn.Sinks sinks = StreamConn.Sinks.create();
    private final Tally connectFailures = new Tally();
    private Transport transport;
    private volatile StreamConn[] conns;   // each stream's current connection
    private volatile StreamTrack[] tracks; // each stream across its connections
    private Backoff[] backoffs;            // each stream's reconnect delays (--reconnect)
    private List<ByteBuffer> wire; // frames as the transport sends them
    private ScheduledThreadPoolExecutor timer; // reconnects
    private long runStart;
    private volatile long sendEnd; // nanoTime the window ended (the last frames were due); 0 before

    LoadRun(LoadGenConfig cfg, List<ByteBuffer> frames) {
        this.cfg = cfg;
        this.frames = frames;
    }

    RunResult run() throws Exception {
        transport = Transport.open(cfg, sinks);
        try {
            wire = frames.stream().map(transport::prepare).toList();
            conns = new StreamConn[cfg.streams()];
            tracks = new StreamTrack[cfg.streams()];
            backoffs = new Backoff[cfg.streams()];
            for (int i = 0; i < conns.length; i++) {
                tracks[i] = new StreamTrack();
                if (cfg.reconnects()) {
                    backoffs[i] = new Backoff(cfg.reconnect().toNanos(), cfg.reconnectMax().toNanos(),
                            () -> ThreadLocalRandom.current().nextDouble());
                }
                newConn(i);
            }
            if (cfg.reconnects()) {
                timer = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "lg-reconnect");
                    t.setDaemon(true);
                    return t;
                });
                if (!cfg.silence().isZero()) {
                    long every = Math.clamp(cfg.silence().toMillis() / 20, 10, 250);
                    timer.scheduleWithFixedDelay(this::checkSilence, every, every, TimeUnit.MILLISECONDS);
                }
            }
            return measure();
        } finally {
            shutdown();
        }
    }

    private StreamConn newConn(int i) {
        StreamConn c = transport.newConn(tracks[i].ledger);
        c.onLost(code -> lost(i, code));
        conns[i] = c;
        return c;
    }

    private void connect(int i) {
        StreamConn c = conns[i].state() == StreamConn.State.IDLE ? conns[i] : newConn(i); // a reconnect: fresh connection
        c.connecting();
        transport.connect(c, cfg.streamUri(i))
                .orTimeout(cfg.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((s, t) -> {
                    if (t != null) {
                        connectFailures.inc(describe(t));
                        c.connectFailed();
                        WsHandshake.Rejected refused = rejection(t);
                        int status = refused != null ? refused.status : upgradeStatus(t);
                        tracks[i].failedConnect();
                        if (cfg.reconnects()) {
                            long retryAfter = refused == null || refused.retryAfterS < 0 ? 0 : TimeUnit.SECONDS.toNanos(refused.retryAfterS);
                            long delay = backoffs[i].afterFailedConnect(status, retryAfter);
                            if (delay != Backoff.STOP) { // 400, 401, 403: surfaced in the summary, never retried
                                scheduleReconnect(i, delay);
                            }
                        }
                    } else {
                        tracks[i].opened(System.nanoTime());
                    }
                });
    }

    /** The open connection of stream {@code i} ended without us closing it (I/O thread). */
    private void lost(int i, int code) {
        long now = System.nanoTime();
        boolean gotResult = tracks[i].lost(now, TimeUnit.NANOSECONDS.toMillis(now - runStart), code);
        if (cfg.reconnects()) {
            long delay = backoffs[i].afterClose(code, gotResult);
            if (delay != Backoff.STOP) {
                scheduleReconnect(i, delay);
            }
        }
    }

    /** The silence rule over every open connection (timer thread). */
    /** Streams whose current connection is open (for tests, which poll on it from another thread). */
    int openStreams() {
        StreamConn[] c = conns;
        int n = 0;
        for (int i = 0; c != null && i < c.length; i++) {
            if (c[i] != null && c[i].state() == StreamConn.State.OPEN) {
                n++;
            }
        }
        return n;
    }

    /** Results so far, all streams (tests). */
    long resultsSoFar() {
        StreamTrack[] t = tracks;
        long n = 0;
        for (int i = 0; t != null && i < t.length; i++) {
            n += t[i] == null ? 0 : t[i].ledger.counts().results();
        }
        return n;
    }

    /** The fewest failed connects of any stream so far (tests). */
    int minFailedConnects() {
        StreamTrack[] t = tracks;
        int min = Integer.MAX_VALUE;
        for (int i = 0; t != null && i < t.length; i++) {
            min = Math.min(min, t[i] == null ? 0 : t[i].failedConnects());
        }
        return t == null ? 0 : min;
    }

    private void checkSilence() {
        long now = System.nanoTime();
        long limit = cfg.silence().toNanos();
        for (int i = 0; i < cfg.silenceStreams(); i++) {
            StreamConn c = conns[i];
            if (c.silent(now, limit) && !sinks.closing().get()) {
                c.giveUp();
            }
        }
    }

    private static int upgradeStatus(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof UpgradeException u) {
                return u.getResponseStatusCode();
            }
        }
        return 0;
    }

    private static WsHandshake.Rejected rejection(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof WsHandshake.Rejected r) {
                return r;
            }
        }
        return null;
    }

    private void scheduleReconnect(int i, long delay) {
        if (sinks.closing().get()) {
            return;
        }
        try {
            timer.schedule(() -> {
                if (!sinks.closing().get()) {
                    connect(i);
                }
            }, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ignored) {
            // the run is over
        }
    }

    private RunResult measure() throws InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        runStart = start;
        long w0 = start + cfg.ramp().toNanos() + cfg.warmup().toNanos();
        long w1 = w0 + cfg.duration().toNanos();
        SendLoop loop = new SendLoop(conns, wire, cfg.fps(), start, cfg.ramp().toNanos(), w0, w1, this::connect,
                cfg.followAdvice());
        Thread sender = new Thread(loop, "lg-send");
        sender.setDaemon(true);
        sender.start();

        Histogram window = new Histogram(1, StreamConn.Sinks.MAX_LATENCY_MICROS, 3);
        Histogram sinceReport = new Histogram(1, StreamConn.Sinks.MAX_LATENCY_MICROS, 3);
        Histogram interval = null;
        Edge begin = null;
        Edge finish = null;
        StreamLedger.Counts lastTotals = StreamLedger.Counts.ZERO;
        long lastReport = start;
        long nextReport = start + REPORT_EVERY;
        // Wake at each 5 s report and at both window edges; latency recorded between the edges
        // goes to the window histogram, everything goes to the progress lines.
        while (finish == null) {
            long t = Math.min(nextReport, begin == null ? w0 : w1); // w0 < w1
            sleepUntil(t);
            interval = sinks.latencyMicros().getIntervalHistogram(interval);
            sinceReport.add(interval);
            if (begin != null) {
                window.add(interval);
            }
            if (t == w0 && begin == null) {
                begin = edge();
                System.err.printf(Locale.ROOT, "[loadgen] measuring window started: open=%d failed=%d%n",
                        begin.openCount(), connectFailures.total());
            }
            if (t == w1) {
                finish = edge();
                System.err.printf(Locale.ROOT, "[loadgen] measuring window ended: open=%d%n", finish.openCount());
            }
            if (t == nextReport || finish != null) {
                StreamLedger.Counts totals = StreamLedger.Counts.ZERO;
                for (StreamTrack tr : tracks) {
                    totals = totals.plus(tr.ledger.counts());
                }
                report(t - start, t - lastReport, totals.minus(lastTotals), sinceReport);
                sinceReport.reset();
                lastTotals = totals;
                lastReport = t;
                nextReport = t + REPORT_EVERY;
            }
        }
        sender.join(TimeUnit.SECONDS.toMillis(5));
        sendEnd = w1;

        // Drain: give in-flight frames time to be answered so the accounting can close.
        sleepUntil(w1 + cfg.drain().toNanos());

        long[] perStream = new long[begin.openCount()];
        int k = 0;
        StreamLedger.Counts windowTotals = StreamLedger.Counts.ZERO;
        for (int i = 0; i < conns.length; i++) {
            StreamLedger.Counts d = finish.counts()[i].minus(begin.counts()[i]);
            windowTotals = windowTotals.plus(d);
            if (begin.open()[i]) { // fairness among the streams that were there from the start
                perStream[k++] = d.results();
            }
        }
        RunResult.Connections connections = new RunResult.Connections(conns.length, begin.openCount(),
                finish.openCount(), connectFailures.total(), connectFailures.snapshot(), sinks.closes().total(),
                sinks.closes().snapshot(), sinks.wsErrors().snapshot());
        long bytes = 0;
        for (ByteBuffer b : frames) {
            bytes += b.remaining();
        }
        return new RunResult(cfg, frames.size(), bytes / frames.size(), (w1 - w0) / 1e9, connections,
                windowTotals, perStream, window, sinks.errorCodes().snapshot(), sinks.other().snapshot(),
                sinks.sendFailures().sum(), accounting(),
                new RunResult.LoadgenCost((finish.cpuNanos() - begin.cpuNanos()) / 1e9,
                        loop.maxLagNanos() / 1e6, loop.lateSkipped()),
                reconnects(finish), advice(loop));
    }

    private RunResult.Advice advice(SendLoop loop) {
        double[] fps = java.util.Arrays.stream(conns).mapToDouble(StreamConn::advisedFps).filter(f -> f >= 0).sorted().toArray();
        if (fps.length == 0) {
            return new RunResult.Advice(cfg.followAdvice(), loop.adviceSkipped(), -1, -1, -1);
        }
        return new RunResult.Advice(cfg.followAdvice(), loop.adviceSkipped(), fps[0], fps[fps.length / 2], fps[fps.length - 1]);
    }

    /** Every stream's counters and state, and the process CPU, at one edge of the window. */
    private record Edge(StreamLedger.Counts[] counts, boolean[] open, int openCount, long cpuNanos) {
    }

    private Edge edge() {
        StreamLedger.Counts[] counts = new StreamLedger.Counts[conns.length];
        boolean[] open = new boolean[conns.length];
        int n = 0;
        for (int i = 0; i < conns.length; i++) {
            counts[i] = tracks[i].ledger.counts();
            open[i] = conns[i].state() == StreamConn.State.OPEN;
            n += open[i] ? 1 : 0;
        }
        return new Edge(counts, open, n, processCpuNanos());
    }

    private RunResult.Accounting accounting() {
        long sent = 0, results = 0, errors = 0, dropped = 0, unanswered = 0, gap = 0;
        int checked = 0, mismatched = 0;
        for (StreamTrack tr : tracks) {
            StreamLedger l = tr.ledger;
            if (l.connections() == 0) {
                continue;
            }
            StreamLedger.Counts k = l.counts();
            checked++;
            sent += k.sent();
            results += k.results();
            errors += l.frameErrors();
            dropped += k.dropped();
            unanswered += l.unanswered();
            long g = l.accountingGap();
            if (g != 0) {
                mismatched++;
                gap += Math.abs(g);
            }
        }
        return new RunResult.Accounting(sent, results, errors, dropped, unanswered, checked, mismatched, gap);
    }

    /** Outages and reconnects over the whole run; {@code finish}: which streams were open at the window's end. */
    private RunResult.Reconnects reconnects(Edge finish) {
        Histogram gaps = new Histogram(1, StreamConn.Sinks.MAX_LATENCY_MICROS, 3);
        int reconnected = 0;
        int downAtEnd = 0;
        long lost = 0;
        long offline = 0;
        for (int i = 0; i < tracks.length; i++) {
            StreamTrack tr = tracks[i];
            List<Double> g = tr.gapsMs();
            reconnected += g.isEmpty() ? 0 : 1;
            for (double ms : g) {
                gaps.recordValue(Math.max(1, Math.min(StreamConn.Sinks.MAX_LATENCY_MICROS, Math.round(ms * 1000))));
            }
            if (tr.ledger.connections() > 0 && !finish.open()[i]) {
                downAtEnd++;
            }
            lost += tr.ledger.lostOnClose();
            offline += tr.ledger.offline();
        }
        return new RunResult.Reconnects(cfg.reconnects(), reconnected, gaps, downAtEnd, lost, offline);
    }

    /** --per-stream: one JSON line per stream. */
    void writePerStream(java.nio.file.Path path) throws IOException {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        try (Writer w = Files.newBufferedWriter(path)) {
            for (int i = 0; i < tracks.length; i++) {
                StreamTrack tr = tracks[i];
                StreamLedger l = tr.ledger;
                StreamLedger.Counts k = l.counts();
                ObjectNode o = Summary.MAPPER.createObjectNode();
                o.put("stream", cfg.streamId(i));
                o.put("connections", l.connections());
                o.put("sent", k.sent());
                o.put("results", k.results());
                o.put("errors", k.errors());
                o.put("dropped", k.dropped());
                o.put("lost_on_close", l.lostOnClose());
                o.put("unanswered", l.unanswered());
                o.put("offline", l.offline());
                o.put("sent_before_last_connection", l.connectionBase());
                o.put("accounting_gap", l.accountingGap());
                // a stream that stopped getting results before the window's end: that tail is a gap too
                long tail = l.lastResultNanos() == 0 || sendEnd == 0 ? 0 : Math.max(0, sendEnd - l.lastResultNanos());
                o.put("max_result_gap_ms", Summary.round(Math.max(l.maxResultGapNanos(), tail) / 1e6, 1));
                var gaps = o.putArray("gaps_ms");
                tr.gapsMs().forEach(ms -> gaps.add(Summary.round(ms, 1)));
                var closes = o.putArray("closes");
                tr.closes().forEach(closes::add);
                o.put("down", tr.down());
                o.put("failed_connects", tr.failedConnects());
                w.write(Summary.MAPPER.writeValueAsString(o));
                w.write('\n');
            }
        }
    }

    private void report(long sinceStart, long span, StreamLedger.Counts d, Histogram h) {
        double secs = span / 1e9;
        int open = 0;
        for (StreamConn c : conns) {
            open += c.state() == StreamConn.State.OPEN ? 1 : 0;
        }
        System.err.printf(Locale.ROOT,
                "[loadgen] t=%5.1fs open=%d sent/s=%.0f results/s=%.0f dropped/s=%.0f errors=%d skipped=%d p50=%.1fms p99=%.1fms%n",
                sinceStart / 1e9, open, d.sent() / secs, d.results() / secs, d.dropped() / secs, d.errors(),
                d.skipped(), h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(50) / 1000.0,
                h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(99) / 1000.0);
    }

    private void shutdown() {
        sinks.closing().set(true);
        if (timer != null) {
            timer.shutdownNow();
        }
        if (conns != null) {
            for (StreamConn c : conns) {
                try {
                    c.close();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline && anyOpen()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        transport.close();
    }

    private boolean anyOpen() {
        for (StreamConn c : conns) {
            if (c.state() == StreamConn.State.OPEN) {
                return true;
            }
        }
        return false;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * The whole process: every thread, exited ones included (the pacing thread ends with the
     * window), GC and JIT too; on Linux the same utime+stime as /proc/self/stat, which the bench
     * scripts sample from outside as a cross-check.
     */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Short, low-cardinality label for a failure: upgrade status, or exception class and message. */
    static String describe(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof UpgradeException u && u.getResponseStatusCode() > 0) {
            return "upgrade HTTP " + u.getResponseStatusCode();
        }
        if (e instanceof WsHandshake.Rejected) {
            return e.getMessage(); // the status line
        }
        if (e instanceof TimeoutException) {
            return "connect timeout";
        }
        String msg = e.getMessage();
        String s = e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        return s.length() > 100 ? s.substring(0, 100) : s;
    }
}
