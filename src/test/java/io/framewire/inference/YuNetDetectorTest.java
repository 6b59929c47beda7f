package io.framewire.inference;

import static io.framewire.inference.Fixtures.MEGAMIND;
import static io.framewire.inference.Fixtures.YUNET;
import static io.framewire.inference.Fixtures.config;
import static io.framewire.inference.Fixtures.messi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.framewire.protocol.Detection;
import io.framewire.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YuNetDetectorTest {

    // Messi's face in messi5.jpg (548x342), located by eye: hairline/forehead at y ~92, chin at y ~128,
    // cheeks at x ~218 and ~258.
    static final int FACE_X = 240;
    static final int FACE_Y = 110;

    private static Detector detector;

    @BeforeAll
    static void open() {
        detector = Detectors.open(config("yunet", YUNET, "cpu")).newDetector();
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    /** Asserts {@code face} is a plausible box around the point (x, y) for a face about {@code side} pixels across. */
    static void assertFaceAround(Detection face, int x, int y, int side) {
        assertThat(face.label()).isEqualTo("face");
        assertThat(face.x()).isLessThan(x);
        assertThat(face.x() + face.w()).isGreaterThan(x);
        assertThat(face.y()).isLessThan(y);
        assertThat(face.y() + face.h()).isGreaterThan(y);
        assertThat(face.w()).isBetween(side / 2, side * 2);
        assertThat(face.h()).isBetween(side / 2, side * 2);
    }

    @Test
    void findsExactlyMessisFace() {
        try (Mat image = messi()) {
            List<Detection> faces = detector.detect(List.of(image)).get(0);

            assertThat(faces).hasSize(1);
            assertThat(faces.get(0).score()).isBetween(0.6f, 1f);
            assertFaceAround(faces.get(0), FACE_X, FACE_Y, 40);
        }
    }

    @Test
    void followsFrameSizeChanges() {
        try (Mat image = messi(); Mat small = new Mat(); Size size = new Size(320, 240)) {
            resize(image, small, size);

            List<List<Detection>> results = detector.detect(List.of(image, small, image));

            assertThat(results).hasSize(3).allSatisfy(faces -> assertThat(faces).hasSize(1));
            assertFaceAround(results.get(0).get(0), FACE_X, FACE_Y, 40);
            assertFaceAround(results.get(1).get(0), FACE_X * 320 / 548, FACE_Y * 240 / 342, 40 * 320 / 548);
            assertThat(results.get(2)).isEqualTo(results.get(0));
        }
    }

    @Test
    void findsNothingInABlackFrame() {
        try (Scalar black = new Scalar(0, 0, 0, 0); Mat blank = new Mat(240, 320, CV_8UC3, black)) {
            assertThat(detector.detect(List.of(blank))).containsExactly(List.of());
        }
    }

    @Test
    void findsTheFacesInMostMegamindFrames() throws Exception {
        // Frame 0 is black (fade-in); from frame 30 on a character faces the camera.
        List<Mat> frames = Fixtures.videoFrames(MEGAMIND, Set.of(30, 60, 90, 120, 150, 180, 210, 240));
        try {
            assertThat(frames).hasSize(8);
            List<List<Detection>> results = detector.detect(frames);

            assertThat(results).hasSize(8);
            assertThat(results.stream().filter(faces -> !faces.isEmpty()).count()).isGreaterThanOrEqualTo(6);
            assertThat(results).allSatisfy(faces -> assertThat(faces).allSatisfy(face -> {
                assertThat(face.score()).isGreaterThanOrEqualTo(0.6f);
                assertThat(face.x()).isNotNegative();
                assertThat(face.y()).isNotNegative();
                assertThat(face.x() + face.w()).isLessThanOrEqualTo(720);
                assertThat(face.y() + face.h()).isLessThanOrEqualTo(528);
            }));
        } finally {
            frames.forEach(Mat::close);
        }
    }

    @Test
    void theNanoModelFindsTheSameFace() {
        try (Detector nano = Detectors.open(config("yunet", TestData.model("yunet_n_640_640.onnx"), "cpu")).newDetector();
                Mat image = messi()) {
            List<Detection> faces = nano.detect(List.of(image)).get(0);

            assertThat(faces).hasSize(1);
            assertFaceAround(faces.get(0), FACE_X, FACE_Y, 40);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yunet_s_dynamic.onnx", "yunet_n_dynamic.onnx"})
    void dynamicShapeExportsAreRefusedAtOpen(String model) {
        // OpenCV 4.13's ONNX importer rejects their dynamic Shape nodes; the 640x640 exports take any frame size.
        Path path = TestData.model(model);
        assertThatThrownBy(() -> Detectors.open(config("yunet", path, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model: cannot run " + path + " with --detector yunet on cpu");
    }
}
