package io.framewire.protocol;

/**
 * Every {@code code} of an {@code error} message ({@link Messages#error}), in one place: a per-frame
 * (or per-message) problem that answers it and keeps the connection open. The wire strings are a
 * public contract: docs/protocol.md lists them (DocsTest holds that table to this enum).
 */
public enum ErrorCode {
    /** Not a JPEG/PNG, or it cannot be decoded (corrupt, truncated). */
    BAD_IMAGE("bad_image"),
    /** The header declares more than the {@code limits.maxImage*} settings: refused before decoding. */
    IMAGE_TOO_LARGE("image_too_large"),
    /** A zero-length binary message. */
    EMPTY_FRAME("empty_frame"),
    /** A text message on a publishing stream (no {@code seq}: text is not a frame). */
    UNEXPECTED_TEXT("unexpected_text"),
    /** Anything a watcher sends (no {@code seq}): a watch connection only receives. */
    UNEXPECTED_MESSAGE("unexpected_message"),
    /** The detector threw on this frame, or the frame could not be processed; the worker carries on. */
    INFERENCE_FAILED("inference_failed"),
    /** Only at the end of a drain, without {@code seq}: its {@code dropped} reports the last frames over {@code limits.maxFps}. */
    RATE_LIMITED("rate_limited");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as the {@code code} field carries it. */
    public String wire() {
        return wire;
    }

    @Override
    public String toString() {
        return wire;
    }
}
