package io.framewire.inference;

import java.util.List;

/**
 * How frames reach the detector.
 *
 * <p>{@code inline}: each worker takes a batch, decodes it and runs its forward pass on its own
 * thread (one worker per core on CPU). {@code split}: decoding runs on a pool of decoder threads
 * and forward passes on the executors of each device (two by default), which always have the next
 * decoded batch waiting, so an accelerator never idles while frames are decoded. {@code auto}:
 * split for accelerators (CUDA, {@code sim}), inline on CPU, where both stages compete for the
 * same cores anyway.
 *
 * @param mode     auto | inline | split
 * @param decoders decoder threads of the split pipeline; 0 = one per core
 */
public record PipelineConfig(String mode, int decoders) {

    public static final List<String> MODES = List.of("auto", "inline", "split");

    public static final PipelineConfig DEFAULT = new PipelineConfig("auto", 0);

    public PipelineConfig {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("pipeline: unknown mode '" + mode + "' (expected one of " + MODES + ")");
        }
        if (decoders < 0) {
            throw new IllegalArgumentException("pipeline.decoders must be >= 0");
        }
    }

    /** Whether frames are decoded apart from inference with this detector. */
    public boolean split(DetectorFactory factory) {
        return mode.equals("split") || (mode.equals("auto") && factory.accelerated());
    }

    public int decoderThreads() {
        return decoders > 0 ? decoders : Runtime.getRuntime().availableProcessors();
    }
}
