package io.framewire.tracking;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Told about every detector pass of one stream right after its tracker's update, on the stream's
 * worker (one frame of a stream at a time, so no lock is needed). It runs on the frame path: it
 * must be cheap and must never block.
 */
public interface TrackListener {

    /**
     * @param observations what the detector found, in the frame's pixels
     * @param ids          each observation's track id, in order (0 while tentative)
     * @param width        the frame's width in pixels
     * @param height       the frame's height in pixels
     * @param image        the frame as received (JPEG or PNG), readable during this call only: copy what you keep
     * @param receivedNanos when the frame was received ({@link System#nanoTime()})
     */
    void tracked(List<Tracker.Observation> observations, int[] ids, int width, int height, ByteBuffer image, long receivedNanos);
}
