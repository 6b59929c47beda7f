package io.framewire.inference;

import static io.framewire.inference.Fixtures.messi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.framewire.protocol.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YOLO detector's native path on {@link FakeYolo} models, whose every box is the same: centre
 * (320, 320), 128x64 in the 640x640 network input. NMS leaves one detection per image.
 */
class YoloDetectorTest {

    @TempDir
    Path dir;

    /** The 4+C (v8) or 5+C (v5, objectness first) values of the fake model's boxes. */
    static float[] box(int classes, boolean v5, float objectness, int cls, float score) {
        float[] b = new float[(v5 ? 5 : 4) + classes];
        b[0] = 320;
        b[1] = 320;
        b[2] = 128;
        b[3] = 64;
        if (v5) {
            b[4] = objectness;
        }
        b[(v5 ? 5 : 4) + cls] = score;
        return b;
    }

    static DetectorConfig config(Path model, Path labels) {
        return new DetectorConfig("yolo", model, "cpu", labels, 0.5f, 0.45f, 640);
    }

    @Test
    void runsADynamicBatchV8ModelInOneForwardPassAndUndoesEachLetterbox() throws Exception {
        Path model = FakeYolo.write(dir.resolve("v8.onnx"), box(80, false, 0, 0, 0.9f), false, true);
        DetectorFactory factory = Detectors.open(config(model, null));
        assertThat(factory.description()).endsWith(", batches of up to 8");

        try (Detector detector = factory.newDetector(); Mat image = messi(); Mat small = new Mat(); Size qvga = new Size(320, 240)) {
            resize(image, small, qvga);
            assertThat(detector.maxBatch()).isEqualTo(YoloDetector.MAX_BATCH);

            List<List<Detection>> results = detector.detect(List.of(image, small, image));

            // 548x342 -> scale 640/548, 399 rows centred with 120 rows of padding above:
            // x (256..384) * 548/640 = 219.2..328.8, y (288..352 - 120) * 548/640 = 143.9..198.7
            assertThat(results.get(0)).containsExactly(new Detection("person", 0.9f, 219, 144, 110, 55));
            // 320x240 -> scale 2, 80 rows of padding: x 128..192, y 104..136
            assertThat(results.get(1)).containsExactly(new Detection("person", 0.9f, 128, 104, 64, 32));
            assertThat(results.get(2)).isEqualTo(results.get(0));
        }
    }

    @Test
    void runsAFixedBatchV5ModelOneImageAtATime() throws Exception {
        Path model = FakeYolo.write(dir.resolve("v5.onnx"), box(80, true, 0.9f, 16, 0.8f), true, false);
        DetectorFactory factory = Detectors.open(config(model, null));
        assertThat(factory.description()).doesNotContain("batches");

        try (Detector detector = factory.newDetector(); Mat image = messi()) {
            assertThat(detector.maxBatch()).isEqualTo(1);

            List<List<Detection>> results = detector.detect(List.of(image, image));

            assertThat(results).hasSize(2).allSatisfy(found -> assertThat(found).singleElement().satisfies(d -> {
                assertThat(d.label()).isEqualTo("dog");
                assertThat(d.score()).isCloseTo(0.72f, within(1e-5f));
                assertThat(d).extracting(Detection::x, Detection::y, Detection::w, Detection::h)
                        .containsExactly(219, 144, 110, 55);
            }));
        }
    }

    @Test
    void namesClassesFromTheLabelsFile() throws Exception {
        Path model = FakeYolo.write(dir.resolve("two.onnx"), box(2, false, 0, 1, 0.7f), false, true);
        Path labels = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\n");

        try (Detector detector = Detectors.open(config(model, labels)).newDetector(); Mat image = messi()) {
            assertThat(detector.detect(List.of(image)).get(0)).extracting(Detection::label).containsExactly("dog");
        }
    }

    @Test
    void refusesLabelsThatDoNotMatchTheModel() throws Exception {
        Path model = FakeYolo.write(dir.resolve("two.onnx"), box(2, false, 0, 1, 0.7f), false, true);
        Path labels = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\nbird\n");

        assertThatThrownBy(() -> Detectors.open(config(model, labels)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model: cannot run " + model)
                .hasMessageContaining("does not fit the 3 classes of --labels");
    }
}
