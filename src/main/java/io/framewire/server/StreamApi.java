package io.framewire.server;

import io.framewire.events.Events;
import io.framewire.events.Pictures;
import io.framewire.events.Zones;
import io.framewire.security.Access;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /api/streams/{id}/...}: a stream's zones ({@code PUT}, {@code GET}, {@code DELETE}
 * {@code zones}; on the admin port where one is set, with a token granting {@code fw.admin} for
 * the stream when authentication is on) and its latest picture ({@code GET latest.jpg}, on any
 * port, with {@code fw.watch}). Errors are JSON: {@code {"error":"..."}}.
 */
final class StreamApi {

    private final FramewireServer server;

    StreamApi(FramewireServer server) {
        this.server = server;
    }

    /** {@code rest}: the path after {@code /api/streams/}. False: not ours (404). */
    boolean handle(String rest, boolean onAdmin, Request request, Response response, Callback callback) throws IOException {
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String id = rest.substring(0, slash);
        String what = rest.substring(slash + 1);
        if (what.equals("latest.jpg")) {
            if (!FramewireServer.STREAM_ID.matcher(id).matches()) {
                error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid stream id: expected 1-128 characters of [A-Za-z0-9._-]");
            } else if (server.authorizer().admit(request, response, callback, Access.WATCH, id)) {
                try {
                    latest(id, request, response, callback);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "interrupted");
                }
            }
            return true;
        }
        if (!what.equals("zones")) {
            return false;
        }
        if (!onAdmin) {
            return false; // served on the admin port only, where one is set
        }
        if (!FramewireServer.STREAM_ID.matcher(id).matches()) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "invalid stream id: expected 1-128 characters of [A-Za-z0-9._-]");
            return true;
        }
        if (!server.authorizer().admit(request, response, callback, Access.ADMIN, id)) {
            return true;
        }
        zones(id, request, response, callback);
        return true;
    }

    private void zones(String id, Request request, Response response, Callback callback) throws IOException {
        Events events = server.events();
        try {
            switch (request.getMethod()) {
                case "GET" -> json(response, callback, HttpStatus.OK_200, events.zones(id));
                case "PUT" -> {
                    byte[] body = body(request, Zones.MAX_DOCUMENT_BYTES);
                    if (body == null) {
                        error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                                "zone document too large: at most " + Zones.MAX_DOCUMENT_BYTES + " bytes");
                        return;
                    }
                    events.putZones(id, body);
                    json(response, callback, HttpStatus.OK_200, events.zones(id));
                }
                case "DELETE" -> {
                    events.deleteZones(id);
                    response.setStatus(HttpStatus.NO_CONTENT_204);
                    callback.succeeded();
                }
                default -> {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, PUT, DELETE");
                    error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "use GET, PUT or DELETE");
                }
            }
        } catch (Zones.Invalid e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // Redis down, the zones file not writable, or too many streams with zones
            error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "zones could not be stored: " + e.getMessage());
        }
    }

    /**
     * {@code GET latest.jpg}: the stream's latest picture; {@code ?h=} scales it to that height (at
     * most {@link Pictures#MAX_HEIGHT}, never up), {@code ?boxes=1} draws that pass's boxes,
     * {@code ?zones=1} the stream's zones. Renders run at most {@link #RENDERS} at a time (503 beyond).
     */
    private void latest(String id, Request request, Response response, Callback callback) throws InterruptedException {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "use GET");
            return;
        }
        var query = Request.extractQueryParameters(request);
        int h;
        boolean boxes;
        boolean zones;
        try {
            String hs = query.getValue("h");
            h = hs == null ? 0 : Integer.parseInt(hs);
            if (h < 0 || h > Pictures.MAX_HEIGHT) {
                throw new NumberFormatException();
            }
            boxes = flag(query.getValue("boxes"));
            zones = flag(query.getValue("zones"));
        } catch (IllegalArgumentException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400,
                    "expected ?h=<0.." + Pictures.MAX_HEIGHT + "> (height in pixels), ?boxes=1, ?zones=1");
            return;
        }
        Pictures.Picture p = server.events().latestPicture(id);
        if (p == null) {
            error(response, callback, HttpStatus.NOT_FOUND_404, "no picture of stream " + id
                    + " yet (it is kept from the stream's detector passes, at most once a second)");
            return;
        }
        if (!renders.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "busy rendering pictures: try again");
            return;
        }
        byte[] jpeg;
        try {
            jpeg = Pictures.render(p, h, boxes, zones ? server.events().zoneList(id) : null);
        } catch (IOException e) {
            error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "the picture could not be rendered: " + e.getMessage());
            return;
        } finally {
            renders.release();
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/jpeg");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Framewire-Picture-Ts", Long.toString(p.atMillis()));
        response.write(true, request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(jpeg), callback);
    }

    /** {@code GET /api/events/{id}/snapshot.jpg}: an event's frame, this host's or (a fleet) Redis's; with auth, {@code fw.watch} of its stream. */
    void snapshot(String rawId, Request request, Response response, Callback callback) {
        String id = java.net.URLDecoder.decode(rawId, StandardCharsets.UTF_8);
        io.framewire.events.Snapshots.Snapshot snap = id.length() > 512 ? null : server.events().snapshot(id);
        if (snap == null) {
            error(response, callback, HttpStatus.NOT_FOUND_404, "no snapshot of that event "
                    + "(kept on the host that made it and, with --redis, in Redis for any host, within events.snapshotBytes)");
            return;
        }
        if (!server.authorizer().admit(request, response, callback, Access.WATCH, snap.stream())) {
            return;
        }
        response.setStatus(HttpStatus.OK_200);
        boolean png = snap.bytes().length > 1 && (snap.bytes()[0] & 0xff) == 0x89;
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, png ? "image/png" : "image/jpeg");
        response.write(true, ByteBuffer.wrap(snap.bytes()), callback);
    }

    /** Renders at once, host-wide: decoding and encoding a 4K picture costs tens of milliseconds. */
    static final int RENDERS = 2;
    private final java.util.concurrent.Semaphore renders = new java.util.concurrent.Semaphore(RENDERS);

    private static boolean flag(String v) {
        if (v == null || v.equals("0") || v.equals("false")) {
            return false;
        }
        if (v.equals("1") || v.equals("true") || v.isEmpty()) {
            return true;
        }
        throw new IllegalArgumentException(v);
    }

    /** The request body, at most {@code max} bytes; null when it is longer (read no further). */
    private static byte[] body(Request request, int max) throws IOException {
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > max) {
                discard(in, max);
                return null;
            }
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                discard(in, max);
                return null;
            }
            return b;
        }
    }

    /**
     * Reads and drops what is left of a body refused as too large, up to 16 times the limit: a client still
     * sending it then reads the 413 instead of a reset; a larger one is cut (Jetty closes the connection).
     */
    private static void discard(InputStream in, int max) throws IOException {
        byte[] sink = new byte[8192];
        long left = 16L * max;
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    static void json(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    static void error(Response response, Callback callback, int status, String message) {
        var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("error", message);
        json(response, callback, status, node.toString());
    }
}
