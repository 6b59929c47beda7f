package io.framewire.client;

import java.util.List;

/**
 * A text message from the server, typed (docs/protocol.md, "Wire protocol"). Types this library does not know
 * are not surfaced (fields and types may be added to the protocol), but still count as a sign of
 * life for the silence rule.
 */
public sealed interface Message permits Message.Result, Message.FrameError, Message.Status, Message.Watching {

    /** The entry id of a watched message ({@code null} on a publishing connection). */
    String entry();

    /**
     * One processed frame. {@code adviceFps} is the server's advice.fps (0 until measured, -1 when absent).
     */
    record Result(String entry, String stream, long seq, int width, int height, long dropped, boolean gated,
                  List<Detection> detections, double adviceFps, Timing timing) implements Message {}

    /** A detection: {@code box} in pixels of the frame as sent; {@code track} 0 until the track is confirmed. */
    record Detection(String label, double score, int x, int y, int width, int height, long track) {}

    record Timing(double queueMs, double decodeMs, double inferMs, double totalMs, int batch) {}

    /** A per-frame problem; {@code seq} -1 when it belongs to no frame (e.g. {@code rate_limited}). */
    record FrameError(String entry, long seq, String code, String message, long dropped) implements Message {}

    /**
     * The server's periodic word on an overloaded stream: frames it dropped, the rate it advises.
     * {@code adviceFps} -1 when absent.
     */
    record Status(String entry, String stream, long dropped, double adviceFps) implements Message {}

    /** First message of a watch connection: the feed starts after entry {@code from}. */
    record Watching(String entry, String stream, String from) implements Message {}
}
