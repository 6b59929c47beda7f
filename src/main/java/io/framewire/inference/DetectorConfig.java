package io.framewire.inference;

import java.nio.file.Path;

/**
 * What a worker needs to build its detector.
 *
 * @param kind           yunet | yolo | haar | none
 * @param model          model file (ONNX for yunet/yolo; optional cascade XML for haar); null = built-in default
 * @param device         auto | cpu | cuda | cuda-fp16
 * @param labels         class-names file for yolo (one per line); null = COCO-80 indices as labels
 * @param scoreThreshold minimum confidence to report
 * @param nmsThreshold   IoU threshold for non-maximum suppression
 * @param inputSize      network input side for yolo (square letterbox), e.g. 640
 */
public record DetectorConfig(
        String kind,
        Path model,
        String device,
        Path labels,
        float scoreThreshold,
        float nmsThreshold,
        int inputSize) {}
