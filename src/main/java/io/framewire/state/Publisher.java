package io.framewire.state;

import io.framewire.protocol.CloseCodes;
import java.time.Instant;

/**
 * A publishing connection as the shared state sees it: its counters for the stream records, and
 * a way to close it when a newer connection takes its stream over. {@code stream.StreamSession}
 * implements it, so that state never depends on the connection code (stream uses state, not back).
 */
public interface Publisher {

    /** The stream id it publishes. */
    String id();

    Instant connectedAt();

    /** Null before the first frame. */
    Instant lastFrameAt();

    String remoteAddress();

    long framesReceived();

    long framesProcessed();

    long framesDropped();

    /** Closes the connection with {@code code} (here: {@code CloseCodes.REPLACED}); never blocks. */
    void close(int code, String reason);

    /**
     * Sends the camera back to the host it moved from: stops accepting frames, answers those accepted,
     * then closes with {@code CloseCodes.GOING_AWAY} and {@code reason}, like a drain; never blocks.
     */
    default void handBack(String reason) {
        close(CloseCodes.GOING_AWAY, reason);
    }
}
