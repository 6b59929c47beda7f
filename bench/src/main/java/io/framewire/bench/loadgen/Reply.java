package io.framewire.bench.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The few fields the load generator needs from a server text message. Parsed with Jackson's
 * streaming parser, skipping detections/timing without building trees: at ~15k messages/s on
 * a box shared with the server, a full databind would be wasted CPU.
 */
record Reply(Kind kind, long seq, long dropped, String code, double adviceFps) {

    Reply(Kind kind, long seq, long dropped, String code) {
        this(kind, seq, dropped, code, -1);
    }

    /** STATUS: an overloaded host's sign of life for a stream served less than it sends (drops so far, advice). */
    enum Kind { RESULT, ERROR, STATUS, OTHER }

    private static final JsonFactory JSON = new JsonFactory();
    static final Reply UNPARSABLE = new Reply(Kind.OTHER, -1, 0, "unparsable");

    static Reply parse(String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return parse(b, 0, b.length);
    }

    /** Parses UTF-8 JSON bytes straight from the frame, without building a String first. */
    static Reply parse(byte[] buf, int off, int len) {
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return UNPARSABLE;
            }
            String type = null;
            String code = null;
            long seq = -1;
            long dropped = 0;
            double advice = -1;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "type" -> type = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "seq" -> seq = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "dropped" -> dropped = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    case "code" -> code = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "advice" -> advice = v == JsonToken.START_OBJECT ? adviceFps(p) : -1;
                    default -> p.skipChildren(); // no-op for scalars
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return UNPARSABLE;
            }
            Kind kind = "result".equals(type) ? Kind.RESULT : "error".equals(type) ? Kind.ERROR
                    : "status".equals(type) ? Kind.STATUS : Kind.OTHER;
            return new Reply(kind, seq, dropped, kind == Kind.OTHER ? "type:" + type : code, advice);
        } catch (IOException e) {
            return UNPARSABLE;
        }
    }

    /** Inside {@code "advice": {...}}: its {@code fps}, or -1; leaves the parser after the object. */
    private static double adviceFps(JsonParser p) throws IOException {
        double fps = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("fps") && v.isNumeric()) {
                fps = p.getDoubleValue();
            } else {
                p.skipChildren();
            }
        }
        return fps;
    }
}
