package io.framewire.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.stream.StreamSession;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Plain HTTP beside the WebSocket endpoints: {@code /healthz} (process alive), {@code /readyz}
 * (should a balancer send streams here), {@code /status} (per-stream detail) and {@code /metrics}
 * (Prometheus), and the browser pages ({@link WebUi}). With an admin port, /metrics, /status and the
 * dashboard are served only there.
 */
final class HttpEndpoints extends Handler.Abstract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = String.valueOf(HttpEndpoints.class.getPackage().getImplementationVersion());

    private final FramewireServer server;
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final ServerConnector admin;
    private final String host = hostName();
    private final WebUi web;
    private final StreamApi api;
    static final String API_STREAMS = "/api/streams/";
    static final String API_EVENTS = "/api/events/";
    static final String SNAPSHOT = "/snapshot.jpg";

    HttpEndpoints(FramewireServer server, PrometheusRegistry registry, ServerConnector admin) {
        this.server = server;
        this.registry = registry;
        this.admin = admin;
        this.web = new WebUi(server, registry);
        this.api = new StreamApi(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = request.getHttpURI().getPath();
        // where /status goes, the dashboard and its JSON go (WebUi)
        boolean onAdmin = admin == null || request.getConnectionMetaData().getConnector() == admin;
        switch (path) {
            case "/healthz" -> json(response, callback, HttpStatus.OK_200, health());
            case "/readyz" -> readiness(response, callback);
            case "/status" -> {
                if (!onAdmin) {
                    return false;
                }
                if (!refusedAsPrivate(request, response, callback)) {
                    json(response, callback, HttpStatus.OK_200, status());
                }
            }
            case "/metrics" -> {
                if (!onAdmin) {
                    return false;
                }
                if (!refusedAsPrivate(request, response, callback)) {
                    metrics(request, response, callback);
                }
            }
            default -> {
                if (path.startsWith(API_EVENTS) && path.endsWith(SNAPSHOT)) {
                    api.snapshot(path.substring(API_EVENTS.length(), path.length() - SNAPSHOT.length()), request, response, callback);
                    return true;
                }
                if (path.startsWith(API_STREAMS)) {
                    return api.handle(path.substring(API_STREAMS.length()), onAdmin, request, response, callback);
                }
                if (!path.startsWith(FramewireServer.STREAM_PATH) && !path.startsWith(FramewireServer.WATCH_PATH)) {
                    if (onAdmin && WebUi.isPrivate(path) && refusedAsPrivate(request, response, callback)) {
                        return true;
                    }
                    return web.handle(path, onAdmin, request, response, callback); // false: Jetty answers 404
                }
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                        "this is a WebSocket endpoint: connect with a WebSocket client");
            }
        }
        return true;
    }

    /**
     * With authentication on and no admin port, /status (every stream id, client address), the
     * dashboard and /metrics are not served on the public port unless {@code security.publicStatus} says so.
     */
    private boolean refusedAsPrivate(Request request, Response response, Callback callback) {
        if (admin != null || !server.authorizer().enabled() || server.settings().auth().publicStatus()) {
            return false;
        }
        Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403,
                "private while security.auth=jwt: served on admin.port (or set security.publicStatus=true)");
        return true;
    }

    private ObjectNode health() {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", "up");
        body.put("streams", server.activeStreams());
        body.put("workers", server.workersAlive());
        return body;
    }

    /**
     * Ready = model loaded (all workers alive), not draining, below capacity. Redis is reported
     * ("up", "degraded", "not configured") but does not decide: streams keep working on a host
     * that lost Redis, and a Redis blip must not pull every host out of the balancer at once.
     */
    private void readiness(Response response, Callback callback) throws IOException {
        ObjectNode checks = JSON.createObjectNode();
        boolean model = server.workersAlive() == server.workersConfigured();
        boolean accepting = !server.draining();
        boolean capacity = server.activeStreams() < server.settings().maxStreams();
        checks.put("model_loaded", model);
        checks.put("accepting_streams", accepting);
        checks.put("below_capacity", capacity);
        checks.put("redis", server.redisHealth());
        boolean ready = model && accepting && capacity;
        ObjectNode body = JSON.createObjectNode();
        body.put("ready", ready);
        body.set("checks", checks);
        body.put("streams", server.activeStreams());
        body.put("capacity", server.settings().maxStreams());
        json(response, callback, ready ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, body);
    }

    private ObjectNode status() {
        ObjectNode body = JSON.createObjectNode();
        body.put("host", host);
        body.put("version", VERSION);
        body.put("detector", server.detector());
        body.put("workers", server.workersAlive());
        body.put("draining", server.draining());
        body.put("capacity", server.settings().maxStreams());
        ArrayNode streams = body.putArray("streams");
        for (StreamSession s : server.registry().all()) {
            ObjectNode n = streams.addObject();
            n.put("id", s.id());
            n.put("client", s.remoteAddress());
            n.put("connected_at", s.connectedAt().toString());
            Instant last = s.lastFrameAt();
            n.put("last_frame_at", last == null ? null : last.toString());
            n.put("frames_received", s.framesReceived());
            n.put("frames_processed", s.framesProcessed());
            n.put("frames_dropped", s.framesDropped());
        }
        return body;
    }

    private void metrics(Request request, Response response, Callback callback) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, writer.getContentType());
        response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void json(Response response, Callback callback, int status, ObjectNode body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
    }
}
