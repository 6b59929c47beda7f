package io.framewire.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The zone document, a public contract:
 * {@code {"zones":[{"name":"door","polygon":[[0.1,0.2],[0.5,0.2],[0.5,0.9],[0.1,0.9]],"labels":["face"],"minScore":0.5}]}}.
 * Parsing is bounded in bytes and in cost (zones, points, labels), so a client cannot make a
 * stream's every frame expensive; each refusal says what was wrong.
 */
public final class Zones {

    public static final int MAX_DOCUMENT_BYTES = 64 * 1024;
    public static final int MAX_ZONES = 32;
    public static final int MAX_POINTS = 64;
    public static final int MAX_LABELS = 16;
    /** Names go into MQTT topics and event ids: no '/', '+', '#' or ':'. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_LABEL_CHARS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Zones() {}

    /** A document the API refuses, with a message for the client (HTTP 400). */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** Parses and validates a document. */
    public static List<Zone> parse(byte[] document) throws Invalid {
        if (document.length > MAX_DOCUMENT_BYTES) {
            throw new Invalid("zone document too large: " + document.length + " bytes, at most " + MAX_DOCUMENT_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (java.io.IOException e) {
            throw new Invalid("zone document is not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject() || !root.path("zones").isArray()) {
            throw new Invalid("expected {\"zones\":[...]}");
        }
        JsonNode list = root.get("zones");
        if (list.size() > MAX_ZONES) {
            throw new Invalid("too many zones: " + list.size() + ", at most " + MAX_ZONES + " per stream");
        }
        List<Zone> zones = new ArrayList<>(list.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Zone z = zone(list.get(i), "zones[" + i + "]");
            if (!names.add(z.name())) {
                throw new Invalid("zones[" + i + "]: duplicate name \"" + z.name() + "\"");
            }
            zones.add(z);
        }
        return List.copyOf(zones);
    }

    private static Zone zone(JsonNode z, String at) throws Invalid {
        if (!z.isObject()) {
            throw new Invalid(at + ": expected an object");
        }
        JsonNode name = z.get("name");
        if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
            throw new Invalid(at + ".name: expected 1-64 characters of [A-Za-z0-9._-]");
        }
        JsonNode poly = z.get("polygon");
        if (poly == null || !poly.isArray() || poly.size() < 3 || poly.size() > MAX_POINTS) {
            throw new Invalid(at + ".polygon: expected 3 to " + MAX_POINTS + " points [x, y]");
        }
        double[] xs = new double[poly.size()];
        double[] ys = new double[poly.size()];
        for (int p = 0; p < poly.size(); p++) {
            JsonNode pt = poly.get(p);
            if (!pt.isArray() || pt.size() != 2 || !pt.get(0).isNumber() || !pt.get(1).isNumber()) {
                throw new Invalid(at + ".polygon[" + p + "]: expected [x, y]");
            }
            xs[p] = pt.get(0).asDouble();
            ys[p] = pt.get(1).asDouble();
            if (!(xs[p] >= 0 && xs[p] <= 1 && ys[p] >= 0 && ys[p] <= 1)) {
                throw new Invalid(at + ".polygon[" + p + "]: coordinates are fractions of the frame, 0 to 1");
            }
        }
        Set<String> labels = new LinkedHashSet<>();
        JsonNode ls = z.get("labels");
        if (ls != null && !ls.isNull()) {
            if (!ls.isArray() || ls.size() > MAX_LABELS) {
                throw new Invalid(at + ".labels: expected an array of at most " + MAX_LABELS + " labels");
            }
            for (JsonNode l : ls) {
                if (!l.isTextual() || l.asText().isEmpty() || l.asText().length() > MAX_LABEL_CHARS
                        || l.asText().matches(".*[/+#].*")) {
                    throw new Invalid(at + ".labels: each 1-" + MAX_LABEL_CHARS + " characters, without / + #");
                }
                labels.add(l.asText());
            }
        }
        double minScore = 0;
        JsonNode ms = z.get("minScore");
        if (ms != null && !ms.isNull()) {
            if (!ms.isNumber() || !(ms.asDouble() >= 0 && ms.asDouble() <= 1)) {
                throw new Invalid(at + ".minScore: expected a number from 0 to 1");
            }
            minScore = ms.asDouble();
        }
        for (var it = z.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("name", "polygon", "labels", "minScore").contains(f)) {
                throw new Invalid(at + ": unknown field \"" + f + "\" (name, polygon, labels, minScore)");
            }
        }
        return new Zone(name.asText(), xs, ys, Set.copyOf(labels), minScore);
    }

    /** The document for {@code zones}, as GET returns it. */
    public static String toJson(List<Zone> zones) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("zones");
        for (Zone z : zones) {
            ObjectNode n = list.addObject();
            n.put("name", z.name());
            ArrayNode poly = n.putArray("polygon");
            for (double[] p : z.points()) {
                poly.addArray().add(p[0]).add(p[1]);
            }
            ArrayNode labels = n.putArray("labels");
            z.labels().stream().sorted().forEach(labels::add);
            n.put("minScore", z.minScore());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #parse} of text known to be valid (it was written by {@link #toJson}); empty when it is not. */
    static List<Zone> parseStored(String text) {
        try {
            return text == null ? List.of() : parse(text.getBytes(StandardCharsets.UTF_8));
        } catch (Invalid e) {
            return List.of();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
