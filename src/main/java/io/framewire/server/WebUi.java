package io.framewire.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.stream.StreamSession;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The browser pages (publisher {@code /}, {@code /watch/{id}}, {@code /dashboard}), their static
 * files (from {@code io/framewire/web/} in the jar, read once) and {@code /dashboard.json}. The
 * dashboard and its JSON go where {@code /status} goes; the caller decides ({@code admin}).
 */
final class WebUi {

    static final String DASHBOARD = "/dashboard";
    static final String DASHBOARD_JSON = "/dashboard.json";
    private static final String ROOT = "/io/framewire/web/";
    private static final Pattern FILE = Pattern.compile("/([a-z0-9-]+\\.(js|css|html|png|svg|txt))");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "html", "text/html; charset=utf-8", "png", "image/png",
            "svg", "image/svg+xml", "txt", "text/plain; charset=utf-8");
    /** Pages load only their own scripts and styles; sockets may go to any host (watch "on any host"). */
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
            + "media-src 'self' blob: mediastream:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FramewireServer server;
    private final PrometheusRegistry registry;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    WebUi(FramewireServer server, PrometheusRegistry registry) {
        this.server = server;
        this.registry = registry;
    }

    /** The dashboard and its JSON: they go where /status goes. */
    static boolean isPrivate(String path) {
        return path.equals(DASHBOARD) || path.equals(DASHBOARD_JSON);
    }

    /** Answers the paths it owns and returns true; false for anything else (404 from Jetty). */
    boolean handle(String path, boolean admin, Request request, Response response, Callback callback) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            return file("index.html", response, callback);
        }
        if (path.startsWith("/watch/")) {
            return FramewireServer.STREAM_ID.matcher(path.substring("/watch/".length())).matches()
                    && file("watch.html", response, callback);
        }
        if (path.equals(DASHBOARD)) {
            return admin && file("dashboard.html", response, callback);
        }
        if (path.equals(DASHBOARD_JSON)) {
            if (!admin) {
                return false;
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(dashboard())), callback);
            return true;
        }
        var m = FILE.matcher(path);
        return m.matches() && !m.group(1).endsWith(".html") && file(m.group(1), response, callback);
    }

    private boolean file(String name, Response response, Callback callback) {
        byte[] body = files.get(name);
        if (body == null) {
            body = load(name);
            if (body == null) {
                return false; // misses are not cached: any name may be asked for
            }
            files.put(name, body);
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.get(ext));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        if (ext.equals("html")) {
            response.getHeaders().put("Content-Security-Policy", CSP);
            response.getHeaders().put("Referrer-Policy", "no-referrer"); // ?token= stays on this page
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static byte[] load(String name) {
        try (InputStream in = WebUi.class.getResourceAsStream(ROOT + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Cumulative counts only: the page derives rates and latency quantiles from the difference
     * between two polls, so the server keeps no state per dashboard.
     */
    ObjectNode dashboard() {
        ObjectNode body = JSON.createObjectNode();
        body.put("time_ms", System.currentTimeMillis());
        body.put("host", server.hostId());
        body.put("detector", server.detector());
        body.put("workers", server.workersAlive());
        body.put("draining", server.draining());
        body.put("capacity", server.settings().maxStreams());
        body.put("streams_active", server.activeStreams());
        ObjectNode totals = body.putObject("totals");
        ArrayNode buckets = body.putObject("latency").putArray("buckets");
        for (MetricSnapshot s : registry.scrape(name -> name.startsWith("framewire_"))) {
            String name = s.getMetadata().getName();
            if (s instanceof CounterSnapshot c) {
                double sum = c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
                switch (name) {
                    case "framewire_frames_received" -> totals.put("received", (long) sum);
                    case "framewire_frames_processed" -> totals.put("processed", (long) sum);
                    case "framewire_frames_dropped" -> totals.put("dropped", (long) sum);
                    case "framewire_results_sent" -> totals.put("results_sent", (long) sum);
                    case "framewire_worker_busy_seconds" -> totals.put("worker_busy_seconds", sum);
                    default -> { }
                }
            } else if (s instanceof HistogramSnapshot h && name.equals("framewire_frame_latency_seconds")
                    && !h.getDataPoints().isEmpty()) {
                long cumulative = 0;
                for (ClassicHistogramBucket b : h.getDataPoints().get(0).getClassicBuckets()) {
                    cumulative += b.getCount();
                    ArrayNode pair = buckets.addArray(); // [upper bound in seconds ("+Inf" last), frames at or below it]
                    if (Double.isInfinite(b.getUpperBound())) {
                        pair.add("+Inf");
                    } else {
                        pair.add(b.getUpperBound());
                    }
                    pair.add(cumulative);
                }
            }
        }
        ArrayNode streams = body.putArray("streams");
        for (StreamSession s : server.registry().all()) {
            ObjectNode n = streams.addObject();
            n.put("id", s.id());
            n.put("client", s.remoteAddress());
            n.put("connected_at", s.connectedAt().toEpochMilli());
            n.put("received", s.framesReceived());
            n.put("processed", s.framesProcessed());
            n.put("dropped", s.framesDropped());
        }
        List<Map<String, String>> hosts = server.fleetHosts();
        if (hosts == null) {
            body.putNull("fleet");
        } else {
            ArrayNode fleet = body.putObject("fleet").putArray("hosts");
            for (Map<String, String> h : hosts) {
                ObjectNode n = fleet.addObject();
                n.put("id", h.get("id"));
                n.put("address", h.get("address"));
                n.put("streams", parse(h.get("streams")));
                n.put("capacity", parse(h.get("capacity")));
                n.put("version", h.get("version"));
                n.put("heartbeat_ms", parse(h.get("heartbeat")));
                n.put("started_at_ms", parse(h.get("started_at")));
            }
        }
        return body;
    }

    private static long parse(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
