package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** Detects nothing and never looks at pixels: measures the gateway without inference. */
final class NoneDetector implements Detector {

    /** Result lists by batch size, built once each: a call allocates nothing. */
    private final List<List<List<Detection>>> empties = new ArrayList<>();

    @Override
    public boolean needsPixels() {
        return false;
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        int n = images.size();
        while (empties.size() <= n) {
            empties.add(Collections.nCopies(empties.size(), List.of()));
        }
        return empties.get(n);
    }

    @Override
    public void close() {}
}
