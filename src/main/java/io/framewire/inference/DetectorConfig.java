package io.framewire.inference;

import java.nio.file.Path;

/**
 * What a worker needs to build its detector.
 *
 * @param kind           yunet | yolo | haar | sim | none
 * @param model          model file (ONNX for yunet/yolo; optional cascade XML for haar); null = built-in default
 * @param device         auto | cpu | cuda | cuda-fp16
 * @param labels         class-names file for yolo (one per line); null = COCO-80 indices as labels
 * @param scoreThreshold minimum confidence to report
 * @param nmsThreshold   IoU threshold for non-maximum suppression
 * @param inputSize      network input side for yolo (square letterbox), e.g. 640
 * @param simBatchMs     {@code sim} only: milliseconds each simulated forward pass sleeps
 * @param yunetBatched   yunet only: batches through cv::dnn::Net (true), FaceDetectorYN frame by frame
 *                       (false), or null: batched on CUDA, frame by frame on CPU (as measured, bench/RESULTS.md)
 */
public record DetectorConfig(
        String kind,
        Path model,
        String device,
        Path labels,
        float scoreThreshold,
        float nmsThreshold,
        int inputSize,
        double simBatchMs,
        Boolean yunetBatched) {

    /** Without the sim detector's setting (its default, 5 ms). */
    public DetectorConfig(String kind, Path model, String device, Path labels, float scoreThreshold, float nmsThreshold,
                          int inputSize) {
        this(kind, model, device, labels, scoreThreshold, nmsThreshold, inputSize, 5, null);
    }
}
