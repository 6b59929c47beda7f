package io.framewire.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The detector interval: k grows with agreement, halves with disagreement, bounded by the load. */
class DetectorIntervalTest {

    /** Frames answered by prediction before the next one goes to the detector. */
    private static final long FRAME = 66_666_667L;
    private long now;

    /** Frames (15 FPS apart) answered by prediction before the next one goes to the detector. */
    private int predictedRun(DetectorInterval interval, boolean keepingUp) {
        int n = 0;
        while (interval.predict(keepingUp, now += FRAME)) {
            n++;
        }
        interval.detected(null, now);
        return n;
    }

    @Test
    void agreementGrowsTheIntervalUpToTheLoadsBoundAndDisagreementHalvesIt() {
        DetectorInterval interval = new DetectorInterval();
        assertThat(predictedRun(interval, true)).as("no agreement measured yet: every frame to the detector").isZero();
        for (int i = 0; i < 20; i++) {
            interval.detected(true, now);
        }
        assertThat(interval.k()).isEqualTo(DetectorInterval.MAX_OVERLOADED);
        assertThat(predictedRun(interval, true)).as("keeping up").isEqualTo(DetectorInterval.MAX_KEEPING_UP - 1);
        assertThat(predictedRun(interval, false)).as("overloaded").isEqualTo(DetectorInterval.MAX_OVERLOADED - 1);
        interval.detected(false, now);
        assertThat(interval.k()).isEqualTo(DetectorInterval.MAX_OVERLOADED / 2);
        interval.detected(null, now);
        assertThat(interval.k()).as("nothing to compare: unchanged").isEqualTo(DetectorInterval.MAX_OVERLOADED / 2);
    }

    @Test
    void noPredictionSpansMoreThanTheHorizon() {
        DetectorInterval interval = new DetectorInterval();
        for (int i = 0; i < 20; i++) {
            interval.detected(true, 0);
        }
        // an overloaded stream answered every 0.3 s: one prediction, then the horizon sends it to the detector
        assertThat(interval.predict(false, 300_000_000L)).isTrue();
        assertThat(interval.predict(false, 600_000_000L)).isFalse();
    }

    @Test
    void aPassAgreesWhenEachConfirmedPredictionHasItsDetection() {
        Tracker.Tracked face = new Tracker.Tracked(1, "face", 0.9f, new Box(100, 100, 40, 40));
        Tracker.Observation near = new Tracker.Observation("face", 0.9f, new Box(102, 101, 40, 40));
        Tracker.Observation far = new Tracker.Observation("face", 0.9f, new Box(130, 100, 40, 40));
        Tracker.Observation other = new Tracker.Observation("face", 0.9f, new Box(400, 300, 40, 40));
        assertThat(InferenceWorker.agrees(List.of(face), List.of(near))).isTrue();
        assertThat(InferenceWorker.agrees(List.of(face), List.of(far))).as("moved off its prediction").isFalse();
        assertThat(InferenceWorker.agrees(List.of(face), List.of())).as("lost").isFalse();
        assertThat(InferenceWorker.agrees(List.of(face), List.of(near, other))).as("a new object too").isFalse();
        assertThat(InferenceWorker.agrees(List.of(new Tracker.Tracked(0, "face", 0.9f, new Box(100, 100, 40, 40))),
                List.of(near))).as("nothing confirmed to predict with").isNull();
    }
}
