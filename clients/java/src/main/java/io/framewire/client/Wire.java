package io.framewire.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Text messages to typed ones: lenient on fields (they may be added), empty for unknown types. */
final class Wire {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Wire() {}

    /** Empty for a type this library does not know; throws for text that is not a JSON object. */
    static Optional<Message> parse(String text) throws JsonProcessingException {
        JsonNode n = JSON.readTree(text);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String entry = n.hasNonNull("entry") ? n.get("entry").asText() : null;
        return Optional.ofNullable(switch (n.path("type").asText()) {
            case "result" -> new Message.Result(entry, n.path("stream").asText(), n.path("seq").asLong(-1),
                    n.path("width").asInt(), n.path("height").asInt(), n.path("dropped").asLong(),
                    n.path("gated").asBoolean(), detections(n.path("detections")), advice(n),
                    timing(n.path("timing")));
            case "error" -> new Message.FrameError(entry, n.path("seq").asLong(-1), n.path("code").asText(),
                    n.path("message").asText(), n.path("dropped").asLong());
            case "status" -> new Message.Status(entry, n.path("stream").asText(), n.path("dropped").asLong(), advice(n));
            case "watching" -> new Message.Watching(entry, n.path("stream").asText(), n.path("from").asText());
            default -> null;
        });
    }

    private static double advice(JsonNode n) {
        JsonNode fps = n.path("advice").path("fps");
        return fps.isNumber() ? fps.asDouble() : -1;
    }

    private static List<Message.Detection> detections(JsonNode array) {
        List<Message.Detection> out = new ArrayList<>(array.size());
        for (JsonNode d : array) {
            JsonNode box = d.path("box");
            out.add(new Message.Detection(d.path("label").asText(), d.path("score").asDouble(),
                    box.path(0).asInt(), box.path(1).asInt(), box.path(2).asInt(), box.path(3).asInt(),
                    d.path("track").asLong()));
        }
        return List.copyOf(out);
    }

    private static Message.Timing timing(JsonNode t) {
        return new Message.Timing(t.path("queue_ms").asDouble(), t.path("decode_ms").asDouble(),
                t.path("infer_ms").asDouble(), t.path("total_ms").asDouble(), t.path("batch").asInt());
    }
}
