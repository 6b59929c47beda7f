package io.framewire.inference;

/**
 * One stream's detector interval (issue #22): while the gate sees only its confirmed tracks move,
 * the detector runs on every k-th such frame and the tracker's predictions answer the frames
 * between. k adapts: a detector pass whose boxes agree with the tracks' predictions for it lets k
 * grow by one; one that disagrees halves it. Its bound comes from the load: a stream answered at its
 * send rate (no frame dropped) keeps k at most {@link #MAX_KEEPING_UP}, one that is losing frames
 * to overload at most {@link #MAX_OVERLOADED} (there a prediction costs less than the frames lost),
 * and no prediction spans more than {@link #HORIZON_NANOS} since the last pass.
 *
 * <p>Not thread-safe: owned by the stream's worker of the moment (see StreamContext).
 */
final class DetectorInterval {

    static final int MAX_KEEPING_UP = 4;
    static final int MAX_OVERLOADED = 8;
    /**
     * A prediction's error grows with the time it spans, not with the answers between: however large k,
     * no frame more than this after the last pass is answered by prediction (under overload a stream's
     * answers are far apart, and a walking face leaves its predicted box within a second).
     */
    static final long HORIZON_NANOS = 500_000_000L;

    private int k = 1;
    private int predictedSincePass;
    private long passAt;

    /** True when this frame (at {@code nowNanos}), whose only changes are at confirmed tracks, may be answered by prediction. */
    boolean predict(boolean keepingUp, long nowNanos) {
        int limit = Math.min(k, keepingUp ? MAX_KEEPING_UP : MAX_OVERLOADED);
        if (predictedSincePass + 1 < limit && nowNanos - passAt <= HORIZON_NANOS) {
            predictedSincePass++;
            return true;
        }
        return false;
    }

    /** A detector pass ran at {@code nowNanos}; {@code agreed}: its boxes matched what the tracks predicted (null: nothing to compare). */
    void detected(Boolean agreed, long nowNanos) {
        predictedSincePass = 0;
        passAt = nowNanos;
        if (agreed != null) {
            k = agreed ? Math.min(MAX_OVERLOADED, k + 1) : Math.max(1, k / 2);
        }
    }

    /** The interval now (1: every frame at a moving track goes to the detector). */
    int k() {
        return k;
    }
}
