package io.framewire.inference;

import java.nio.file.Path;

/**
 * What a worker needs to build its detector.
 *
 * @param kind           which detector
 * @param model          model file (ONNX for yunet/yolo; optional cascade XML for haar); null = built-in default
 *                       (yunet: the 2023mar model the jar carries; haar: OpenCV's frontal-face cascade)
 * @param device         where DNN detectors run
 * @param labels         class-names file for yolo (one per line); null = COCO-80 indices as labels
 * @param scoreThreshold minimum confidence to report
 * @param nmsThreshold   IoU threshold for non-maximum suppression
 * @param inputSize      network input side for yolo (square letterbox), e.g. 640
 * @param simBatchMs     {@code sim} only: milliseconds each simulated forward pass sleeps
 * @param yunetBatched   yunet only: batches through cv::dnn::Net (true), FaceDetectorYN frame by frame
 *                       (false), or null: batched on CUDA, frame by frame on CPU (as measured, bench/RESULTS.md)
 */
public record DetectorConfig(
        DetectorKind kind,
        Path model,
        Device device,
        Path labels,
        float scoreThreshold,
        float nmsThreshold,
        int inputSize,
        double simBatchMs,
        Boolean yunetBatched) {

    public DetectorConfig {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(device, "device");
    }

    /** The same configuration with another model file. */
    public DetectorConfig withModel(Path file) {
        return new DetectorConfig(kind, file, device, labels, scoreThreshold, nmsThreshold, inputSize, simBatchMs, yunetBatched);
    }

    /** Without the sim detector's setting (its default, 5 ms). */
    public DetectorConfig(DetectorKind kind, Path model, Device device, Path labels, float scoreThreshold, float nmsThreshold,
                          int inputSize) {
        this(kind, model, device, labels, scoreThreshold, nmsThreshold, inputSize, 5, null);
    }

    /** From the command-line names (tools, tests); the enums' {@code parse} checks them. */
    public DetectorConfig(String kind, Path model, String device, Path labels, float scoreThreshold, float nmsThreshold,
                          int inputSize, double simBatchMs, Boolean yunetBatched) {
        this(DetectorKind.parse(kind), model, Device.parse(device), labels, scoreThreshold, nmsThreshold, inputSize,
                simBatchMs, yunetBatched);
    }

    /** From the command-line names, without the sim detector's setting. */
    public DetectorConfig(String kind, Path model, String device, Path labels, float scoreThreshold, float nmsThreshold,
                          int inputSize) {
        this(kind, model, device, labels, scoreThreshold, nmsThreshold, inputSize, 5, null);
    }
}
