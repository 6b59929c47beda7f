package io.framewire.inference;

import static io.framewire.inference.Fixtures.MEGAMIND;
import static io.framewire.inference.Fixtures.messi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framewire.protocol.Detection;
import io.framewire.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The batched YuNet (cv::dnn::Net, post-processing in Java) against OpenCV's FaceDetectorYN on the
 * same frames: same faces, boxes within 1 px, whether the frames run one by one or as one batch.
 */
class YuNetBatchDetectorTest {

    private static final DnnDevice CPU = DnnDevice.cpu("test");

    @ParameterizedTest
    @ValueSource(strings = {"yunet_s_640_640.onnx", "yunet_n_640_640.onnx"})
    void batchedBoxesMatchFaceDetectorYN(String modelName) throws Exception {
        Path model = TestData.model(modelName);
        // Megamind frames with and without faces, plus messi5.jpg: two frame sizes in one call
        List<Mat> frames = new ArrayList<>(Fixtures.videoFrames(MEGAMIND, Set.of(0, 30, 60, 90, 120, 150, 180)));
        frames.add(messi());
        try (YuNetDetector reference = new YuNetDetector(model, CPU, 0.6f, 0.3f);
                YuNetBatchDetector batched = new YuNetBatchDetector(model, CPU, 0.6f, 0.3f, 8)) {
            List<List<Detection>> expected = new ArrayList<>();
            for (Mat f : frames) {
                expected.add(reference.detect(f));
            }
            List<List<Detection>> asBatch = batched.detect(frames);
            List<List<Detection>> oneByOne = new ArrayList<>();
            for (Mat f : frames) {
                oneByOne.add(batched.detect(List.of(f)).get(0));
            }
            int faces = 0;
            for (int i = 0; i < frames.size(); i++) {
                assertSameFaces("frame " + i + " as a batch", asBatch.get(i), expected.get(i));
                assertSameFaces("frame " + i + " alone", oneByOne.get(i), expected.get(i));
                faces += expected.get(i).size();
            }
            assertThat(faces).as("faces FaceDetectorYN found: the comparison is not vacuous").isGreaterThanOrEqualTo(5);
        } finally {
            frames.forEach(Mat::close);
        }
    }

    @Test
    void dynamicExportsDoNotLoadInOpenCv413() {
        // their Shape node has a dynamic 'zero' dimension, which OpenCV 4.13's ONNX importer refuses
        assertThatThrownBy(() -> new YuNetBatchDetector(TestData.model("yunet_s_dynamic.onnx"), CPU, 0.6f, 0.3f, 8).close())
                .hasMessageContaining("Shape");
    }

    private static void assertSameFaces(String what, List<Detection> actual, List<Detection> expected) {
        Comparator<Detection> byPlace = Comparator.comparingInt(Detection::x).thenComparingInt(Detection::y);
        List<Detection> a = actual.stream().sorted(byPlace).toList();
        List<Detection> e = expected.stream().sorted(byPlace).toList();
        assertThat(a).as(what).hasSameSizeAs(e);
        for (int k = 0; k < a.size(); k++) {
            Detection x = a.get(k), y = e.get(k);
            assertThat(x.label()).isEqualTo("face");
            assertThat(Math.abs(x.x() - y.x())).as(what + " x").isLessThanOrEqualTo(1);
            assertThat(Math.abs(x.y() - y.y())).as(what + " y").isLessThanOrEqualTo(1);
            assertThat(Math.abs(x.w() - y.w())).as(what + " w").isLessThanOrEqualTo(1);
            assertThat(Math.abs(x.h() - y.h())).as(what + " h").isLessThanOrEqualTo(1);
            assertThat((double) x.score()).as(what + " score").isCloseTo(y.score(), org.assertj.core.data.Offset.offset(0.01));
        }
    }
}
