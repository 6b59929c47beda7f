package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.FaceDetectorYN;

/** Face detection with OpenCV's {@link FaceDetectorYN} (YuNet), one frame per forward pass. */
final class YuNetDetector implements SingleImageDetector {

    /** Candidates kept before NMS (OpenCV's default). */
    private static final int TOP_K = 5000;
    /** Each output row: x, y, w, h, five landmarks (x, y), score. */
    private static final int ROW = 15;
    private static final int SCORE = 14;

    /** OpenCV Zoo's face_detection_yunet_2023mar.onnx (Apache-2.0, licence beside it), carried in the jar. */
    static final String BUILT_IN = "/io/framewire/models/yunet_s_640_640.onnx";

    private final FaceDetectorYN net;
    private final Mat faces = new Mat();
    private int width = -1;
    private int height = -1;

    YuNetDetector(Path model, DnnDevice device, float score, float nms) {
        try (Size initial = new Size(320, 320)) {
            net = FaceDetectorYN.create(model.toString(), "", initial, score, nms, TOP_K, device.backend(), device.target());
        }
        if (net == null || net.isNull()) {
            faces.close();
            throw new IllegalStateException("OpenCV could not load the YuNet model " + model);
        }
    }

    /** The built-in model as a file (OpenCV reads models from files), extracted once to JavaCPP's cache. */
    static Path builtInModel() {
        try {
            return Loader.cacheResource(YuNetDetector.class, BUILT_IN).toPath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the built-in YuNet model " + BUILT_IN + ": " + e
                    + "; pass an ONNX file with --model", e);
        }
    }

    @Override
    public List<Detection> detect(Mat image) {
        int w = image.cols();
        int h = image.rows();
        if (w != width || h != height) {
            // Re-plans the network's shapes: only when the stream's frame size changes.
            try (Size size = new Size(w, h)) {
                net.setInputSize(size);
            }
            width = w;
            height = h;
        }
        net.detect(image, faces);
        int n = faces.rows();
        if (n == 0) {
            return List.of();
        }
        FloatBuffer rows = faces.createBuffer();
        List<Detection> found = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = i * ROW;
            float x = rows.get(r);
            float y = rows.get(r + 1);
            Detection d = Boxes.clipped("face", rows.get(r + SCORE), x, y, x + rows.get(r + 2), y + rows.get(r + 3), w, h);
            if (d != null) {
                found.add(d);
            }
        }
        return found;
    }

    @Override
    public void close() {
        faces.close();
        net.close();
    }
}
