/**
 * Frames to detections: the worker pool ({@code WorkerPool}, {@code InferenceWorker}, the split
 * pipeline), the detectors ({@code DetectorKind}: yunet, yolo, haar, sim, none) and where they run
 * ({@code Device}, {@code DnnDevice}: chosen and probed once in {@code Detectors}), image header
 * checks and decoding, motion gating and send-rate advice. The only package that uses OpenCV.
 * Workers take jobs from {@code schedule} and hand encoded results ({@code protocol}) to the
 * job's sink.
 *
 * <p>May use: {@code schedule}, {@code protocol}, {@code tracking}, {@code metrics}.
 */
package io.framewire.inference;
