package io.framewire.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;

/**
 * Every metric framewire exports (see prometheus/README.md for what operators do with them).
 * Hot-path instruments are resolved to their data points once, so recording a frame is a few
 * striped-counter increments with no label lookups. No per-stream labels: that detail belongs to
 * {@code /status}, not to a time-series database.
 */
public final class Metrics {

    private static final double[] LATENCY_BUCKETS =
            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] STAGE_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
    // fine where a cheap answer's stages lie (0.1 to 100 ms), coarse above: which stage a p99 lives in
    private static final double[] HOP_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 1, 10};
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64};
    private static final double[] FILL_BUCKETS = {0.125, 0.25, 0.5, 0.75, 1};
    private static final double[] ADVICE_BUCKETS = {0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 240};

    private final PrometheusRegistry registry = new PrometheusRegistry();

    public final CounterDataPoint framesReceived;
    public final CounterDataPoint framesProcessed;
    public final CounterDataPoint droppedReplaced;
    public final CounterDataPoint droppedRateLimited;
    public final CounterDataPoint droppedBadImage;
    public final CounterDataPoint droppedTooBig;
    public final CounterDataPoint droppedTooLarge;
    public final CounterDataPoint droppedFailed;
    public final CounterDataPoint messagesSent;
    public final CounterDataPoint outputDropped;
    public final CounterDataPoint wsConnects;
    public final CounterDataPoint workerBusySeconds;
    public final CounterDataPoint framesGated;
    public final CounterDataPoint detectorPassesSaved;
    public final CounterDataPoint tracksHandedOver;
    public final DistributionDataPoint advisedFps;
    public final CounterDataPoint redisErrors;
    public final CounterDataPoint redisResultsDropped;
    public final CounterDataPoint watchResultsMissed;
    public final CounterDataPoint streamsHandedBack;
    public final CounterDataPoint streamsHandedBackReturned;
    public final DistributionDataPoint frameLatency;
    public final DistributionDataPoint mailboxWait;
    /** {@code framewire_frame_stage_seconds}: received → taken (by a worker, or by the reader itself). */
    public final DistributionDataPoint stageWait;
    /** Taken → answered (its message queued on the socket). */
    public final DistributionDataPoint stageWork;
    /** Answered → written (Jetty wrote the message to the socket). */
    public final DistributionDataPoint stageWrite;
    public final DistributionDataPoint decode;
    public final DistributionDataPoint inference;
    public final DistributionDataPoint batchSize;
    public final DistributionDataPoint redisLatency;
    private final Counter wsCloses;
    private final ConcurrentHashMap<Integer, CounterDataPoint> closesByCode = new ConcurrentHashMap<>();
    private final Counter upgradesRefused;
    private final Map<String, Device> devices = new HashMap<>(); // guarded by this
    private Counter devicePasses;
    private Counter deviceBusy;
    private Histogram deviceFill;
    private final ConcurrentHashMap<Integer, CounterDataPoint> refusedByStatus = new ConcurrentHashMap<>();
    private final Counter events;
    private Counter eventsDelivered; // these four: guarded by this, made with the first sink
    private Counter eventFailures;
    private Counter eventsDropped;
    private GaugeWithCallback eventsBacklog;
    private final Map<String, DoubleSupplier> backlogs = new ConcurrentHashMap<>();

    public Metrics() {
        JvmMetrics.builder().register(registry);
        framesReceived = counter("framewire_frames_received", "Binary messages (frames) received from publishers");
        framesProcessed = counter("framewire_frames_processed", "Frames decoded and run through the detector");
        Counter dropped = Counter.builder().name("framewire_frames_dropped")
                .help("Frames without a result, by reason: replaced (by a newer frame), rate_limited, bad_image, too_big, image_too_large, inference_failed")
                .labelNames("reason").register(registry);
        droppedReplaced = dropped.labelValues("replaced");
        droppedRateLimited = dropped.labelValues("rate_limited");
        droppedBadImage = dropped.labelValues("bad_image");
        droppedTooBig = dropped.labelValues("too_big");
        droppedTooLarge = dropped.labelValues("image_too_large");
        droppedFailed = dropped.labelValues("inference_failed");
        messagesSent = counter("framewire_results_sent", "Result and error messages written to publishers' sockets");
        wsConnects = counter("framewire_ws_connects", "WebSocket connections opened");
        outputDropped = counter("framewire_output_dropped",
                "Messages not queued to a client for an output budget (ws.maxPendingBytes, ws.maxPendingBytesTotal, ws.maxPendingResults)");
        wsCloses = Counter.builder().name("framewire_ws_closes")
                .help("WebSocket connections ended, by close code").labelNames("code").register(registry);
        upgradesRefused = Counter.builder().name("framewire_ws_refused")
                .help("WebSocket upgrades refused, by HTTP status: 400 bad stream id, 401 no/invalid token, 403 not granted or bad Origin")
                .labelNames("status").register(registry);
        workerBusySeconds = counter("framewire_worker_busy_seconds", "Seconds inference workers spent decoding and inferring, summed over workers");
        framesGated = counter("framewire_frames_gated",
                "Frames answered without the detector: too little changed since its last pass (motion gating)");
        detectorPassesSaved = counter("framewire_detector_passes_saved",
                "Forward passes not run because every frame of the batch was gated");
        tracksHandedOver = counter("framewire_tracks_handed_over",
                "Streams that connected here and found tracks a previous connection left in Redis (their ids continue)");
        advisedFps = Histogram.builder().name("framewire_advised_fps")
                .help("Send rate advised to streams (advice.fps), one observation per result")
                .classicUpperBounds(ADVICE_BUCKETS).classicOnly().register(registry);
        redisErrors = counter("framewire_redis_errors", "Failed Redis operations");
        redisResultsDropped = counter("framewire_redis_results_dropped",
                "Results not appended to Redis for watchers: the publish queue was full (Redis slow or down)");
        watchResultsMissed = counter("framewire_watch_results_missed",
                "Results of a watched stream that never reached this host's watch reader: a gap in seq that the next "
                        + "message's dropped does not explain (the publishing host did not append them: its queue was full, "
                        + "or Redis lost the stream's watch marker)");
        streamsHandedBack = counter("framewire_streams_handed_back",
                "Streams closed here (1001) to go back to a host that rejoined the fleet, the host they moved here from "
                        + "(redis.rebalanceWindowMs)");
        streamsHandedBackReturned = counter("framewire_streams_handed_back_returned",
                "Streams handed back that reconnected here anyway (the balancer did not route to the rejoined host yet: "
                        + "redis.rebalanceDelayMs too short); they stay");
        frameLatency = histogram("framewire_frame_latency_seconds", "Frame received to its result queued on the socket", LATENCY_BUCKETS);
        mailboxWait = histogram("framewire_mailbox_wait_seconds", "Frame received to taken by a worker", LATENCY_BUCKETS);
        Histogram stages = Histogram.builder().name("framewire_frame_stage_seconds")
                .help("A frame's hop, by stage: wait (received -> taken by a worker, or by its reader when it needs none), "
                        + "work (taken -> answer queued on the socket), write (queued -> written by Jetty; every message to a publisher)")
                .unit(Unit.SECONDS).labelNames("stage").classicUpperBounds(HOP_BUCKETS).classicOnly().register(registry);
        stageWait = stages.labelValues("wait");
        stageWork = stages.labelValues("work");
        stageWrite = stages.labelValues("write");
        decode = histogram("framewire_decode_seconds", "Image decoding time per frame", STAGE_BUCKETS);
        inference = histogram("framewire_inference_seconds", "Detector time per forward pass (a whole batch)", STAGE_BUCKETS);
        batchSize = Histogram.builder().name("framewire_batch_size").help("Frames per forward pass")
                .classicUpperBounds(BATCH_BUCKETS).classicOnly().register(registry);
        events = Counter.builder().name("framewire_events")
                .help("Zone events made from tracks, by type: enter, leave, dwell").labelNames("type").register(registry);
        redisLatency = histogram("framewire_redis_latency_seconds", "Redis round trip (one pipelined batch)", STAGE_BUCKETS);
    }

    /**
     * The instruments of one inference device, shared by the executors of the split pipeline that
     * run on it, labelled by {@code label} only ("cuda:0", "sim:0", "cpu:1"): a handful of series
     * per host, never per stream.
     */
    public synchronized Device device(String label, int batchMax) {
        return devices.computeIfAbsent(label, l -> newDevice(l, batchMax));
    }

    private Device newDevice(String label, int batchMax) {
        if (devicePasses == null) {
            devicePasses = Counter.builder().name("framewire_device_forward_passes")
                    .help("Forward passes run, by inference device").labelNames("device").register(registry);
            deviceBusy = Counter.builder().name("framewire_device_busy_seconds")
                    .help("Seconds the device had a forward pass in flight (its executors' overlapping passes counted once); its rate is the device's busy fraction")
                    .labelNames("device").register(registry);
            deviceFill = Histogram.builder().name("framewire_device_batch_fill")
                    .help("Frames per forward pass over batch.max, by inference device")
                    .classicUpperBounds(FILL_BUCKETS).classicOnly().labelNames("device").register(registry);
        }
        return new Device(devicePasses.labelValues(label), deviceBusy.labelValues(label), deviceFill.labelValues(label),
                Math.max(1, batchMax));
    }

    /** See {@link #device}. */
    public static final class Device {

        private final CounterDataPoint passes;
        private final CounterDataPoint busySeconds;
        private final DistributionDataPoint fill;
        private final int batchMax;
        private final ReentrantLock lock = new ReentrantLock();
        private long busyUntil = Long.MIN_VALUE; // guarded by lock: the end of the latest pass counted

        Device(CounterDataPoint passes, CounterDataPoint busySeconds, DistributionDataPoint fill, int batchMax) {
            this.passes = passes;
            this.busySeconds = busySeconds;
            this.fill = fill;
            this.batchMax = batchMax;
        }

        /**
         * One forward pass of {@code frames} frames from {@code startNanos} to {@code endNanos}.
         * Busy time counts only what no other pass on the device already covered: two executors'
         * passes overlap (one waits for the device while the other runs), and the device's busy
         * fraction must stay the share of time it had work.
         */
        public void forwardPass(int frames, long startNanos, long endNanos) {
            long busy;
            lock.lock();
            try {
                long from = busyUntil != Long.MIN_VALUE && busyUntil - startNanos > 0 ? busyUntil : startNanos;
                busy = Math.max(0, endNanos - from);
                if (busyUntil == Long.MIN_VALUE || endNanos - busyUntil > 0) {
                    busyUntil = endNanos;
                }
            } finally {
                lock.unlock();
            }
            passes.inc();
            busySeconds.inc(seconds(busy));
            fill.observe(Math.min(1.0, (double) frames / batchMax));
        }
    }

    /** A gauge read when scraped. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** Events made, by type ({@code enter}, {@code leave}, {@code dwell}). */
    public CounterDataPoint eventMade(String type) {
        return events.labelValues(type);
    }

    /** One sink's instruments: events delivered, failed attempts, events dropped (queue full), and its backlog. */
    public record Sink(CounterDataPoint delivered, CounterDataPoint failures, CounterDataPoint dropped) {}

    /** The instruments of event sink {@code name} ({@code redis}, {@code webhook}, {@code mqtt}); {@code backlog} read when scraped. */
    public synchronized Sink eventSink(String name, DoubleSupplier backlog) {
        if (eventsBacklog == null) {
            eventsDelivered = Counter.builder().name("framewire_events_delivered")
                    .help("Events a sink delivered (acknowledged by Redis, the webhook's 2xx, the MQTT broker)").labelNames("sink").register(registry);
            eventFailures = Counter.builder().name("framewire_event_delivery_failures")
                    .help("Failed delivery attempts of a sink (each retried with backoff)").labelNames("sink").register(registry);
            eventsDropped = Counter.builder().name("framewire_events_dropped")
                    .help("Events a sink dropped: its queue (backlog) was full, or the receiver refused them for good (4xx)")
                    .labelNames("sink").register(registry);
            eventsBacklog = GaugeWithCallback.builder().name("framewire_events_backlog")
                    .help("Events queued or in flight at a sink, not yet delivered").labelNames("sink")
                    .callback(cb -> backlogs.forEach((sink, value) -> cb.call(value.getAsDouble(), sink))).register(registry);
        }
        backlogs.put(name, backlog);
        return new Sink(eventsDelivered.labelValues(name), eventFailures.labelValues(name), eventsDropped.labelValues(name));
    }

    /**
     * Labels never come from client input: a client may close with any code from 1000 to 4999, so
     * codes outside RFC 6455's own (1000-1015) and framewire's (4000) share one {@code other} series.
     */
    public void wsClosed(int code) {
        int key = (code >= 1000 && code <= 1015) || code == 4000 ? code : -1;
        closesByCode.computeIfAbsent(key, c -> wsCloses.labelValues(c < 0 ? "other" : Integer.toString(c))).inc();
    }

    public void wsRefused(int httpStatus) {
        refusedByStatus.computeIfAbsent(httpStatus, c -> upgradesRefused.labelValues(Integer.toString(c))).inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Nanoseconds as the seconds Prometheus expects. */
    public static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private CounterDataPoint counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    private DistributionDataPoint histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).unit(Unit.SECONDS)
                .classicUpperBounds(buckets).classicOnly().register(registry);
    }
}
