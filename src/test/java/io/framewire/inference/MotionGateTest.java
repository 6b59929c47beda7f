package io.framewire.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import io.framewire.testing.TestData;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/** The gate on real JPEGs: what it lets skip the detector and what it does not. */
class MotionGateTest {

    private static final long MS = 1_000_000L;
    private static final byte[] MESSI = TestData.messi();

    /** messi5.jpg with a filled white square of {@code side} px at (x, y), re-encoded as JPEG. */
    private static byte[] withSquare(int x, int y, int side) {
        return withSquares(side, 90, new int[] {x, y});
    }

    /** messi5.jpg with filled white squares of {@code side} px at the given (x, y), re-encoded at {@code quality}. */
    private static byte[] withSquares(int side, int quality, int[]... corners) {
        try (Mat image = ImageCodec.decode(MESSI); Scalar white = new Scalar(255, 255, 255, 0); BytePointer out = new BytePointer();
                org.bytedeco.javacpp.IntPointer q = new org.bytedeco.javacpp.IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality)) {
            for (int[] c : corners) {
                try (Point a = new Point(c[0], c[1]); Point b = new Point(c[0] + side, c[1] + side)) {
                    rectangle(image, a, b, white, -1, 8, 0);
                }
            }
            assertThat(opencv_imgcodecs.imencode(".jpg", image, out, q)).isTrue();
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    private static MotionGate gate(double threshold, long refreshNanos) {
        return gate(threshold, refreshNanos, null);
    }

    private static MotionGate gate(double threshold, long refreshNanos, io.framewire.tracking.Tracker tracker) {
        return new MotionGate(threshold, refreshNanos, 1_000, tracker);
    }

    /** As a worker runs it (the stream keeping up): the verdict, and the detector's decode as the reference when it runs. */
    private static MotionGate.Verdict check(MotionGate gate, byte[] jpeg, long now, boolean keepingUp) {
        ByteBuffer b = ByteBuffer.wrap(jpeg);
        ImageHeader h = ImageHeader.read(b);
        MotionGate.Verdict v = gate.check(b, h, now, keepingUp);
        if (v == MotionGate.Verdict.CHANGED) {
            try (Mat image = ImageCodec.decode(b, h)) {
                gate.detected(b, h, image, now);
            }
        }
        return v;
    }

    /** True when the frame skips the detector (any verdict but CHANGED). */
    private static boolean skip(MotionGate gate, byte[] jpeg, long now) {
        return check(gate, jpeg, now, true) != MotionGate.Verdict.CHANGED;
    }

    @Test
    void theSameFrameSkipsTheDetectorUntilTheRefresh() {
        MotionGate gate = gate(0.01, 1000 * MS);
        assertThat(skip(gate, MESSI, 0)).as("first frame: nothing to compare with").isFalse();
        assertThat(skip(gate, MESSI, 100 * MS)).isTrue();
        assertThat(skip(gate, MESSI, 999 * MS)).isTrue();
        assertThat(skip(gate, MESSI, 1000 * MS)).as("forced refresh").isFalse();
        assertThat(skip(gate, MESSI, 1100 * MS)).as("refresh counted from the detector's last pass").isTrue();
    }

    @Test
    void aChangeAboveTheThresholdRunsTheDetectorAndBecomesTheReference() {
        MotionGate gate = gate(0.01, 10_000 * MS);
        byte[] square = withSquare(100, 100, 120); // ~8 % of the 548x342 frame
        skip(gate, MESSI, 0);
        assertThat(skip(gate, square, 10 * MS)).isFalse();
        assertThat(skip(gate, square, 20 * MS)).as("compared with the frame the detector saw last").isTrue();
        assertThat(skip(gate, MESSI, 30 * MS)).as("back to the original: a change again").isFalse();
    }

    @Test
    void aChangeBelowTheThresholdIsSkippedAndAccumulatesAgainstTheReference() {
        byte[] small = withSquare(100, 100, 20); // ~0.2 % of the frame
        byte[] larger = withSquare(100, 100, 60); // ~2 %
        MotionGate gate = gate(0.01, 10_000 * MS);
        skip(gate, MESSI, 0);
        assertThat(skip(gate, small, 10 * MS)).isTrue();
        assertThat(skip(gate, larger, 20 * MS)).as("still measured against the first frame").isFalse();
        MotionGate strict = gate(0.0, 10_000 * MS);
        skip(strict, MESSI, 0);
        assertThat(skip(strict, small, 10 * MS)).as("threshold 0: any change runs the detector").isFalse();
    }

    @Test
    void theSamePictureInOtherBytesIsComparedByItsPixels() {
        byte[] reencoded;
        try (Mat image = ImageCodec.decode(MESSI); BytePointer out = new BytePointer();
                org.bytedeco.javacpp.IntPointer q = new org.bytedeco.javacpp.IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 70)) {
            assertThat(opencv_imgcodecs.imencode(".jpg", image, out, q)).isTrue();
            reencoded = new byte[(int) out.limit()];
            out.get(reencoded);
        }
        assertThat(reencoded).isNotEqualTo(MESSI);
        MotionGate gate = gate(0.01, 10_000 * MS);
        skip(gate, MESSI, 0);
        assertThat(skip(gate, reencoded, 10 * MS)).as("JPEG requantisation is not motion").isTrue();
        MotionGate strict = gate(0.0, 10_000 * MS);
        skip(strict, MESSI, 0);
        assertThat(skip(strict, MESSI, 10 * MS)).as("identical bytes: no change at all").isTrue();
    }

    @Test
    void anUnreadableFrameIsNeverSkipped() {
        MotionGate gate = gate(1.0, 10_000 * MS);
        skip(gate, MESSI, 0);
        byte[] truncated = java.util.Arrays.copyOf(MESSI, 600);
        ByteBuffer b = ByteBuffer.wrap(truncated);
        assertThat(gate.check(b, ImageHeader.read(b), 10 * MS, true)).isEqualTo(MotionGate.Verdict.CHANGED);
        // the worker's full decode fails too: refused, never at the detector, so the reference stays the last frame it saw
        assertThat(skip(gate, MESSI, 20 * MS)).as("the reference is still the frame the detector saw").isTrue();
    }

    @Test
    void aFrameOfAnotherSizeIsNeverSkipped() {
        MotionGate gate = gate(1.0, 10_000 * MS);
        skip(gate, MESSI, 0);
        assertThat(skip(gate, ImageHeaderTest.encode(".jpg", 640, 480), 10 * MS)).isFalse();
    }

    @Test
    void manySmallChangesApartDoNotAddUpToOneObject() {
        // 24 squares of 16 px, 60 px apart: 3.3 % of the frame changed in all, each 0.14 %
        int[][] corners = new int[24][];
        for (int i = 0; i < corners.length; i++) {
            corners[i] = new int[] {20 + (i % 8) * 60, 20 + (i / 8) * 100};
        }
        byte[] scattered = withSquares(16, 90, corners);
        MotionGate gate = gate(0.01, 10_000 * MS);
        skip(gate, MESSI, 0);
        assertThat(skip(gate, scattered, 10 * MS)).as("no changed region reaches 1 %").isTrue();
        MotionGate fine = gate(0.001, 10_000 * MS);
        skip(fine, MESSI, 0);
        assertThat(skip(fine, scattered, 10 * MS)).as("each square is above 0.1 %").isFalse();
        MotionGate gate2 = gate(0.01, 10_000 * MS);
        skip(gate2, MESSI, 0);
        assertThat(skip(gate2, withSquare(200, 150, 60), 10 * MS)).as("one object of ~2 %").isFalse();
    }

    @Test
    void aStreamThatKeepsMovingGoesUncheckedForAWhileThenIsCheckedAgain() {
        // squares of 150 px: a change of about a quarter of the frame, as a moving camera's (>= MOVING_SHARE)
        byte[] left = withSquares(150, 90, new int[] {20, 100});
        byte[] right = withSquares(150, 90, new int[] {300, 100});
        byte[] rightQ70 = withSquares(150, 70, new int[] {300, 100}); // right's picture in other bytes
        byte[] rightQ60 = withSquares(150, 60, new int[] {300, 100});
        MotionGate gate = gate(0.01, 10_000 * MS);
        long t = 0;
        assertThat(skip(gate, left, t += MS)).isFalse();
        for (int i = 0; i < MotionGate.CHECK_AFTER; i++) { // every check finds a change
            assertThat(skip(gate, i % 2 == 0 ? right : left, t += MS)).isFalse();
        }
        // right was last; a checked rightQ70 would skip, but the first span goes through unchecked (no decode),
        // and the detector's own decode of it becomes the reference
        assertThat(skip(gate, rightQ70, t += MS)).as("unchecked").isFalse();
        assertThat(skip(gate, rightQ60, t += MS)).as("checked again, against its neighbour").isTrue();
        assertThat(skip(gate, rightQ70, t += MS)).as("a skip resets the moving count").isTrue();
    }

    @Test
    void anObjectThatKeepsMovingIsCheckedAtEveryFrame() {
        byte[] left = withSquares(60, 90, new int[] {40, 100}); // ~2 % of the frame each: an object, not the view
        byte[] right = withSquares(60, 90, new int[] {400, 100});
        byte[] rightQ70 = withSquares(60, 70, new int[] {400, 100});
        MotionGate gate = gate(0.01, 10_000 * MS);
        long t = 0;
        skip(gate, left, t += MS);
        for (int i = 0; i < 2 * MotionGate.CHECK_AFTER; i++) {
            assertThat(skip(gate, i % 2 == 0 ? right : left, t += MS)).isFalse();
        }
        // left was last: its picture in other bytes is still checked (and skips), where a moving camera's would not be
        assertThat(skip(gate, withSquares(60, 70, new int[] {40, 100}), t += MS)).as("checked, unchanged").isTrue();
        assertThat(skip(gate, rightQ70, t += MS)).as("checked, changed").isFalse();
    }

    @Test
    void theReferenceIsNeverOlderThanTheLastFrameLetThrough() {
        // issue #25 G1: frames let through unchecked must not leave an older reference behind, or a later
        // frame byte-identical to that older one is gated and answered with another picture's boxes
        byte[] left = withSquares(80, 90, new int[] {40, 100});
        byte[] right = withSquares(80, 90, new int[] {400, 100});
        byte[] other = withSquares(80, 90, new int[] {220, 200});
        MotionGate gate = gate(0.01, 10_000 * MS);
        long t = 0;
        assertThat(skip(gate, left, t += MS)).isFalse();
        for (int i = 0; i < MotionGate.CHECK_AFTER; i++) {
            assertThat(skip(gate, i % 2 == 0 ? right : left, t += MS)).isFalse();
        }
        // the detector last saw `right`; `other` goes to the detector (unchecked or not)
        assertThat(skip(gate, other, t += MS)).isFalse();
        assertThat(skip(gate, right, t += MS)).as("right's bytes again, but the detector last saw another picture").isFalse();
    }

    @Test
    void aSmallChangeAtAConfirmedTrackIsForTheTracksAndTheSameChangeElsewhereIsNot() {
        io.framewire.tracking.Tracker tracker = new io.framewire.tracking.Tracker(1, 10_000 * MS);
        tracker.update(java.util.List.of(new io.framewire.tracking.Tracker.Observation("face", 0.9f,
                new io.framewire.tracking.Box(100, 100, 40, 40))), 0);
        byte[] atTrack = withSquare(110, 110, 12); // ~0.1 % of the frame: far below the threshold
        byte[] nearTrack = withSquare(150, 150, 12); // within half a box of it
        byte[] elsewhere = withSquare(420, 260, 12);
        for (byte[] frame : new byte[][] {atTrack, nearTrack}) {
            MotionGate gate = gate(0.01, 10_000 * MS, tracker);
            skip(gate, MESSI, 0);
            assertThat(check(gate, frame, 10 * MS, true)).as("a change at a confirmed track")
                    .isEqualTo(MotionGate.Verdict.TRACKS_MOVED);
        }
        MotionGate gate = gate(0.01, 10_000 * MS, tracker);
        skip(gate, MESSI, 0);
        assertThat(skip(gate, elsewhere, 10 * MS)).as("the same change away from every track").isTrue();
        MotionGate untracked = gate(0.01, 10_000 * MS, new io.framewire.tracking.Tracker(1, 10_000 * MS));
        skip(untracked, MESSI, 0);
        assertThat(skip(untracked, atTrack, 10 * MS)).as("no tracks: the threshold alone").isTrue();
    }

    @Test
    void theDetectorsOwnDecodeIsAReferenceLikeTheGatesAt640x480() {
        byte[] q90, q70;
        try (Mat image = ImageCodec.decode(MESSI); Mat vga = new Mat()) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(image, vga, new org.bytedeco.opencv.opencv_core.Size(640, 480));
            q90 = encode(vga, 90);
            q70 = encode(vga, 70);
        }
        MotionGate gate = gate(0.0, 10_000 * MS); // threshold 0: any changed pixel would run the detector
        assertThat(skip(gate, q90, 0)).as("no reference yet: the detector's decode becomes it").isFalse();
        assertThat(skip(gate, q70, 10 * MS)).as("the same picture in other bytes").isTrue();
    }

    private static byte[] encode(Mat image, int quality) {
        try (BytePointer out = new BytePointer();
                org.bytedeco.javacpp.IntPointer q = new org.bytedeco.javacpp.IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality)) {
            assertThat(opencv_imgcodecs.imencode(".jpg", image, out, q)).isTrue();
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    @Test
    void aChangeAtATentativeTrackRunsTheDetector() {
        io.framewire.tracking.Tracker tracker = new io.framewire.tracking.Tracker(3, 10_000 * MS); // one hit: no id yet
        tracker.update(java.util.List.of(new io.framewire.tracking.Tracker.Observation("face", 0.9f,
                new io.framewire.tracking.Box(100, 100, 40, 40))), 0);
        MotionGate gate = gate(0.01, 10_000 * MS, tracker);
        skip(gate, MESSI, 0);
        assertThat(check(gate, withSquare(110, 110, 12), 10 * MS, true)).isEqualTo(MotionGate.Verdict.CHANGED);
    }

    @Test
    void anOverloadedStreamIsRefreshedByItsOwnAnswersNotByTheClock() {
        MotionGate gate = new MotionGate(0.01, 1000 * MS, 4, null);
        long t = 0;
        assertThat(check(gate, MESSI, t, true)).isEqualTo(MotionGate.Verdict.CHANGED);
        // answered about once every 5 s (frames dropped in between): the clock says stale at every frame
        for (int i = 0; i < 3; i++) {
            assertThat(check(gate, MESSI, t += 5_000 * MS, false)).as("answer %d since the pass", i + 1)
                    .isEqualTo(MotionGate.Verdict.STILL);
        }
        assertThat(check(gate, MESSI, t += 5_000 * MS, false)).as("the 4th answer: refresh").isEqualTo(MotionGate.Verdict.CHANGED);
        assertThat(check(gate, MESSI, t += 5_000 * MS, false)).isEqualTo(MotionGate.Verdict.STILL);
        assertThat(check(gate, MESSI, t += 5_000 * MS, true)).as("keeping up: the clock's refresh applies")
                .isEqualTo(MotionGate.Verdict.CHANGED);
    }

    @Test
    void inABusySceneSmallChangesApartCountTogether() {
        int[][] corners = new int[24][];
        for (int i = 0; i < corners.length; i++) {
            corners[i] = new int[] {20 + (i % 8) * 60, 20 + (i / 8) * 100};
        }
        byte[] scattered = withSquares(16, 90, corners); // 3.3 % changed in all, no region above 0.2 %
        long tenSeconds = MotionGate.BUSY_NANOS;
        io.framewire.tracking.Tracker found = new io.framewire.tracking.Tracker(3, 100 * MS);
        found.update(java.util.List.of(new io.framewire.tracking.Tracker.Observation("face", 0.9f,
                new io.framewire.tracking.Box(500, 300, 20, 20))), 0); // a detection long gone by frame time, far from the squares
        MotionGate busy = gate(0.02, 100_000 * MS, found);
        skip(busy, MESSI, tenSeconds / 2);
        assertThat(skip(busy, scattered, tenSeconds / 2 + 10 * MS)).as("the detector found something 5 s ago").isFalse();
        MotionGate quiet = gate(0.02, 100_000 * MS, found);
        skip(quiet, MESSI, 2 * tenSeconds);
        assertThat(skip(quiet, scattered, 2 * tenSeconds + 10 * MS)).as("nothing found for 20 s: regions only").isTrue();
    }
}
