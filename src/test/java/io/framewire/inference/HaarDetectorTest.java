package io.framewire.inference;

import static io.framewire.inference.Fixtures.config;
import static io.framewire.inference.Fixtures.messi;
import static io.framewire.inference.YuNetDetectorTest.FACE_X;
import static io.framewire.inference.YuNetDetectorTest.FACE_Y;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.protocol.Detection;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class HaarDetectorTest {

    @Test
    void findsMessisFaceWithTheBundledCascade() {
        DetectorFactory factory = Detectors.open(config("haar", null, "auto"));
        assertThat(factory.description()).contains("haarcascade_frontalface_default.xml");

        try (Detector detector = factory.newDetector(); Mat image = messi()) {
            List<Detection> faces = detector.detect(List.of(image)).get(0);

            assertThat(faces).filteredOn(face -> face.x() < FACE_X && FACE_X < face.x() + face.w()
                            && face.y() < FACE_Y && FACE_Y < face.y() + face.h())
                    .singleElement()
                    .satisfies(face -> {
                        assertThat(face.label()).isEqualTo("face");
                        assertThat(face.score()).isEqualTo(1f);
                        assertThat(face.w()).isBetween(20, 80);
                    });
        }
    }

    @Test
    void takesACascadeFileFromModel() {
        var cascade = HaarDetector.defaultCascade();
        DetectorFactory factory = Detectors.open(config("haar", cascade, "cpu"));

        try (Detector detector = factory.newDetector(); Mat image = messi()) {
            assertThat(detector.detect(List.of(image)).get(0)).isNotEmpty();
        }
    }
}
