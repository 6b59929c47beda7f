package io.framewire.inference;

import java.util.Arrays;
import java.util.List;

/** The values of {@code --device}: where DNN detectors should run. {@link DnnDevice} is what it resolves to. */
public enum Device {
    /** CUDA when a device is present and a probe forward of the model passes, else CPU. */
    AUTO("auto"),
    CPU("cpu"),
    CUDA("cuda"),
    /** CUDA with half-precision weights. */
    CUDA_FP16("cuda-fp16");

    private final String label;

    Device(String label) {
        this.label = label;
    }

    /** The name on the command line. */
    public String label() {
        return label;
    }

    public boolean cuda() {
        return this == CUDA || this == CUDA_FP16;
    }

    @Override
    public String toString() {
        return label;
    }

    public static List<Device> all() {
        return List.of(values());
    }

    /** @throws IllegalArgumentException naming {@code --device} and the accepted names */
    public static Device parse(String label) {
        return Arrays.stream(values()).filter(d -> d.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--device: unknown device '" + label
                        + "' (expected one of " + all() + ")"));
    }
}
