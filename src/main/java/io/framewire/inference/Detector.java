package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A model bound to one inference worker. Not thread-safe: each worker owns its own instance
 * (its own {@code Net}), so the DNN never needs locking.
 */
public interface Detector extends AutoCloseable {

    /** The largest number of images {@link #detect} runs in one forward pass; 1 for fixed-batch models. */
    default int maxBatch() {
        return 1;
    }

    /** False for detectors that never look at pixels ({@code none}): the worker then skips decoding. */
    default boolean needsPixels() {
        return true;
    }

    /**
     * Detects objects in decoded BGR images (CV_8UC3, owned by the caller). Returns one list per image,
     * in order. With {@link #needsPixels()} false the list holds nulls and only its size counts.
     */
    List<List<Detection>> detect(List<Mat> images);

    @Override
    void close();
}
