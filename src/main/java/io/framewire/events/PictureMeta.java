package io.framewire.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** A picture's size, time and boxes as JSON, beside its bytes in Redis ({@code fw:{ID}:latest.meta}). */
final class PictureMeta {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PictureMeta() {}

    static String write(Pictures.Picture p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("width", p.width());
        n.put("height", p.height());
        n.put("ts", p.atMillis());
        ArrayNode dets = n.putArray("detections");
        for (int i = 0; i < p.boxes().length; i++) {
            ObjectNode d = dets.addObject();
            d.put("label", p.labels()[i]);
            ArrayNode b = d.putArray("box");
            for (int v : p.boxes()[i]) {
                b.add(v);
            }
            d.put("track", p.ids()[i]);
        }
        return n.toString();
    }

    /** Null when {@code meta} is not what {@link #write} wrote. */
    static Pictures.Picture read(byte[] bytes, String meta) {
        try {
            JsonNode n = JSON.readTree(meta);
            JsonNode dets = n.path("detections");
            String[] labels = new String[dets.size()];
            int[][] boxes = new int[dets.size()][4];
            int[] ids = new int[dets.size()];
            for (int i = 0; i < dets.size(); i++) {
                labels[i] = dets.get(i).path("label").asText();
                for (int k = 0; k < 4; k++) {
                    boxes[i][k] = dets.get(i).path("box").path(k).asInt();
                }
                ids[i] = dets.get(i).path("track").asInt();
            }
            return new Pictures.Picture(bytes, n.path("width").asInt(), n.path("height").asInt(), n.path("ts").asLong(),
                    labels, boxes, ids);
        } catch (IOException e) {
            return null;
        }
    }
}
