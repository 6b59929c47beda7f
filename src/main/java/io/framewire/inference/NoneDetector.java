package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.Collections;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Detects nothing and never looks at pixels: measures the gateway without inference. Stateless, so
 * one instance may serve every stream's reader ({@link DetectorFactory#needsNoWorker}).
 */
final class NoneDetector implements Detector {

    /** Result lists by batch size, built once: a call allocates nothing. */
    private static final List<List<List<Detection>>> EMPTIES = empties(64);

    private static List<List<List<Detection>>> empties(int max) {
        List<List<List<Detection>>> all = new java.util.ArrayList<>(max + 1);
        for (int n = 0; n <= max; n++) {
            all.add(Collections.nCopies(n, List.of()));
        }
        return List.copyOf(all);
    }

    @Override
    public boolean needsPixels() {
        return false;
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        int n = images.size();
        return n < EMPTIES.size() ? EMPTIES.get(n) : Collections.nCopies(n, List.of());
    }

    @Override
    public void close() {}
}
