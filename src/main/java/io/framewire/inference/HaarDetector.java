package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;

import io.framewire.protocol.Detection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/** Viola-Jones face detection with an OpenCV Haar cascade: CPU only, no DNN. */
final class HaarDetector implements SingleImageDetector {

    private static final String DEFAULT_CASCADE = "haarcascade_frontalface_default.xml";
    private static final double SCALE_STEP = 1.1;
    private static final int MIN_NEIGHBORS = 5;

    private final CascadeClassifier cascade;
    private final Mat gray = new Mat();
    private final RectVector faces = new RectVector();
    private final Size minSize = new Size(30, 30);
    private final Size maxSize = new Size(); // no upper bound

    HaarDetector(Path cascadeXml) {
        cascade = new CascadeClassifier(cascadeXml.toString());
        if (cascade.empty()) {
            close();
            throw new IllegalStateException(cascadeXml + " is not an OpenCV cascade classifier");
        }
    }

    /**
     * The frontal-face cascade shipped in the Bytedeco OpenCV jar, extracted once to JavaCPP's cache.
     * The CUDA jar keeps its resources under the "-gpu" platform folder.
     */
    static Path defaultCascade() {
        for (String platform : List.of(Loader.getPlatform(), Loader.getPlatform() + "-gpu")) {
            String resource = "/org/bytedeco/opencv/" + platform + "/share/opencv4/haarcascades/" + DEFAULT_CASCADE;
            if (HaarDetector.class.getResource(resource) != null) {
                try {
                    File file = Loader.cacheResource(HaarDetector.class, resource);
                    return file.toPath();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot extract " + resource + ": " + e, e);
                }
            }
        }
        throw new IllegalStateException(DEFAULT_CASCADE + " not found in the OpenCV jar for " + Loader.getPlatform()
                + "; pass a cascade XML with --model");
    }

    @Override
    public List<Detection> detect(Mat image) {
        cvtColor(image, gray, COLOR_BGR2GRAY);
        equalizeHist(gray, gray);
        cascade.detectMultiScale(gray, faces, SCALE_STEP, MIN_NEIGHBORS, 0, minSize, maxSize);
        int n = (int) faces.size();
        List<Detection> found = new ArrayList<>(n);
        // Haar has no probability. detectMultiScale3's level weights are uncalibrated, and asking for
        // them (outputRejectLevels) also keeps windows rejected by the last stages, so every face that
        // passes the cascade and the neighbour vote scores 1.0.
        for (int i = 0; i < n; i++) {
            try (Rect r = faces.get(i)) {
                found.add(new Detection("face", 1f, r.x(), r.y(), r.width(), r.height()));
            }
        }
        return found;
    }

    @Override
    public void close() {
        gray.close();
        faces.close();
        minSize.close();
        maxSize.close();
        cascade.close();
    }
}
