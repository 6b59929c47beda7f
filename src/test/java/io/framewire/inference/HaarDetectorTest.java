package io.framewire.inference;

import static io.framewire.inference.Fixtures.config;
import static io.framewire.inference.Fixtures.messi;
import static io.framewire.inference.YuNetDetectorTest.FACE_X;
import static io.framewire.inference.YuNetDetectorTest.FACE_Y;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framewire.protocol.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * Another cascade from the same jar, the cat-face one: where the default cascade finds Messi's
     * face it finds nothing, so the answer shows which file was loaded.
     */
    @Test
    void takesACascadeFileFromModel() throws Exception {
        Path catFaces = bundledCascade("haarcascade_frontalcatface.xml");
        DetectorFactory factory = Detectors.open(config("haar", catFaces, "cpu"));
        assertThat(factory.description()).contains("haarcascade_frontalcatface.xml");

        try (Detector cats = factory.newDetector(); Detector faces = Detectors.open(config("haar", null, "cpu")).newDetector();
                Mat image = messi()) {
            assertThat(faces.detect(List.of(image)).get(0)).as("the default cascade finds Messi").isNotEmpty();
            assertThat(cats.detect(List.of(image)).get(0)).as("the cat-face cascade does not").isEmpty();
        }
    }

    @Test
    void aModelThatIsNoCascadeIsRefusedNamingTheSetting(@TempDir Path dir) throws Exception {
        Path notACascade = Files.writeString(dir.resolve("not-a-cascade.xml"), "<opencv_storage></opencv_storage>\n");
        assertThatThrownBy(() -> Detectors.open(config("haar", notACascade, "cpu")))
                .hasMessageContaining("--model"); // the default cascade would have loaded
    }

    /** A cascade shipped in the Bytedeco OpenCV jar, as {@link HaarDetector#defaultCascade()} finds its own. */
    private static Path bundledCascade(String name) throws Exception {
        for (String platform : List.of(Loader.getPlatform(), Loader.getPlatform() + "-gpu")) {
            String resource = "/org/bytedeco/opencv/" + platform + "/share/opencv4/haarcascades/" + name;
            if (HaarDetector.class.getResource(resource) != null) {
                return Loader.cacheResource(HaarDetector.class, resource).toPath();
            }
        }
        throw new IllegalStateException(name + " is not in the OpenCV jar");
    }
}
