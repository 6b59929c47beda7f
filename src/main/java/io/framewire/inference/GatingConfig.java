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
 * @param refresh   the detector runs at least this often on a stream, however still its picture
 * @param minHits   detector passes in a row a track needs before it gets an id
 * @param maxAge    a track unmatched for this long dies
 */
public record GatingConfig(boolean enabled, double threshold, Duration refresh, int minHits, Duration maxAge) {

    public static final GatingConfig DEFAULT = new GatingConfig(true, 0.02, Duration.ofSeconds(1), 3, Duration.ofSeconds(1));

    /** A new stream's state; {@code gating} false when its client asked for {@code ?gating=off}. */
    public StreamContext newStream(boolean gating, AtomicInteger tracksAlive) {
        Tracker tracker = new Tracker(minHits, maxAge.toNanos());
        MotionGate gate = enabled && gating ? new MotionGate(threshold, refresh.toNanos(), tracker) : null;
        return new StreamContext(gate, tracker, tracksAlive);
    }
}
