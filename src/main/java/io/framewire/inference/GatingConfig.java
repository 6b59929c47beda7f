package io.framewire.inference;

import io.framewire.tracking.Tracker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Motion gating and tracking settings ({@code gating.*}, {@code tracking.*}).
 *
 * @param enabled   gating on by default for every stream (a stream may still turn it off at the upgrade)
 * @param threshold share of the reduced frame the largest connected region of change away from
 *                  every tracked object must cover for the detector to run (a change at one always runs it)
 * @param refresh   while a stream is answered at its send rate, the detector runs on it at least this often,
 *                  however still its picture (0: gating never skips)
 * @param refreshFrames the detector runs on at least every this many of a stream's answered frames, however
 *                  still its picture and however loaded the host (staleness in the stream's own terms)
 * @param minHits   detector passes in a row a track needs before it gets an id
 * @param maxAge    a track unmatched for this long dies
 */
public record GatingConfig(boolean enabled, double threshold, Duration refresh, int refreshFrames, int minHits,
                           Duration maxAge) {

    public static final GatingConfig DEFAULT = new GatingConfig(true, 0.02, Duration.ofSeconds(1), 15, 3, Duration.ofSeconds(1));

    /** With the default {@code refreshFrames}. */
    public GatingConfig(boolean enabled, double threshold, Duration refresh, int minHits, Duration maxAge) {
        this(enabled, threshold, refresh, 15, minHits, maxAge);
    }

    /** A new stream's state; {@code gating} false when its client asked for {@code ?gating=off}. */
    public StreamContext newStream(boolean gating, AtomicInteger tracksAlive) {
        Tracker tracker = new Tracker(minHits, maxAge.toNanos());
        MotionGate gate = enabled && gating ? new MotionGate(threshold, refresh.toNanos(), refreshFrames, tracker) : null;
        return new StreamContext(gate, tracker, tracksAlive);
    }
}
