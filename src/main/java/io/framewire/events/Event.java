package io.framewire.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.io.StringWriter;

/**
 * One zone event, made once and delivered as the same JSON by every sink and every retry (so a
 * redelivery carries the same {@code id}). Payload version {@link #VERSION}; docs/protocol.md, "Events".
 *
 * @param id     {@code stream:epoch:track:zone:type:n}: n counts the track's enters into the zone
 * @param ts     the frame's receipt, ms since the epoch
 * @param box    x, y, w, h in the frame's pixels
 * @param count  after this event, the tracks with this label inside the zone
 * @param dwellMs for leave and dwell: time since the enter; else 0
 * @param snapshot its frame is kept ({@code events.snapshotBytes}): the JSON names where
 */
public record Event(String id, String type, String stream, String zone, int track, String label, float score,
                    int[] box, int width, int height, long ts, int count, long dwellMs, boolean snapshot) {

    public static final int VERSION = 1;
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Where an event's snapshot is served (on the host that made it). */
    public static String snapshotPath(String id) {
        return "/api/events/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8) + "/snapshot.jpg";
    }

    public String json() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("id", id);
            g.writeStringField("type", type);
            g.writeStringField("stream", stream);
            g.writeStringField("zone", zone);
            g.writeNumberField("track", track);
            g.writeStringField("label", label);
            g.writeNumberField("score", Math.round(score * 1000) / 1000.0);
            g.writeArrayFieldStart("box");
            for (int v : box) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            g.writeNumberField("width", width);
            g.writeNumberField("height", height);
            g.writeNumberField("ts", ts);
            g.writeNumberField("count", count);
            if (!type.equals("enter")) {
                g.writeNumberField("dwellMs", dwellMs);
            }
            if (snapshot) {
                g.writeStringField("snapshot", snapshotPath(id));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
