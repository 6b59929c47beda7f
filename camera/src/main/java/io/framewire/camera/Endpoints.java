package io.framewire.camera;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.framewire.client.Closed;
import io.framewire.client.FramewireClient;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The bridge's HTTP side (JDK HttpServer): {@code /metrics} (Prometheus, one series per camera: a
 * bridge carries hundreds, not thousands), {@code /status} (JSON, each camera's state and last
 * error) and {@code /healthz}.
 */
final class Endpoints implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final Bridge bridge;
    private final LongSupplier nanoTime;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    Endpoints(Bridge bridge, String listen, LongSupplier nanoTime) throws IOException {
        this.bridge = bridge;
        this.nanoTime = nanoTime;
        int colon = listen.lastIndexOf(':');
        http = HttpServer.create(new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))), 64);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/metrics", this::metrics);
        http.createContext("/status", ex -> json(ex, status()));
        http.createContext("/healthz", ex -> json(ex, Map.of("status", "up", "cameras", bridge.cameras().size())));
        register();
        http.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    private void register() {
        JvmMetrics.builder().register(registry);
        gauge("framewire_camera_up", "1 while the camera's source delivers frames", c -> c.up() ? 1 : 0);
        gauge("framewire_camera_connected", "1 while the camera's WebSocket to framewire is open", c -> c.client.isOpen() ? 1 : 0);
        gauge("framewire_camera_fps_in", "frames decoded per second from the source (last 5 s)", c -> c.fpsIn.perSecond());
        gauge("framewire_camera_fps_out", "frames sent to framewire per second (last 5 s)", c -> c.fpsOut.perSecond());
        gauge("framewire_camera_target_fps", "the send rate aimed at: min(fps, advice.fps)", c -> c.client.pace(c.cam.fps()));
        counter("framewire_camera_frames_in", "frames decoded from the source", c -> c.framesIn);
        counter("framewire_camera_frames_out", "frames sent to framewire", c -> c.framesOut);
        counter("framewire_camera_frames_unsent", "frames encoded but not sent: the previous one was still being written",
                c -> c.framesUnsent);
        counter("framewire_camera_reconnects", "times the source was reopened after a failure, stall or end", c -> c.reopens);
        counter("framewire_camera_decode_errors", "packets the decoder refused", c -> c.decodeErrors);
        counter("framewire_camera_source_failures", "source failures (open, read, stall, end)", c -> c.failures);
        CounterWithCallback.builder().name("framewire_camera_ws_connections").help("WebSocket connections opened to framewire")
                .labelNames("camera").callback(cb -> bridge.cameras().forEach(c ->
                        cb.call(c.client.stats().connections(), c.cam.id()))).register(registry);
        CounterWithCallback.builder().name("framewire_camera_results").help("results received from framewire")
                .labelNames("camera").callback(cb -> bridge.cameras().forEach(c ->
                        cb.call(c.client.stats().results(), c.cam.id()))).register(registry);
    }

    private void gauge(String name, String help, ToDoubleFunction<CameraLoop> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("camera")
                .callback(cb -> bridge.cameras().forEach(c -> cb.call(value.applyAsDouble(c), c.cam.id())))
                .register(registry);
    }

    private void counter(String name, String help, Function<CameraLoop, AtomicLong> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("camera")
                .callback(cb -> bridge.cameras().forEach(c -> cb.call(value.apply(c).get(), c.cam.id())))
                .register(registry);
    }

    private void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            ExpositionFormatWriter writer = formats.findWriter(ex.getRequestHeaders().getFirst("Accept"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, registry.scrape());
            ex.getResponseHeaders().set("Content-Type", writer.getContentType());
            send(ex, 200, out.toByteArray());
        }
    }

    Map<String, Object> status() {
        List<Map<String, Object>> cams = new ArrayList<>();
        long now = nanoTime.getAsLong();
        for (CameraLoop c : bridge.cameras()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.cam.id());
            m.put("source", redact(c.cam.source()));
            CameraLoop.State s = c.state();
            m.put("state", s == CameraLoop.State.STREAMING && !c.up() ? "stalled" : s.name().toLowerCase());
            m.put("up", c.up());
            m.put("error", c.error());
            m.put("input", c.description());
            m.put("last_frame_ms_ago", c.lastFrameNanos() == 0 ? null : (now - c.lastFrameNanos()) / 1_000_000);
            m.put("fps_in", round(c.fpsIn.perSecond()));
            m.put("fps_out", round(c.fpsOut.perSecond()));
            m.put("fps_target", round(c.client.pace(c.cam.fps())));
            m.put("advice_fps", c.client.advisedFps() < 0 ? null : c.client.advisedFps());
            m.put("frames_in", c.framesIn.get());
            m.put("frames_out", c.framesOut.get());
            m.put("frames_unsent", c.framesUnsent.get());
            m.put("reconnects", c.reopens.get());
            m.put("decode_errors", c.decodeErrors.get());
            FramewireClient.Stats st = c.client.stats();
            m.put("connection", c.client.state().name().toLowerCase());
            m.put("results", st.results());
            m.put("dropped", st.dropped());
            Closed last = st.lastClose();
            m.put("last_close", last == null ? null : Map.of("code", last.code(), "http_status", last.httpStatus(),
                    "reason", String.valueOf(last.reason())));
            cams.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cameras", cams);
        return body;
    }

    /** user:password@ in a source URL stays out of /status. */
    static String redact(String source) {
        return source.replaceAll("://[^/@]*@", "://***@");
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    private static void json(HttpExchange ex, Object body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            send(ex, 200, JSON.writeValueAsBytes(body));
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
