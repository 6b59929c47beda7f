package io.framewire.camera;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * cameras.toml (docs/operations.md, "Connect your cameras"). The keys are a public contract: names stay, keys may
 * be added. Unknown keys are errors, so that a typo does not silently fall back to a default.
 *
 * @param listen host:port of /metrics and /status ({@code port 0}: any free port, logged)
 */
record Config(URI server, String token, String listen, List<Camera> cameras) {

    static final String DEFAULT_LISTEN = "127.0.0.1:9410";
    private static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Set<String> TOP_KEYS = Set.of("server", "token", "listen", "camera");
    private static final Set<String> CAMERA_KEYS = Set.of("id", "source", "fps", "width", "height", "quality",
            "transport", "token", "format", "max_pixels", "timeout_ms");

    /**
     * One camera.
     *
     * @param fps       upper bound of the send rate; the bridge sends min(fps, advice.fps)
     * @param width     scale to this width before encoding (0: the source's)
     * @param height    and this height (0: keep the aspect ratio)
     * @param quality   JPEG quality 1-100
     * @param transport RTSP over "tcp" or "udp"
     * @param format    FFmpeg input format to force (e.g. "mpjpeg"), null to let FFmpeg probe
     * @param maxPixels largest source picture accepted (width x height): larger ones are refused before decoding more
     * @param timeoutMs no data from the source for this long: the source is stalled and reopened
     */
    record Camera(String id, String source, double fps, int width, int height, int quality, String transport,
                  String token, String format, long maxPixels, int timeoutMs) {

        boolean isFile() {
            return !source.contains("://") && !source.startsWith("/dev/video");
        }

        boolean isDevice() {
            return source.startsWith("/dev/video");
        }
    }

    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    static Config load(Path file) throws Invalid {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    static Config parse(String toml, String name) throws Invalid {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw new Invalid(name + ": not valid TOML: " + e.getMessage());
        }
        unknownKeys(root, TOP_KEYS, name);
        String server = text(root, "server", name, null);
        if (server == null) {
            throw new Invalid(name + ": server is required, e.g. server = \"ws://127.0.0.1:8080\"");
        }
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw new Invalid(name + ": server: not a URL: " + server);
        }
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new Invalid(name + ": server must be ws://host:port or wss://host:port, not " + server);
        }
        String token = text(root, "token", name, null);
        String listen = text(root, "listen", name, DEFAULT_LISTEN);
        if (!listen.matches("[^:]+:\\d{1,5}")) {
            throw new Invalid(name + ": listen must be host:port, not " + listen);
        }
        JsonNode list = root.path("camera");
        if (!list.isArray() || list.isEmpty()) {
            throw new Invalid(name + ": no [[camera]] table");
        }
        List<Camera> cameras = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = name + ": camera[" + i + "]";
            JsonNode c = list.get(i);
            unknownKeys(c, CAMERA_KEYS, where);
            String id = text(c, "id", where, null);
            if (id == null || !STREAM_ID.matcher(id).matches()) {
                throw new Invalid(where + ".id must be 1-128 of [A-Za-z0-9._-] (the framewire stream id), not " + id);
            }
            where = name + ": camera \"" + id + "\"";
            if (!ids.add(id)) {
                throw new Invalid(where + ": the id is used twice");
            }
            String source = text(c, "source", where, null);
            if (source == null || source.isBlank()) {
                throw new Invalid(where + ": source is required (rtsp://, http(s)://, a file, /dev/videoN)");
            }
            double fps = number(c, "fps", where, 10, 0.1, 120);
            int width = (int) number(c, "width", where, 0, 0, 7680);
            int height = (int) number(c, "height", where, 0, 0, 4320);
            if (width % 2 != 0 || height % 2 != 0) {
                throw new Invalid(where + ": width and height must be even (JPEG 4:2:0)");
            }
            int quality = (int) number(c, "quality", where, 80, 1, 100);
            String transport = text(c, "transport", where, "tcp");
            if (!transport.equals("tcp") && !transport.equals("udp")) {
                throw new Invalid(where + ".transport must be \"tcp\" or \"udp\", not " + transport);
            }
            String camToken = text(c, "token", where, token);
            String format = text(c, "format", where, null);
            long maxPixels = (long) number(c, "max_pixels", where, 8_388_608, 64, 268_435_456);
            int timeoutMs = (int) number(c, "timeout_ms", where, 5_000, 100, 600_000);
            cameras.add(new Camera(id, source.strip(), fps, width, height, quality, transport, camToken, format,
                    maxPixels, timeoutMs));
        }
        return new Config(uri, token, listen, List.copyOf(cameras));
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String where) throws Invalid {
        if (!node.isObject()) {
            throw new Invalid(where + ": expected a table");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new Invalid(where + ": unknown key \"" + key + "\" (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, String where, String fallback) throws Invalid {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new Invalid(where + "." + key + " must be a string");
        }
        return v.asText();
    }

    private static double number(JsonNode node, String key, String where, double fallback, double min, double max)
            throws Invalid {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw new Invalid(where + "." + key + " must be a number in " + fmt(min) + ".." + fmt(max) + ", not " + v);
        }
        return v.asDouble();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
