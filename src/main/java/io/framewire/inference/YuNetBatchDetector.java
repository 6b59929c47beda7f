package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_dnn.NMSBoxes;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImages;
import static org.bytedeco.opencv.global.opencv_dnn.readNetFromONNX;

import io.framewire.protocol.Detection;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.bytedeco.opencv.opencv_objdetect.FaceDetectorYN;

/**
 * YuNet through {@code cv::dnn::Net} with a batch axis: frames of the same size (padded, as
 * {@link FaceDetectorYN} pads them, to multiples of 32) run as one forward pass of shape
 * [N, 3, H, W]; the decoding and NMS that {@code FaceDetectorYN::postProcess} does in C++ are done
 * here per image, the same way (OpenCV 4.13's face_detect.cpp), with OpenCV's own {@code NMSBoxes}.
 *
 * <p>The fixed-size exports ({@code yunet_*_640_640.onnx}) take a batch: their heads end in a
 * reshape to [1, N x anchors, C], image after image, so image n's rows are the n-th slice. The
 * {@code *_dynamic.onnx} exports do not load in OpenCV 4.13 at all ("dynamic 'zero' shapes are not
 * supported" in their Shape node).
 */
final class YuNetBatchDetector implements Detector {

    private static final int[] STRIDES = {8, 16, 32};
    private static final int TOP_K = 5000;
    private static final String[] OUTPUTS = {"cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32",
        "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"};

    private final Net net;
    private final float score;
    private final float nms;
    private final int maxBatch;
    private final org.bytedeco.opencv.opencv_core.StringVector names = new org.bytedeco.opencv.opencv_core.StringVector(OUTPUTS);

    YuNetBatchDetector(Path model, DnnDevice device, float score, float nms, int maxBatch) {
        this.net = readNetFromONNX(model.toString());
        if (net.empty()) {
            net.close();
            names.close();
            throw new IllegalStateException("OpenCV could not load the YuNet model " + model);
        }
        net.setPreferableBackend(device.backend());
        net.setPreferableTarget(device.target());
        this.score = score;
        this.nms = nms;
        this.maxBatch = maxBatch;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        List<List<Detection>> results = new ArrayList<>(images.size());
        // one forward pass per padded size: a fleet of same-sized streams makes one group
        Map<Long, List<Integer>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            results.add(null);
            Mat m = images.get(i);
            bySize.computeIfAbsent(((long) pad(m.cols()) << 32) | pad(m.rows()), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Long, List<Integer>> group : bySize.entrySet()) {
            int padW = (int) (group.getKey() >>> 32);
            int padH = (int) (long) group.getKey();
            List<Integer> idx = group.getValue();
            List<List<Detection>> found = forward(images, idx, padW, padH);
            for (int k = 0; k < idx.size(); k++) {
                results.set(idx.get(k), found.get(k));
            }
        }
        return results;
    }

    /** FaceDetectorYN's padding: up to the next multiple of 32. */
    static int pad(int side) {
        return ((side - 1) / 32 + 1) * 32;
    }

    private List<List<Detection>> forward(List<Mat> images, List<Integer> idx, int padW, int padH) {
        int n = idx.size();
        List<Mat> padded = new ArrayList<>(n);
        try (Scalar zero = new Scalar(0, 0, 0, 0); MatVector inputs = new MatVector(n); MatVector outs = new MatVector()) {
            for (int k = 0; k < n; k++) {
                Mat image = images.get(idx.get(k));
                Mat p = new Mat();
                copyMakeBorder(image, p, 0, padH - image.rows(), 0, padW - image.cols(), BORDER_CONSTANT, zero);
                padded.add(p);
                inputs.put(k, p);
            }
            try (Size none = new Size(); Mat blob = blobFromImages(inputs, 1.0, none, zero, false, false, CV_32F)) {
                net.setInput(blob);
                net.forward(outs, names);
            }
            FloatBuffer[] out = new FloatBuffer[OUTPUTS.length];
            for (int o = 0; o < OUTPUTS.length; o++) {
                out[o] = outs.get(o).createBuffer();
            }
            List<List<Detection>> results = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                Mat image = images.get(idx.get(k));
                results.add(decode(out, k, padW, padH, image.cols(), image.rows()));
            }
            return results;
        } finally {
            padded.forEach(Mat::close);
        }
    }

    /** face_detect.cpp's postProcess for image {@code k} of the batch, then clipped to the frame. */
    private List<Detection> decode(FloatBuffer[] out, int k, int padW, int padH, int width, int height) {
        List<float[]> faces = new ArrayList<>(); // x1, y1, w, h, score
        for (int s = 0; s < STRIDES.length; s++) {
            int stride = STRIDES[s];
            int cols = padW / stride;
            int rows = padH / stride;
            int base = k * rows * cols; // image k's anchors in [1, N x anchors, C]
            FloatBuffer cls = out[s];
            FloatBuffer obj = out[s + 3];
            FloatBuffer bbox = out[s + 6];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int i = base + r * cols + c;
                    float clsScore = Math.max(0f, Math.min(cls.get(i), 1f));
                    float objScore = Math.max(0f, Math.min(obj.get(i), 1f));
                    float sc = (float) Math.sqrt(clsScore * objScore);
                    if (sc < score) {
                        continue;
                    }
                    float cx = (c + bbox.get(i * 4)) * stride;
                    float cy = (r + bbox.get(i * 4 + 1)) * stride;
                    float w = (float) Math.exp(bbox.get(i * 4 + 2)) * stride;
                    float h = (float) Math.exp(bbox.get(i * 4 + 3)) * stride;
                    faces.add(new float[] {cx - w / 2f, cy - h / 2f, w, h, sc});
                }
            }
        }
        if (faces.isEmpty()) {
            return List.of();
        }
        List<float[]> kept = faces;
        if (faces.size() > 1) {
            kept = new ArrayList<>();
            try (RectVector boxes = new RectVector(faces.size());
                    FloatPointer scores = new FloatPointer(faces.size());
                    IntPointer keep = new IntPointer()) {
                for (int i = 0; i < faces.size(); i++) {
                    float[] f = faces.get(i);
                    // FaceDetectorYN's Rect2i(int(x), int(y), int(w), int(h)): truncation, as in C++
                    try (Rect rect = new Rect((int) f[0], (int) f[1], (int) f[2], (int) f[3])) {
                        boxes.put(i, rect);
                    }
                    scores.put(i, f[4]);
                }
                NMSBoxes(boxes, scores, score, nms, keep, 1f, TOP_K);
                for (long i = 0; i < keep.limit(); i++) {
                    kept.add(faces.get(keep.get(i)));
                }
            }
        }
        List<Detection> found = new ArrayList<>(kept.size());
        for (float[] f : kept) {
            Detection d = Boxes.clipped("face", f[4], f[0], f[1], f[0] + f[2], f[1] + f[3], width, height);
            if (d != null) {
                found.add(d);
            }
        }
        return found;
    }

    @Override
    public void close() {
        names.close();
        net.close();
    }
}
