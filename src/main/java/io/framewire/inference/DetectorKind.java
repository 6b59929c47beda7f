package io.framewire.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The values of {@code --detector}; parsed once, from the setting or from a tool's flag. */
public enum DetectorKind {
    /** YuNet face detector (ONNX), through OpenCV DNN. */
    YUNET(true),
    /** YOLO object detector (ONNX), through OpenCV DNN. */
    YOLO(true),
    /** OpenCV's Haar cascade face detector, built in. */
    HAAR(false),
    /** A simulated accelerator: real decode, a forward pass that sleeps. */
    SIM(false),
    /** No decode, no inference: transport checks. */
    NONE(false);

    private final boolean dnn;

    DetectorKind(boolean dnn) {
        this.dnn = dnn;
    }

    /** Runs an ONNX model through OpenCV DNN: needs {@code --model}, may run on CUDA. */
    public boolean dnn() {
        return dnn;
    }

    /** The name on the command line: {@code yunet}, {@code yolo}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }

    public static List<DetectorKind> all() {
        return List.of(values());
    }

    /** @throws IllegalArgumentException naming {@code --detector} and the accepted names */
    public static DetectorKind parse(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--detector: unknown detector '" + label
                        + "' (expected one of " + all() + ")"));
    }
}
