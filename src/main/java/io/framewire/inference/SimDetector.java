package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A stand-in for an accelerator ({@code --detector sim}): each forward pass of up to
 * {@code batch.max} decoded frames sleeps a fixed {@code sim.batchMs} on its executor (sleeping,
 * not spinning, so the CPU stays free for decoding as it would beside a GPU) and finds nothing.
 * With 5 ms and batches of 8 the simulated device answers at most 1,600 frames/s: enough to see
 * on a laptop whether the pipeline keeps a device busy.
 */
final class SimDetector implements Detector {

    private final long batchNanos;
    private final NoneDetector nothing = new NoneDetector(); // its answers, allocated once

    SimDetector(double batchMs) {
        this.batchNanos = Math.round(batchMs * 1e6);
    }

    @Override
    public int maxBatch() {
        return Integer.MAX_VALUE; // the worker's batch.max decides
    }

    @Override
    public List<List<Detection>> detect(List<Mat> images) {
        long until = System.nanoTime() + batchNanos;
        try {
            for (long left = batchNanos; left > 0; left = until - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return nothing.detect(images);
    }

    @Override
    public void close() {}
}
