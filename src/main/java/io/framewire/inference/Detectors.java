package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The inference package's entry point: checks a {@link DetectorConfig} once and builds its factory. */
public final class Detectors {

    private static final Logger log = LoggerFactory.getLogger(Detectors.class);

    private Detectors() {}

    /**
     * Validates {@code requested} (yunet without a model takes the built-in one), resolves the DNN device (probing CUDA with the real model) and loads the
     * model once, so that every configuration error surfaces here rather than in the workers.
     *
     * @throws IllegalArgumentException naming the setting at fault ({@code --detector}, {@code --model},
     *                                  {@code --device}, {@code --labels}, {@code --inputSize})
     */
    public static DetectorFactory open(DetectorConfig requested) {
        DetectorConfig cfg = requested.kind() == DetectorKind.YUNET && requested.model() == null
                ? requested.withModel(YuNetDetector.builtInModel()) : requested;
        DetectorKind kind = cfg.kind();
        Device device = cfg.device();
        if (kind.dnn() && cfg.model() == null) {
            throw new IllegalArgumentException("--model: required with --detector " + kind);
        }
        if (cfg.model() != null && kind != DetectorKind.NONE && !(Files.isRegularFile(cfg.model()) && Files.isReadable(cfg.model()))) {
            throw new IllegalArgumentException("--model: no readable file at " + cfg.model());
        }
        List<String> names = cfg.labels() == null ? null : Labels.read(cfg.labels());
        if (kind == DetectorKind.YOLO && (cfg.inputSize() <= 0 || cfg.inputSize() % 32 != 0)) {
            throw new IllegalArgumentException("--inputSize: " + cfg.inputSize() + " is not a positive multiple of 32 (YOLO's largest stride)");
        }
        if (!kind.dnn() && device.cuda()) {
            log.warn("--device {} ignored: the {} detector runs on the CPU", device, kind);
        }
        // One OpenCV thread per call: the worker pool already runs one detector per core, and OpenCV's own
        // pool on top would oversubscribe the cores.
        opencv_core.setNumThreads(1);

        int cores = Runtime.getRuntime().availableProcessors();
        DetectorFactory factory = switch (kind) {
            case NONE -> new Factory("none (frames are not decoded)", cores, worker -> new NoneDetector(), false, "cpu",
                    worker -> worker, true);
            // one simulated accelerator, fed by two executors like a GPU
            case SIM -> {
                SimDevice sim = new SimDevice(cfg.simBatchMs());
                yield new Factory("sim (a simulated accelerator: " + cfg.simBatchMs() + " ms per forward pass of up to batch.max frames)",
                        2, worker -> new SimDetector(sim), true, "sim", worker -> 0);
            }
            case HAAR -> haar(cfg.model(), cores);
            case YUNET -> dnn(cfg, device, (dev, batch) -> yunetBatched(cfg, dev)
                    ? new YuNetBatchDetector(cfg.model(), dev, cfg.scoreThreshold(), cfg.nmsThreshold(), batch)
                    : new YuNetDetector(cfg.model(), dev, cfg.scoreThreshold(), cfg.nmsThreshold()),
                    dev -> yunetBatched(cfg, dev));
            case YOLO -> dnn(cfg, device, (dev, batch) -> new YoloDetector(cfg.model(), names, dev,
                    cfg.scoreThreshold(), cfg.nmsThreshold(), cfg.inputSize(), batch), dev -> true);
        };
        log.info("detector: {}", factory.description());
        return factory;
    }

    private static DetectorFactory haar(Path model, int cores) {
        Path xml = model != null ? model : HaarDetector.defaultCascade();
        try {
            new HaarDetector(xml).close();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--model: " + e.getMessage(), e);
        }
        return new Factory("haar " + xml.getFileName() + " on cpu (cascade classifier, no DNN)", cores, () -> new HaarDetector(xml));
    }

    /** Builds a DNN detector for a device and a batch size. */
    private interface Maker {
        Detector make(DnnDevice device, int maxBatch);
    }

    /**
     * YuNet through cv::dnn::Net in batches: on CUDA unless told otherwise; on CPU only when asked,
     * since there a batch costs as much per frame as single frames (bench/RESULTS.md).
     */
    private static boolean yunetBatched(DetectorConfig cfg, DnnDevice device) {
        return cfg.yunetBatched() != null ? cfg.yunetBatched() : device.isCuda();
    }

    private static DetectorFactory dnn(DetectorConfig cfg, Device requested, Maker maker,
                                       java.util.function.Predicate<DnnDevice> batchable) {
        DnnDevice device = DnnDevice.resolve(requested, DnnDevice.cudaDevices(), dev -> runOnBlank(maker.make(dev, 1), 1));
        try {
            runOnBlank(maker.make(device, 1), 1);
        } catch (RuntimeException e) {
            String setting = device.isCuda() ? "--device " + device.name() : "--model";
            throw new IllegalArgumentException(setting + ": cannot run " + cfg.model() + " with --detector " + cfg.kind()
                    + " on " + device.name() + ": " + e.getMessage(), e);
        }
        // A batch of two that runs and comes back as two means the batch dimension is dynamic.
        int batch = batchable.test(device) && runsOnBlank(() -> maker.make(device, YoloDetector.MAX_BATCH), 2) ? YoloDetector.MAX_BATCH : 1;
        String description = cfg.kind() + " " + cfg.model().getFileName() + " on " + device.name()
                + " (" + device.reason() + ")" + (batch > 1 ? ", batches of up to " + batch : "");
        return new Factory(description, device.defaultWorkers(), worker -> {
            device.bindThread(worker);
            return maker.make(device, batch);
        }, device.isCuda(), device.isCuda() ? "cuda" : "cpu", device::gpuOf);
    }

    /** Runs {@code detector} once on {@code images} black frames, then closes it; throws what it throws. */
    private static void runOnBlank(Detector detector, int images) {
        try (detector; Scalar black = new Scalar(0, 0, 0, 0); Mat blank = new Mat(480, 640, CV_8UC3, black)) {
            detector.detect(Collections.nCopies(images, blank));
        }
    }

    private static boolean runsOnBlank(Supplier<Detector> detector, int images) {
        try {
            runOnBlank(detector.get(), images);
            return true;
        } catch (RuntimeException e) {
            log.info("the model runs one image per forward pass (a batch of {} failed: {})", images, e.getMessage());
            return false;
        }
    }

    private record Factory(String description, int defaultWorkers, IntFunction<Detector> maker, boolean accelerated,
                           String deviceLabel, IntUnaryOperator devices, boolean needsNoWorker) implements DetectorFactory {

        Factory(String description, int defaultWorkers, Supplier<Detector> maker) {
            this(description, defaultWorkers, worker -> maker.get(), false, "cpu", worker -> worker, false);
        }

        Factory(String description, int defaultWorkers, IntFunction<Detector> maker, boolean accelerated,
                String deviceLabel, IntUnaryOperator devices) {
            this(description, defaultWorkers, maker, accelerated, deviceLabel, devices, false);
        }

        @Override
        public Detector newDetector(int worker) {
            return maker.apply(worker);
        }

        @Override
        public int deviceOf(int worker) {
            return devices.applyAsInt(worker);
        }
    }
}
