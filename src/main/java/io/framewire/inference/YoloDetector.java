package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImages;
import static org.bytedeco.opencv.global.opencv_dnn.readNetFromONNX;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.framewire.protocol.Detection;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

/** A YOLOv5/v8 ONNX model run by OpenCV DNN: letterbox, one forward pass per batch, {@link YoloDecoder}. */
final class YoloDetector implements Detector {

    /** Images per forward pass for a model whose batch dimension is dynamic. */
    static final int MAX_BATCH = 8;

    private final Net net;
    private final YoloDecoder decoder;
    private final int size;
    private final int maxBatch;
    // Reused across calls: one resized and one padded image per batch slot, the input list and the blob.
    private final Mat[] resized;
    private final Mat[] padded;
    private final MatVector inputs;
    private final Mat blob;
    private final Size inputSize;
    private final Scalar gray;
    private final Scalar zero;

    YoloDetector(Path model, List<String> names, DnnDevice device, float score, float nms, int size, int maxBatch) {
        this.net = readNetFromONNX(model.toString());
        if (net.empty()) {
            net.close();
            throw new IllegalStateException("OpenCV could not load the ONNX model " + model);
        }
        try (StringVector outputs = net.getUnconnectedOutLayersNames()) {
            if (outputs.size() != 1) {
                net.close();
                // Ultralytics v5/v8 exports have exactly one; e.g. YuNet has 12 and would decode as noise
                throw new IllegalStateException("a YOLO model has one output, " + model.getFileName() + " has "
                        + outputs.size() + ": not a YOLOv5/v8 export");
            }
        }
        net.setPreferableBackend(device.backend());
        net.setPreferableTarget(device.target());
        this.decoder = new YoloDecoder(names, score, nms);
        this.size = size;
        this.maxBatch = maxBatch;
        // native buffers only once the model is known good, so a failed load leaves nothing to close
        this.inputs = new MatVector();
        this.blob = new Mat();
        this.inputSize = new Size(size, size);
        this.gray = new Scalar(114, 114, 114, 0);
        this.zero = new Scalar(0, 0, 0, 0);
        this.resized = new Mat[maxBatch];
        this.padded = new Mat[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            resized[i] = new Mat();
            padded[i] = new Mat();
        }
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        List<List<Detection>> results = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += maxBatch) {
            forward(images.subList(from, Math.min(images.size(), from + maxBatch)), results);
        }
        return results;
    }

    private void forward(List<Mat> batch, List<List<Detection>> results) {
        int n = batch.size();
        YoloDecoder.Letterbox[] boxes = new YoloDecoder.Letterbox[n];
        inputs.resize(n);
        for (int i = 0; i < n; i++) {
            Mat image = batch.get(i);
            YoloDecoder.Letterbox box = YoloDecoder.Letterbox.of(image.cols(), image.rows(), size);
            try (Size scaled = new Size(box.scaledWidth(), box.scaledHeight())) {
                resize(image, resized[i], scaled, 0, 0, INTER_LINEAR);
            }
            copyMakeBorder(resized[i], padded[i], box.padY(), size - box.scaledHeight() - box.padY(),
                    box.padX(), size - box.scaledWidth() - box.padX(), BORDER_CONSTANT, gray);
            inputs.put(i, padded[i]);
            boxes[i] = box;
        }
        // 0..1 floats, BGR to RGB, NCHW: what Ultralytics exports expect
        blobFromImages(inputs, blob, 1 / 255.0, inputSize, zero, true, false, CV_32F);
        net.setInput(blob);
        try (Mat out = net.forward()) {
            int[] shape = shape(out);
            if (shape[0] != n) {
                throw new IllegalStateException("YOLO model returned a batch of " + shape[0] + " for " + n + " images");
            }
            try (FloatPointer data = new FloatPointer(out.data())) {
                FloatBuffer values = data.capacity(out.total()).asBuffer();
                for (int i = 0; i < n; i++) {
                    results.add(decoder.decode(values, shape, i, boxes[i]));
                }
            }
        }
    }

    /** The output's dimensions as {@code [batch, a, b]}; a 2-D output is one image. */
    private static int[] shape(Mat out) {
        if (out.type() != CV_32F) {
            throw new IllegalStateException("YOLO output is not float32 (type " + out.type() + ")");
        }
        return switch (out.dims()) {
            case 2 -> new int[] {1, out.size(0), out.size(1)};
            case 3 -> new int[] {out.size(0), out.size(1), out.size(2)};
            default -> throw new IllegalStateException("YOLO output has " + out.dims() + " dimensions, expected 3");
        };
    }

    @Override
    public void close() {
        for (int i = 0; i < maxBatch; i++) {
            resized[i].close();
            padded[i].close();
        }
        inputs.close();
        blob.close();
        inputSize.close();
        gray.close();
        zero.close();
        net.close();
    }
}
