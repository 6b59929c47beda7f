package io.framewire.inference;

/**
 * One stream's detector interval (issue #22): while the gate sees only its confirmed tracks move,
 * the detector runs on every k-th such frame and the tracker's predictions answer the frames
 * between. k adapts: a detector pass whose boxes agree with the tracks' predictions for it lets k
 * grow by one; one that disagrees halves it. Its bound comes from the load: a stream answered at its
 * send rate (no frame dropped) keeps k at most {@link #MAX_KEEPING_UP}, one that is losing frames
 * to overload at most {@link #MAX_OVERLOADED} (there a prediction costs less than the frames lost).
 *
 * <p>Not thread-safe: owned by the stream's worker of the moment (see StreamContext).
 */
final class DetectorInterval {

    static final int MAX_KEEPING_UP = 4;
    static final int MAX_OVERLOADED = 8;

    private int k = 1;
    private int predictedSincePass;

    /** True when this frame, whose only changes are at confirmed tracks, may be answered by prediction. */
    boolean predict(boolean keepingUp) {
        int limit = Math.min(k, keepingUp ? MAX_KEEPING_UP : MAX_OVERLOADED);
        if (predictedSincePass + 1 < limit) {
            predictedSincePass++;
            return true;
        }
        return false;
    }

    /** A detector pass ran; {@code agreed}: its boxes matched what the tracks predicted (null: nothing to compare). */
    void detected(Boolean agreed) {
        predictedSincePass = 0;
        if (agreed != null) {
            k = agreed ? Math.min(MAX_OVERLOADED, k + 1) : Math.max(1, k / 2);
        }
    }

    /** The interval now (1: every frame at a moving track goes to the detector). */
    int k() {
        return k;
    }
}
