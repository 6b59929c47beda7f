package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A stand-in for an accelerator ({@code --detector sim}): each forward pass of up to
 * {@code batch.max} decoded frames takes {@code sim.batchMs} on the {@link SimDevice} that every
 * executor's detector shares, and finds nothing. With 5 ms and batches of 8 the simulated device
 * answers at most 1,600 frames/s, however many executors feed it: enough to see on a laptop
 * whether the pipeline keeps a device busy.
 */
final class SimDetector implements Detector {

    private final SimDevice device;
    private final NoneDetector nothing = new NoneDetector(); // its answers, allocated once

    SimDetector(SimDevice device) {
        this.device = device;
    }

    @Override
    public int maxBatch() {
        return Integer.MAX_VALUE; // the worker's batch.max decides
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        try {
            device.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return nothing.detect(images);
    }

    @Override
    public void close() {}
}
