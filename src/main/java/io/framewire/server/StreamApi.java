package io.framewire.server;

import io.framewire.events.Events;
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
 * the stream when authentication is on). Errors are JSON: {@code {"error":"..."}}.
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

    /** The request body, at most {@code max} bytes; null when it is longer (read no further). */
    private static byte[] body(Request request, int max) throws IOException {
        long declared = request.getLength();
        if (declared > max) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(max + 1);
            return b.length > max ? null : b;
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
