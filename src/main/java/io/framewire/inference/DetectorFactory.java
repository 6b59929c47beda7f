package io.framewire.inference;

import java.util.function.BiFunction;

/**
 * Resolved once at start (model file checked, DNN device chosen and probed), then asked for one
 * {@link Detector} per inference worker.
 */
public interface DetectorFactory {

    /**
     * A new detector with its own network, on worker {@code worker}'s device ({@link #deviceOf});
     * called once on that worker's own thread.
     */
    Detector newDetector(int worker);

    /** A detector on worker 0's device (tests, tools). */
    default Detector newDetector() {
        return newDetector(0);
    }

    /** Human-readable summary for the start-up log, e.g. "yunet yunet_s_640_640.onnx on cpu (no CUDA device)". */
    String description();

    /**
     * Worker count when the operator sets none: one per core on CPU; two per device on an
     * accelerator (CUDA, {@code sim}), so that one executor's pass keeps the device busy while the
     * other is between passes.
     */
    int defaultWorkers();

    /** True for an accelerator (CUDA, {@code sim}) that the split pipeline keeps fed; false on CPU. */
    default boolean accelerated() {
        return false;
    }

    /**
     * True when its detectors find nothing and never look at pixels ({@code none}): a frame's answer
     * is then the same few microseconds on any thread, so each stream's reader answers its frames
     * itself instead of waking a worker for them ({@code Scheduler.answerOnArrival}). A
     * {@link #wrapping} keeps it: those frames never reach a detector, wrapped or not.
     */
    default boolean needsNoWorker() {
        return false;
    }

    /** The device kind for metrics labels: cpu, cuda or sim (the {@link #deviceOf} index is appended). */
    default String deviceLabel() {
        return "cpu";
    }

    /**
     * The device that worker {@code worker} runs its forward passes on: its GPU with CUDA (workers
     * spread round-robin), the one simulated device with {@code sim}; on CPU each worker is its own.
     */
    default int deviceOf(int worker) {
        return worker;
    }

    /**
     * This factory with each detector it makes passed through {@code wrap}, on the worker's own
     * thread; everything else is this factory's. The one place that forwards the factory's methods,
     * so a wrapper (the watchdog's, a test's) cannot miss one.
     */
    default DetectorFactory wrapping(BiFunction<Integer, Detector, Detector> wrap) {
        DetectorFactory inner = this;
        return new DetectorFactory() {
            @Override
            public Detector newDetector(int worker) {
                return wrap.apply(worker, inner.newDetector(worker));
            }

            @Override
            public String description() {
                return inner.description();
            }

            @Override
            public int defaultWorkers() {
                return inner.defaultWorkers();
            }

            @Override
            public boolean accelerated() {
                return inner.accelerated();
            }

            @Override
            public String deviceLabel() {
                return inner.deviceLabel();
            }

            @Override
            public boolean needsNoWorker() {
                return inner.needsNoWorker();
            }

            @Override
            public int deviceOf(int worker) {
                return inner.deviceOf(worker);
            }
        };
    }
}
