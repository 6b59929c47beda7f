package io.framewire.inference;

/**
 * Resolved once at start (model file checked, DNN device chosen and probed), then asked for one
 * {@link Detector} per inference worker.
 */
public interface DetectorFactory {

    /** A new detector with its own network; called once on each worker's own thread. */
    Detector newDetector();

    /** Human-readable summary for the start-up log, e.g. "yunet yunet_s_640_640.onnx on cpu (no CUDA device)". */
    String description();

    /** Worker count when the operator sets none: one per core on CPU, one per GPU with CUDA. */
    int defaultWorkers();
}
