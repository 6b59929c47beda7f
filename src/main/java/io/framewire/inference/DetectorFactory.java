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

    /** True for an accelerator (CUDA, {@code sim}) that the split pipeline keeps fed; false on CPU. */
    default boolean accelerated() {
        return false;
    }

    /** The device kind for metrics labels: cpu, cuda or sim (the executor's index is appended). */
    default String deviceLabel() {
        return "cpu";
    }
}
