package io.framewire.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** The server's text messages (docs/protocol.md). Field names are a public contract. */
public final class Messages {

    private static final JsonFactory JSON = new JsonFactory();

    private Messages() {}

    /** Per-frame stage times, in nanoseconds; reported in milliseconds. */
    public record Timing(long queueNanos, long decodeNanos, long inferNanos, long totalNanos, int batch) {}

    public static String result(String stream, long seq, int width, int height, long dropped,
                                List<Detection> detections, Timing timing) {
        return result(stream, seq, width, height, dropped, detections, null, false, -1, timing);
    }

    /** A result whose boxes the detector found unless {@code gated} (see below). */
    public static String result(String stream, long seq, int width, int height, long dropped,
                                List<Detection> detections, int[] tracks, boolean gated, double adviceFps,
                                Timing timing) {
        return result(stream, seq, width, height, dropped, detections, tracks, gated, gated, adviceFps, timing, 0);
    }

    /**
     * @param tracks     each detection's track id, 0 (or a null array) for one not (yet) tracked
     * @param gated      true when the detector was skipped for this frame
     * @param predicted  true when the boxes are the tracks' predictions for this frame rather than what a
     *                   detector pass found in it: each detection then carries {@code "predicted": true}
     * @param adviceFps  the advised send rate; negative: none
     * @param omitted    detections found beyond {@code inference.maxDetections}, not in the answer (field only when > 0)
     */
    public static String result(String stream, long seq, int width, int height, long dropped,
                                List<Detection> detections, int[] tracks, boolean gated, boolean predicted,
                                double adviceFps, Timing timing, int omitted) {
        StringWriter out = new StringWriter(160 + 96 * detections.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "result");
            g.writeStringField("stream", stream);
            g.writeNumberField("seq", seq);
            g.writeNumberField("width", width);
            g.writeNumberField("height", height);
            g.writeNumberField("dropped", dropped);
            g.writeBooleanField("gated", gated);
            g.writeArrayFieldStart("detections");
            for (int i = 0; i < detections.size(); i++) {
                Detection d = detections.get(i);
                g.writeStartObject();
                g.writeStringField("label", d.label());
                g.writeNumberField("score", Math.round(d.score() * 1000) / 1000.0);
                g.writeArrayFieldStart("box");
                g.writeNumber(d.x());
                g.writeNumber(d.y());
                g.writeNumber(d.w());
                g.writeNumber(d.h());
                g.writeEndArray();
                if (tracks != null && tracks[i] != 0) {
                    g.writeNumberField("track", tracks[i]);
                }
                if (predicted) {
                    g.writeBooleanField("predicted", true);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (omitted > 0) {
                g.writeNumberField("detections_omitted", omitted);
            }
            if (adviceFps >= 0) {
                g.writeObjectFieldStart("advice");
                g.writeNumberField("fps", adviceFps);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("timing");
            g.writeNumberField("queue_ms", millis(timing.queueNanos()));
            g.writeNumberField("decode_ms", millis(timing.decodeNanos()));
            g.writeNumberField("infer_ms", millis(timing.inferNanos()));
            g.writeNumberField("total_ms", millis(timing.totalNanos()));
            g.writeNumberField("batch", timing.batch());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** A per-frame problem; {@code seq} negative for one that belongs to no binary message. */
    public static String error(long seq, ErrorCode code, String message, long dropped) {
        StringWriter out = new StringWriter(96 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "error");
            if (seq >= 0) {
                g.writeNumberField("seq", seq);
            }
            g.writeStringField("code", code.wire());
            g.writeStringField("message", message);
            g.writeNumberField("dropped", dropped);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Sign of life for a stream sending more than it is served: {@code dropped}, its frames dropped
     * since the previous message that reported drops (as a result's: every frame is reported once,
     * in a result, an error or some message's {@code dropped}); {@code advice}, the advised send rate.
     */
    public static String status(String stream, long dropped, double adviceFps) {
        StringWriter out = new StringWriter(96 + stream.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "status");
            g.writeStringField("stream", stream);
            g.writeNumberField("dropped", dropped);
            g.writeObjectFieldStart("advice");
            g.writeNumberField("fps", adviceFps);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    /**
     * What watchers get, and Redis or the in-memory log keeps, in place of a result over
     * {@code results.maxEntryBytes}: its size, so a watcher knows what it missed.
     */
    public static String skipped(String stream, String result, int bytes, int maxBytes) {
        long[] accounting = accounting(result); // the result's seq and dropped, so a reader can still count frames
        StringWriter out = new StringWriter(128 + stream.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "skipped");
            g.writeStringField("stream", stream);
            if (accounting != null && accounting[0] >= 0) {
                g.writeNumberField("seq", accounting[0]);
            }
            if (accounting != null && accounting[1] >= 0) {
                g.writeNumberField("dropped", accounting[1]);
            }
            g.writeNumberField("bytes", bytes);
            g.writeStringField("reason", "result over results.maxEntryBytes (" + maxBytes + "): not kept for watchers");
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** First message on a watch connection: results after entry {@code from} follow. */
    public static String watching(String stream, String from) {
        StringWriter out = new StringWriter(64 + stream.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "watching");
            g.writeStringField("stream", stream);
            g.writeStringField("from", from);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A stream's message as a watcher gets it: the same object with its entry id first. */
    public static String watched(String entry, String message) {
        return "{\"entry\":\"" + entry + "\"," + message.substring(1);
    }

    /**
     * The {@code seq} and {@code dropped} of a message as this server wrote it (-1 for one it lacks:
     * a status message has no {@code seq}), or null for a message with neither: what a reader needs to
     * tell a missing message (every frame of a connection is a result, an error, a skipped marker, or
     * counted in a later message's {@code dropped}, a status message's included).
     */
    public static long[] accounting(String message) {
        long seq = number(message, "\"seq\":");
        long dropped = number(message, "\"dropped\":");
        return seq < 0 && dropped < 0 ? null : new long[] {seq, dropped};
    }

    /** The non-negative integer after {@code key} at the top of {@code json}'s fields, or -1. */
    private static long number(String json, String key) {
        int at = json.indexOf(key);
        if (at < 0) {
            return -1;
        }
        long n = 0;
        int i = at + key.length();
        int start = i;
        for (; i < json.length() && i - start < 18; i++) {
            char c = json.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            n = n * 10 + (c - '0');
        }
        return i == start ? -1 : n;
    }
}
