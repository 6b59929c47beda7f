package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_dnn.DNN_BACKEND_CUDA;
import static org.bytedeco.opencv.global.opencv_dnn.DNN_BACKEND_OPENCV;
import static org.bytedeco.opencv.global.opencv_dnn.DNN_TARGET_CPU;
import static org.bytedeco.opencv.global.opencv_dnn.DNN_TARGET_CUDA;
import static org.bytedeco.opencv.global.opencv_dnn.DNN_TARGET_CUDA_FP16;

import java.util.function.Consumer;
import org.bytedeco.opencv.global.opencv_core;

/**
 * Where OpenCV DNN runs a model: a backend/target pair, chosen once at start.
 *
 * @param name   cpu | cuda | cuda-fp16
 * @param gpus   CUDA devices visible (0 on CPU)
 * @param reason why this device was chosen, for the start-up log
 */
record DnnDevice(String name, int backend, int target, int gpus, String reason) {

    static final String NO_CUDA = "OpenCV built without CUDA / no CUDA device";

    static DnnDevice cpu(String reason) {
        return new DnnDevice("cpu", DNN_BACKEND_OPENCV, DNN_TARGET_CPU, 0, reason);
    }

    /**
     * Resolves the requested {@link Device}. {@code auto} takes CUDA only when a device is
     * visible and {@code probe} (a forward pass of the real model) succeeds on it, since a CUDA build
     * can still fail on a driver mismatch or an unsupported layer. An explicit CUDA device that is
     * absent fails here, at start, rather than in every worker.
     *
     * @param gpus what {@link #cudaDevices()} reports (a parameter so that tests can vary it)
     */
    static DnnDevice resolve(Device requested, int gpus, Consumer<DnnDevice> probe) {
        return switch (requested) {
            case CPU -> cpu("requested with --device cpu");
            case CUDA, CUDA_FP16 -> {
                if (gpus <= 0) {
                    throw new IllegalArgumentException("--device " + requested + ": no CUDA device ("
                            + NO_CUDA + "; build with -Pgpu and check the NVIDIA driver), or use --device cpu/auto");
                }
                yield cuda(requested, gpus, "requested with --device " + requested);
            }
            case AUTO -> {
                if (gpus <= 0) {
                    yield cpu(NO_CUDA);
                }
                DnnDevice cuda = cuda(Device.CUDA, gpus, gpus + " CUDA device(s) and the probe forward passed");
                try {
                    probe.accept(cuda);
                    yield cuda;
                } catch (RuntimeException e) {
                    yield cpu("CUDA probe failed: " + e.getMessage());
                }
            }
        };
    }

    private static DnnDevice cuda(Device device, int gpus, String reason) {
        int target = device == Device.CUDA_FP16 ? DNN_TARGET_CUDA_FP16 : DNN_TARGET_CUDA;
        return new DnnDevice(device.label(), DNN_BACKEND_CUDA, target, gpus, reason);
    }

    /** CUDA devices OpenCV can use: 0 on the CPU build, -1 when the driver is missing. */
    static int cudaDevices() {
        try {
            return opencv_core.getCudaEnabledDeviceCount();
        } catch (RuntimeException | LinkageError e) {
            return 0; // a CUDA build whose native CUDA libraries cannot load
        }
    }

    boolean isCuda() {
        return backend == DNN_BACKEND_CUDA;
    }

    /**
     * One worker per core on CPU. Two per GPU with CUDA: a GPU runs the passes of its nets one after
     * another, and a second net keeps it busy while the first one's thread is between passes
     * (answering, taking the next batch), as Triton's instance count does.
     */
    int defaultWorkers() {
        return isCuda() ? 2 * gpus : Runtime.getRuntime().availableProcessors();
    }

    /** The GPU of worker {@code worker}: workers spread round-robin over the devices. */
    int gpuOf(int worker) {
        return isCuda() ? worker % gpus : worker;
    }

    /** Binds the calling worker thread to its GPU ({@link #gpuOf}). */
    void bindThread(int worker) {
        if (isCuda() && gpus > 1) {
            opencv_core.setDevice(gpuOf(worker));
        }
    }
}
